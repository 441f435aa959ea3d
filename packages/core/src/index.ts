/**
 * `@eolgul/core`: the shared internals of eolgul (typed errors, face data types, the image module — checks, resampling,
 * affine warps, crops, pixels to tensors —, NPY/CSV codecs, atomic writes, vector maths). Plain TypeScript, no model,
 * no tfjs.
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
export * from './fs-atomic.js';
