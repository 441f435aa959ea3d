/**
 * `@eolgul/core`: the shared internals of eolgul (typed errors, face data types, NPY/CSV codecs, atomic writes,
 * vector maths). Plain TypeScript, no model, no tfjs.
 * @packageDocumentation
 */
export * from './errors.js';
export * from './types.js';
export * from './vector.js';
export * from './npy.js';
export * from './csv.js';
export * from './fs-atomic.js';
