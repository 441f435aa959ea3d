/**
 * `@eolgul/gallery/node`: the gallery directory store (NPY + CSV files, crash-safe, checksummed, lock-free readers),
 * Node-only. The `Gallery` it returns is the one of `@eolgul/gallery`.
 * @packageDocumentation
 */
export { openGallery, importEmbeddingPair, checkGallery, type GalleryCheckReport } from './gallery-node.js';
export type { GalleryOpenOptions } from './gallery.js';
export { readGalleryPair, writeGalleryPair, pairIdentitiesPath, type GalleryPair } from './gallery-pair.js';
