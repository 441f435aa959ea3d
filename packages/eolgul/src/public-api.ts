/**
 * What both builds of `eolgul` export besides `createFaceRecognizer`: the types and the typed errors.
 * @module
 */
export type * from './recognizer-types.js';
export { DEFAULT_THRESHOLD } from '@eolgul/embedder';
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
  EnrollmentQualityError,
  PresentationAttackError,
  ModelDisposedError,
  VideoDecodeError,
  NpyFormatError,
  CsvFormatError,
  EmbeddingNormError,
  type EolgulErrorCode,
} from '@eolgul/core';
/**
 * The NPY + CSV embedding pair (`eolgul gallery export` / `import`, `numpy.load`): bytes and text in, data out, so a web
 * app can export `recognizer.gallery` (`encodeEmbeddingPair(gallery.toPair())`) and import a pair with `enrollPair`.
 */
export { encodeEmbeddingPair, decodeEmbeddingPair, type EmbeddingPair, type EmbeddingPairFiles } from '@eolgul/core';
export { checkEnrollmentQuality, DEFAULT_QUALITY_RULES } from '@eolgul/attributes';
export {
  createHeadTurnChallenge,
  DEFAULT_HEAD_TURN_OPTIONS,
  LIVENESS_THRESHOLD,
  type ChallengeFrame,
  type ChallengeState,
  type ChallengeStatus,
  type HeadTurnChallenge,
  type HeadTurnChallengeOptions,
} from '@eolgul/liveness';
