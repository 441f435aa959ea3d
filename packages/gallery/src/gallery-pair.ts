import { promises as fs } from 'node:fs';
import {
  CsvFormatError,
  InvalidEmbeddingError,
  NpyFormatError,
  decodeNpy,
  encodeNpyHeader,
  formatCsv,
  parseCsv,
  validateEmbedding,
  writeFileAtomic,
} from '@eolgul/core';
import { identityFromSeedImageName } from './gallery-names.js';

/**
 * The seed project's embedding pair: `embedding_all_128_L2.npy` (float32 `[N, D]`, one L2-normalised embedding per
 * row) + `df_all_encoder_10.csv` (`image,category`, one line per row, image = `<name>_<k>.jpg`, category = an integer
 * label). The identity of a row is its image name before `_<digits>.<ext>`, unless a sibling
 * `<csv name without .csv>.identities.csv` (`category,name`, written by {@link writeGalleryPair}) maps categories to names.
 * @module
 */

/** A pair read into memory. */
export interface GalleryPair {
  /** Embedding length D. */
  dimension: number;
  /** Row-major `[N, D]` float32. */
  embeddings: Float32Array;
  /** Image id per row, length N. */
  imageIds: string[];
  /** Identity name per row, length N. */
  identities: string[];
}

/** Path of the `category,name` file that accompanies a pair CSV: `x.csv` → `x.identities.csv`. */
export function pairIdentitiesPath(csvPath: string): string {
  return csvPath.replace(/(\.csv)?$/i, '.identities.csv');
}

/**
 * Reads an NPY + CSV pair in the seed's layout. The CSV header is `image,category`; a leading unnamed index column
 * (pandas `to_csv` default, header `,image,category`) is accepted too.
 * @throws {NpyFormatError} unreadable NPY or not 2-D. @throws {CsvFormatError} bad CSV, row count differing from N,
 *   or an image name without `_<digits>.<ext>` when there is no identities file.
 * @throws {InvalidEmbeddingError} a row that is not finite or has zero norm (names the row).
 */
export async function readGalleryPair(npyPath: string, csvPath: string): Promise<GalleryPair> {
  const npy = decodeNpy(new Uint8Array(await readOrThrow(npyPath, 'npy')), npyPath);
  if (npy.shape.length !== 2 || npy.shape[1] === 0) {
    throw new NpyFormatError(npyPath, `expected a 2-D array [N, D], got shape (${npy.shape.join(', ')})`);
  }
  const [N, D] = npy.shape;
  const text = (await readOrThrow(csvPath, 'csv')).toString('utf8');
  let rows: { image: string; category: string }[];
  try {
    rows = parseCsv(text, ['image', 'category'], csvPath);
  } catch {
    rows = parseCsv(text, ['', 'image', 'category'], csvPath);
  }
  if (rows.length !== N) throw new CsvFormatError(csvPath, `${rows.length} rows, but ${npyPath} has ${N}`);
  let names: Map<string, string> | undefined;
  const idsPath = pairIdentitiesPath(csvPath);
  const idsText = await fs.readFile(idsPath, 'utf8').catch(() => undefined);
  if (idsText !== undefined) {
    names = new Map(parseCsv(idsText, ['category', 'name'], idsPath).map((r) => [r.category, r.name]));
  }
  const identities = rows.map((r, i) => {
    const name = names ? names.get(r.category) : identityFromSeedImageName(r.image);
    if (name === undefined || name.length === 0) {
      throw new CsvFormatError(
        csvPath,
        names
          ? `line ${i + 2}: category ${JSON.stringify(r.category)} is not in ${idsPath}`
          : `line ${i + 2}: image ${JSON.stringify(r.image)} is not named <identity>_<digits>.<ext>, and there is no ${idsPath}`,
      );
    }
    return name;
  });
  for (let r = 0; r < N; r++) {
    try {
      validateEmbedding(npy.data.subarray(r * D, (r + 1) * D), D);
    } catch (err) {
      throw new InvalidEmbeddingError(
        `${npyPath} row ${r}: ${(err as Error).message.replace(/^invalid embedding: /, '')}`,
      );
    }
  }
  return { dimension: D, embeddings: npy.data, imageIds: rows.map((r) => r.image), identities };
}

async function readOrThrow(p: string, kind: 'npy' | 'csv'): Promise<Buffer> {
  try {
    return await fs.readFile(p);
  } catch (err) {
    const reason = `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    throw kind === 'npy' ? new NpyFormatError(p, reason) : new CsvFormatError(p, reason);
  }
}

/**
 * Writes a pair in the seed's layout (plus the `category,name` identities file beside the CSV), each file atomically
 * with mode 0600. `numpy.load(npyPath)` and `pandas.read_csv(csvPath)` read them.
 * @param npyPath output `.npy` path: float32 `[N, D]`, C order.
 * @param csvPath output `.csv` path (`image,category`); the identities file is written beside it.
 * @param pair `embeddings` row-major `[N, D]` float32 (`N = imageIds.length`, `D = dimension`), `categories` the
 * category number of each row, `names` category → identity name.
 */
export async function writeGalleryPair(
  npyPath: string,
  csvPath: string,
  pair: {
    dimension: number;
    embeddings: Float32Array;
    imageIds: readonly string[];
    categories: ArrayLike<number>;
    names: ReadonlyMap<number, string>;
  },
): Promise<void> {
  const N = pair.imageIds.length;
  const D = pair.dimension;
  const header = encodeNpyHeader([N, D]);
  const out = new Uint8Array(header.length + N * D * 4);
  out.set(header, 0);
  const view = new DataView(out.buffer, header.length);
  for (let i = 0; i < N * D; i++) view.setFloat32(i * 4, pair.embeddings[i], true);
  await writeFileAtomic(npyPath, out);
  const rows = pair.imageIds.map((image, r) => ({ image, category: pair.categories[r] }));
  await writeFileAtomic(csvPath, rows.length ? formatCsv(rows, ['image', 'category']) : 'image,category\n');
  const used = [...new Set(Array.from(pair.categories))].sort((a, b) => a - b);
  const idRows = used.map((category) => ({ category, name: pair.names.get(category) as string }));
  await writeFileAtomic(
    pairIdentitiesPath(csvPath),
    idRows.length ? formatCsv(idRows, ['category', 'name']) : 'category,name\n',
  );
}
