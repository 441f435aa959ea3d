/**
 * What both builds of `eolgul` export besides `createFaceRecognizer`: the types and the typed errors.
 * @module
 */
export type * from './recognizer-types.js';
export { DEFAULT_THRESHOLD } from './recognizer.js';
export { RETRY_MIN_SCORE } from './recognizer-pipeline.js';
export {
  EolgulError,
  ImageDecodeError,
  ImageTooLargeError,
  NoFaceError,
  MultipleFacesError,
  EmbeddingDimensionError,
  InvalidEmbeddingError,
  GalleryCorruptError,
  GalleryMismatchError,
  GalleryLockedError,
  UnknownIdentityError,
  ModelLoadError,
  InvalidArgumentError,
  type EolgulErrorCode,
} from '@eolgul/core';
