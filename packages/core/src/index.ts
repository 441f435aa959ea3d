/**
 * `@eolgul/core`: the shared internals of eolgul (typed errors, face data types, NPY / CSV / embedding-pair codecs,
 * image file names, vector maths). Browser-safe: no Node built-in; the Node-only helpers (atomic writes, pair files,
 * folder walks) are in `@eolgul/core/node`.
 * @packageDocumentation
 */
export * from './errors.js';
export * from './types.js';
export * from './vector.js';
export * from './npy.js';
export * from './csv.js';
export * from './embedding-pair.js';
export * from './image-file-names.js';
