/**
 * `@eolgul/core/node`: the Node-only helpers of eolgul: atomic file writes, file system failures as typed errors, the
 * NPY + CSV embedding pair as files, and the walk over an images folder. The browser-safe parts (codecs, errors, the
 * image-extension list and the identity-from-file-name rule) are in `@eolgul/core`.
 * @packageDocumentation
 */
export { writeFileAtomic, fsyncDir, fileSystemError } from './fs-atomic.js';
export { readEmbeddingPairFiles, writeEmbeddingPairFiles, readPairFile } from './embedding-pair-files.js';
export { listImageFiles } from './image-files.js';
