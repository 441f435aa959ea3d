import {
  type EmbeddingPair,
  EMBEDDING_CSV_COLUMNS,
  identitiesCsvPath,
  encodeIdentitiesCsv,
  encodeNpy,
  formatCsv,
} from '@eolgul/core';
import { readEmbeddingPairFiles, writeFileAtomic } from '@eolgul/core/node';

/**
 * The gallery's former pair API, kept for one minor version: the codec is now `@eolgul/core`'s (`decodeEmbeddingPair`,
 * `encodeEmbeddingPair`) and the files `@eolgul/core/node`'s (`readEmbeddingPairFiles`, `writeEmbeddingPairFiles`).
 * @module
 */

/** @deprecated Use `EmbeddingPair` of `@eolgul/core`. */
export type GalleryPair = EmbeddingPair;

/** @deprecated Use `identitiesCsvPath` of `@eolgul/core`. */
export const pairIdentitiesPath = identitiesCsvPath;

/** @deprecated Use `readEmbeddingPairFiles` of `@eolgul/core/node`. */
export const readGalleryPair: (npyPath: string, csvPath: string) => Promise<EmbeddingPair> = readEmbeddingPairFiles;

/**
 * Writes a pair with the given identity numbers (`categories`) and names.
 * @deprecated Use `writeEmbeddingPairFiles` of `@eolgul/core/node` (which numbers the identities itself).
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
  await writeFileAtomic(npyPath, encodeNpy(pair.embeddings.subarray(0, N * pair.dimension), [N, pair.dimension]));
  const rows = pair.imageIds.map((image, r) => ({ image, category: pair.categories[r] }));
  await writeFileAtomic(csvPath, formatCsv(rows, EMBEDDING_CSV_COLUMNS));
  const used = new Set(Array.from(pair.categories));
  await writeFileAtomic(
    identitiesCsvPath(csvPath),
    encodeIdentitiesCsv(new Map([...pair.names].filter(([c]) => used.has(c)))),
  );
}
