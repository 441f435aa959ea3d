import {
  CsvFormatError,
  EmbeddingDimensionError,
  InvalidEmbeddingError,
  NpyFormatError,
  decodeNpy,
  encodeNpy,
  formatCsv,
  parseCsv,
  validateEmbedding,
} from '@eolgul/core';
import { identityFromSeedImageName } from '@eolgul/gallery';

/**
 * The gallery's export/import format: the seed project's NPY + CSV pair, which `eolgul gallery import --npy --csv`
 * (`readGalleryPair` of `@eolgul/gallery`) reads.
 *
 * - `<name>.npy`: float32 `[N, D]`, one L2-normalised embedding per row (`numpy.load` reads it).
 * - `<name>.csv`: header `image,category`, one line per row; `image` is the row's image id, named
 *   `<identity>_<k>.<ext>` (as LFW: `Ariel_Sharon_0003.jpg`), `category` an integer label per identity.
 *
 * The identity of a row is its image id before `_<digits>.<ext>`, so the pair needs no third file. The camera frames
 * themselves are never stored: the image ids name the captures, the embeddings are all that is kept.
 * @module
 */

/** One stored gallery row. */
export interface PairRow {
  /** Unique image id, `<identity>_<k>.jpg`. */
  imageId: string;
  /** Identity name (any Unicode). */
  identity: string;
  /** Embedding `[D] float32`, L2 norm 1. */
  embedding: Float32Array;
}

/** The two files of an export. */
export interface PairFiles {
  /** `.npy` bytes: float32 `[N, D]`. */
  npy: Uint8Array;
  /** `.csv` text: `image,category`. */
  csv: string;
}

/**
 * The image id of the `k`-th capture of an identity, in the seed/LFW naming that {@link parsePair} and the CLI read
 * back: `<identity>_<k as 4 digits>.jpg`.
 * @param identity the name. @param k a positive integer.
 */
export function captureImageId(identity: string, k: number): string {
  return `${identity}_${String(k).padStart(4, '0')}.jpg`;
}

/**
 * The next free capture number of an identity: one more than the largest `k` among its image ids.
 * @param imageIds the identity's current image ids.
 */
export function nextCaptureNumber(identity: string, imageIds: Iterable<string>): number {
  let max = 0;
  for (const id of imageIds) {
    if (identityFromSeedImageName(id) !== identity) continue;
    const k = Number(/_(\d+)\.[^./\\]+$/u.exec(id)?.[1]);
    if (Number.isSafeInteger(k) && k > max) max = k;
  }
  return max + 1;
}

/**
 * Encodes gallery rows as the NPY + CSV pair. Categories are numbered 0, 1, ... in order of each identity's first row.
 * @param rows the rows, each embedding `[D] float32`.
 * @param dimension D (used when `rows` is empty: the NPY is then `[0, D]`).
 * @throws {EmbeddingDimensionError} a row whose embedding is not `[D]`.
 * @throws {CsvFormatError} an image id that does not carry its identity (`<identity>_<digits>.<ext>`), so the pair
 *   could not be read back.
 */
export function encodePair(rows: readonly PairRow[], dimension: number): PairFiles {
  const data = new Float32Array(rows.length * dimension);
  const categories = new Map<string, number>();
  const csvRows = rows.map((r, i) => {
    if (r.embedding.length !== dimension) throw new EmbeddingDimensionError(dimension, r.embedding.length);
    if (identityFromSeedImageName(r.imageId) !== r.identity) {
      throw new CsvFormatError(
        '<export>',
        `image id ${JSON.stringify(r.imageId)} does not name identity ${JSON.stringify(r.identity)}`,
      );
    }
    data.set(r.embedding, i * dimension);
    if (!categories.has(r.identity)) categories.set(r.identity, categories.size);
    return { image: r.imageId, category: categories.get(r.identity) as number };
  });
  const csv = csvRows.length ? formatCsv(csvRows, ['image', 'category']) : 'image,category\n';
  return { npy: encodeNpy(data, [rows.length, dimension]), csv };
}

/**
 * Decodes an NPY + CSV pair (as written by {@link encodePair}, by the CLI's `gallery export` or by the seed project).
 * The CSV header is `image,category` (a leading unnamed pandas index column is accepted too); each row's identity is its
 * image name before `_<digits>.<ext>`.
 * @param npy the `.npy` bytes. @param csv the `.csv` text.
 * @param dimension the embedding length the app's model gives; the pair must match it.
 * @param names file names used in error messages.
 * @returns one row per line, in file order.
 * @throws {NpyFormatError} not an NPY file, or not 2-D. @throws {EmbeddingDimensionError} D differs from `dimension`.
 * @throws {CsvFormatError} bad header, row count differing from N, an image name without `_<digits>.<ext>`.
 * @throws {InvalidEmbeddingError} a row that is not finite or has zero norm (names the row).
 */
export function decodePair(
  npy: Uint8Array,
  csv: string,
  dimension: number,
  names: { npy: string; csv: string } = { npy: '<npy>', csv: '<csv>' },
): PairRow[] {
  const arr = decodeNpy(npy, names.npy);
  if (arr.shape.length !== 2)
    throw new NpyFormatError(names.npy, `expected a 2-D array [N, D], got shape (${arr.shape.join(', ')})`);
  const [n, d] = arr.shape;
  if (d !== dimension) throw new EmbeddingDimensionError(dimension, d);
  let rows: { image: string; category: string }[];
  try {
    rows = parseCsv(csv, ['image', 'category'], names.csv);
  } catch (err) {
    try {
      rows = parseCsv(csv, ['', 'image', 'category'], names.csv);
    } catch {
      throw err;
    }
  }
  if (rows.length !== n) throw new CsvFormatError(names.csv, `${rows.length} rows, but ${names.npy} has ${n}`);
  return rows.map((r, i) => {
    const identity = identityFromSeedImageName(r.image);
    if (!identity) {
      throw new CsvFormatError(
        names.csv,
        `line ${i + 2}: image ${JSON.stringify(r.image)} is not named <identity>_<digits>.<ext>`,
      );
    }
    const embedding = arr.data.slice(i * d, (i + 1) * d);
    try {
      validateEmbedding(embedding, d);
    } catch (err) {
      throw new InvalidEmbeddingError(
        `${names.npy} row ${i}: ${(err as Error).message.replace(/^invalid embedding: /, '')}`,
      );
    }
    return { imageId: r.image, identity, embedding };
  });
}
