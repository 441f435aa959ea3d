/**
 * `@eolgul/embedder`: face embeddings, L2-normalised, from an aligned face crop; each model with its explicit input
 * spec and calibrated threshold.
 * @packageDocumentation
 */
export {
  createFaceEmbedder,
  CUSTOM_MODEL_DEFAULTS,
  DEFAULT_EMBEDDER_CONFIG,
  DEFAULT_THRESHOLD,
  type EmbedderSpec,
  type FaceEmbedder,
  type FaceEmbedderConfig,
  type Preprocess,
} from './face-embedder.js';
