/**
 * `@eolgul/gallery`: a durable, fast face gallery in plain TypeScript (no tfjs, no model). Enroll embeddings under
 * identity names, identify a probe by exact 1:N Euclidean search with a threshold, verify two embeddings, exclude
 * false matches per session ("that is not me") or per image (persisted), and store it all in a gallery directory of
 * NPY + CSV files that survives crashes and concurrent writers.
 * @packageDocumentation
 */
export type {
  Match,
  IdentifyOptions,
  IdentifyMode,
  IdentifyPer,
  GalleryManifest,
  GalleryStore,
  GallerySession,
  GalleryStoreSession,
  MaybePromise,
} from './gallery-types.js';
export {
  Gallery,
  DEFAULT_GALLERY_THRESHOLD,
  createGallerySession,
  type GalleryOpenOptions,
  type GalleryMemoryOptions,
} from './gallery.js';
export { readGalleryPair, writeGalleryPair, pairIdentitiesPath, type GalleryPair } from './gallery-pair.js';
export { identityFromSeedImageName, validateLabel, validateEnrollBatch } from './gallery-names.js';
export { readManifest, type DirectoryStoreOptions, type GalleryDataFile } from './gallery-store-npy.js';
