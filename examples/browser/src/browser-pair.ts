import type { Gallery } from '@eolgul/gallery';
import { decodeEmbeddingPair, encodeEmbeddingPair } from 'eolgul';

/**
 * Image ids of camera captures, and the gallery's export/import as the NPY + CSV embedding pair that
 * `eolgul gallery import --npy … --csv …` reads (`encodeEmbeddingPair` / `decodeEmbeddingPair`, re-exported by `eolgul`):
 *
 * - `<name>.npy`: float32 `[N, D]`, one L2-normalised embedding per row (`numpy.load` reads it);
 * - `<name>.csv`: header `image,category`, one line per row; `image` is the row's image id, `category` an integer label
 *   per identity.
 *
 * The app names its captures `<identity>_<k>.jpg` (as LFW: `Ariel_Sharon_0003.jpg`), so a row's identity can be read
 * from its image id and the pair needs no third file; a gallery holding other ids (imported from elsewhere) also gets
 * the identities file, `<name>.identities.csv`. Camera frames themselves are never stored: only embeddings.
 * @module
 */

/** `<identity>_<digits>.<ext>`: the identity and the number of a capture. */
const CAPTURE_ID = /^(.+)_(\d+)\.[^./\\]+$/su;

/**
 * The image id of the `k`-th capture of an identity: `<identity>_<k as 4 digits>.jpg`.
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
    const m = CAPTURE_ID.exec(id);
    if (!m || m[1] !== identity) continue;
    const k = Number(m[2]);
    if (Number.isSafeInteger(k) && k > max) max = k;
  }
  return max + 1;
}

/** The files of an export: `identitiesCsv` only when some image id does not carry its identity. */
export interface PairFiles {
  /** `.npy` bytes: float32 `[N, D]`. */
  npy: Uint8Array;
  /** `.csv` text: `image,category`. */
  csv: string;
  /** `.identities.csv` text: `category,name`. */
  identitiesCsv?: string;
}

/**
 * The whole gallery as an NPY + CSV pair (rows in storage order).
 * @throws {InvalidEmbeddingError} a stored embedding that is not finite (never written by the gallery).
 */
export function exportPair(gallery: Gallery): PairFiles {
  const pair = gallery.toPair();
  const { npy, csv, identitiesCsv } = encodeEmbeddingPair(pair);
  const named = pair.imageIds.every((id, r) => CAPTURE_ID.exec(id)?.[1] === pair.identities[r]);
  return named ? { npy, csv } : { npy, csv, identitiesCsv };
}

/** What {@link importPair} did. */
export interface ImportResult {
  /** Rows added. */
  added: number;
  /** Rows skipped because their image id was already in the gallery. */
  skipped: number;
  /** Identities the pair holds. */
  identities: string[];
}

/**
 * Adds the rows of an NPY + CSV pair to the gallery in one transaction; rows whose image id is already there are
 * skipped.
 * @param names the files' names, for error messages.
 * @throws {NpyFormatError} @throws {CsvFormatError} @throws {EmbeddingDimensionError} @throws {InvalidEmbeddingError}
 *   @throws {EmbeddingNormError} a bad pair: nothing is added.
 */
export async function importPair(
  gallery: Gallery,
  files: { npy: Uint8Array; csv: string; identitiesCsv?: string },
  names?: { npy: string; csv: string; identitiesCsv?: string },
): Promise<ImportResult> {
  return gallery.enrollPair(decodeEmbeddingPair(files, names), { skipExisting: true });
}
