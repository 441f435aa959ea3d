/**
 * `@eolgul/facenet`: face embeddings, L2-normalised, from an aligned face crop.
 * @packageDocumentation
 */
export * from './facenet-model.js';
