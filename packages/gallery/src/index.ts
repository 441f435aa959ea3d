/**
 * `@eolgul/gallery`: a durable, fast face gallery in plain TypeScript (no tfjs, no model), browser-safe. Enroll
 * embeddings under identity names, identify a probe by exact 1:N Euclidean search with a threshold, verify two
 * embeddings, exclude false matches per session ("that is not me") or per image (persisted); in memory or in
 * IndexedDB. The gallery directory store (NPY + CSV files) is in `@eolgul/gallery/node`, PostgreSQL in
 * `@eolgul/gallery/pg`.
 * @packageDocumentation
 */
import { identityFromImagePath } from '@eolgul/core';

export type {
  Match,
  IdentifyOptions,
  EnrollOptions,
  EmbedderInfo,
  SearchMode,
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
  type GalleryOpenOptions,
  type GalleryMemoryOptions,
  type EnrollPairResult,
} from './gallery.js';
export type { GalleryCreateOptions } from './gallery-manifest.js';
export { createGallerySession, DEFAULT_GALLERY_THRESHOLD } from './gallery-session.js';
export { validateLabel, normalizeLabel } from './gallery-names.js';
export { validateEnrollBatch } from './gallery-input.js';
export { openIndexedDbGallery, deleteIndexedDbGallery, DEFAULT_INDEXEDDB_NAME } from './gallery-store-indexeddb.js';

/**
 * The identity of an image named `<name>_<k>.<ext>` (`Aaron_Peirsol_0002.jpg` → `Aaron_Peirsol`), or `undefined` when
 * the name has no `_<digits>` before its extension.
 * @deprecated Use `identityFromImagePath` of `@eolgul/core`, the rule every eolgul tool uses.
 */
export function identityFromSeedImageName(image: string): string | undefined {
  return /^(.+)_\d+\.[^./\\]+$/su.test(image) ? identityFromImagePath(image) : undefined;
}
