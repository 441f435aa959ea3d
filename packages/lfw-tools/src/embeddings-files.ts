import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  CsvFormatError,
  EMBEDDING_CSV_COLUMNS,
  EmbeddingDimensionError,
  type EmbeddingRow,
  InvalidArgumentError,
  InvalidEmbeddingError,
  decodeEmbeddingCsv,
  decodeEmbeddingMatrix,
  decodeEmbeddingRows,
  decodeUtf8Text,
  encodeEmbeddingRows,
  encodeNpy,
  parseCategory,
} from '@eolgul/core';
import { readPairFile, writeFileAtomic } from '@eolgul/core/node';

/**
 * The `<prefix>.npy` + `<prefix>.csv` embedding files of the LFW tools, Node-only: float32 `[N, D]` (one embedding per
 * row) beside `image,category` (row i of the CSV describes row i of the NPY). The codec is `@eolgul/core`'s
 * (`embedding-pair.ts`); these functions keep the LFW tools' shapes (a list of vectors and `{ image, category }` rows).
 * @module
 */

export { EMBEDDING_CSV_COLUMNS, type EmbeddingRow, parseCategory };

/** The content of an NPY + CSV pair. */
export interface EmbeddingPair {
  /** One embedding per row, length `dimension` each (views into one shared buffer). */
  embeddings: Float32Array[];
  /** One row per embedding, same order. */
  rows: EmbeddingRow[];
  /** Embedding length D. */
  dimension: number;
}

/** Reads an NPY file that must hold a 2-D array. @internal */
export async function readNpyMatrix(file: string): Promise<{ data: Float32Array; rows: number; dimension: number }> {
  return decodeEmbeddingMatrix(await readPairFile(file, 'npy'), file);
}

/** Reads an `image,category` CSV file without checking the values. @internal */
export async function readEmbeddingCsv(file: string): Promise<{ image: string; category: string }[]> {
  return decodeEmbeddingCsv(decodeUtf8Text(await readPairFile(file, 'csv'), file), file);
}

/**
 * Reads `<prefix>.npy` + `<prefix>.csv` (see the module doc) and checks that they agree.
 * Use {@link checkEmbeddings} instead for a report of every problem rather than the first.
 * @param npy path of the `.npy` file (float32 or float64, shape `[N, D]`, C order).
 * @param csv path of the `.csv` file (header `image,category`).
 * @returns N embeddings of length D (float32), the N rows, and D.
 * @throws {NpyFormatError} the NPY file is unreadable, malformed, or not 2-D.
 * @throws {CsvFormatError} the CSV file is unreadable, its header is not `image,category`, a row has the wrong number
 *   of fields, a category is not a non-negative integer, an image is empty, or its row count differs from the NPY's.
 * @throws {InvalidEmbeddingError} a row holds NaN or ±Infinity.
 */
export async function readEmbeddingPair(npy: string, csv: string): Promise<EmbeddingPair> {
  const m = await readNpyMatrix(npy);
  const rows = decodeEmbeddingRows(decodeUtf8Text(await readPairFile(csv, 'csv'), csv), csv);
  if (rows.length !== m.rows) throw new CsvFormatError(csv, `has ${rows.length} rows but ${npy} has ${m.rows}`);
  const embeddings: Float32Array[] = [];
  for (let i = 0; i < m.rows; i++) {
    const row = m.data.subarray(i * m.dimension, (i + 1) * m.dimension);
    const j = row.findIndex((v) => !Number.isFinite(v));
    if (j >= 0) throw new InvalidEmbeddingError(`${npy} row ${i} (${rows[i].image}) holds ${row[j]} at column ${j}`);
    embeddings.push(row);
  }
  return { embeddings, rows, dimension: m.dimension };
}

/**
 * Writes `<prefix>.npy` (float32 `[N, D]`, C order, NPY 1.0, readable by `numpy.load`) and `<prefix>.csv`
 * (`image,category`), each atomically (temporary file + rename; the pair as a whole is not atomic: the NPY is written
 * first). Files get mode 0o600 (embeddings are biometric data). The parent folder is created when needed.
 * The embeddings are written as given: normalise them first if the consumer expects unit rows.
 * @param prefix output path without extension, e.g. `"out/lfw"` → `out/lfw.npy`, `out/lfw.csv`.
 * @param embeddings N vectors of the same length D.
 * @param rows N rows, same order as `embeddings`.
 * @param options `dimension`: D when N = 0 (default 0 then; otherwise the embeddings' length, which it must match).
 * @returns the two paths written.
 * @throws {InvalidArgumentError} `rows` and `embeddings` differ in length, an image name is empty, a category is not a
 *   non-negative integer.
 * @throws {EmbeddingDimensionError} the embeddings differ in length (or from `options.dimension`).
 * @throws {InvalidEmbeddingError} an embedding holds NaN or ±Infinity.
 */
export async function writeEmbeddingPair(
  prefix: string,
  embeddings: readonly ArrayLike<number>[],
  rows: readonly EmbeddingRow[],
  options: { dimension?: number } = {},
): Promise<{ npy: string; csv: string }> {
  if (rows.length !== embeddings.length) {
    throw new InvalidArgumentError(`${embeddings.length} embeddings but ${rows.length} CSV rows`);
  }
  const dimension = options.dimension ?? (embeddings.length > 0 ? embeddings[0].length : 0);
  if (!Number.isSafeInteger(dimension) || dimension < 0) throw new InvalidArgumentError(`bad dimension ${dimension}`);
  const data = new Float32Array(embeddings.length * dimension);
  embeddings.forEach((e, i) => {
    if (e.length !== dimension) throw new EmbeddingDimensionError(dimension, e.length);
    for (let j = 0; j < dimension; j++) {
      if (!Number.isFinite(e[j])) throw new InvalidEmbeddingError(`embedding ${i} holds ${e[j]} at index ${j}`);
      data[i * dimension + j] = e[j];
    }
  });
  rows.forEach((r, i) => {
    if (typeof r.image !== 'string' || r.image.length === 0)
      throw new InvalidArgumentError(`row ${i}: empty image name`);
    if (!Number.isSafeInteger(r.category) || r.category < 0) {
      throw new InvalidArgumentError(`row ${i}: category ${r.category} is not a non-negative integer`);
    }
  });
  const npy = `${prefix}.npy`;
  const csv = `${prefix}.csv`;
  await fs.mkdir(path.dirname(path.resolve(npy)), { recursive: true });
  await writeFileAtomic(npy, encodeNpy(data, [embeddings.length, dimension]));
  await writeFileAtomic(csv, encodeEmbeddingRows(rows.map((r) => ({ image: r.image, category: r.category }))));
  return { npy, csv };
}
