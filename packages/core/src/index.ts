/**
 * `@eolgul/core`: the shared internals of eolgul (typed errors, face data types, the image module — checks, resampling,
 * affine warps, crops, pixels to tensors —, NPY / CSV / embedding-pair codecs, image file names, vector maths). Plain
 * TypeScript, no model, no tfjs, browser-safe: no Node built-in; the Node-only helpers (atomic writes, pair files,
 * folder walks) are in `@eolgul/core/node`.
 * @packageDocumentation
 */
export * from './errors.js';
export * from './types.js';
export * from './vector.js';
export * from './image-check.js';
export * from './image-crop.js';
export * from './image-resample.js';
export * from './image-tensor.js';
export * from './image-warp.js';
export * from './npy.js';
export * from './csv.js';
export * from './embedding-pair.js';
export * from './image-file-names.js';
