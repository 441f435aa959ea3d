/**
 * `@eolgul/facenet` is now `@eolgul/embedder`: this package re-exports it under the earlier names for one minor
 * version. The bundled model was never FaceNet (it is an ArcFace-style network), hence the new name.
 * @deprecated install `@eolgul/embedder`: `createFaceNet` → `createFaceEmbedder`, `FaceNet` → `FaceEmbedder`,
 *   `FaceNetConfig` → `FaceEmbedderConfig`, `DEFAULT_FACENET_CONFIG` → `DEFAULT_EMBEDDER_CONFIG`.
 * @packageDocumentation
 */
import {
  createFaceEmbedder,
  DEFAULT_EMBEDDER_CONFIG,
  type FaceEmbedder,
  type FaceEmbedderConfig,
} from '@eolgul/embedder';

export {
  CUSTOM_MODEL_DEFAULTS,
  DEFAULT_EMBEDDER_CONFIG,
  DEFAULT_THRESHOLD,
  type EmbedderSpec,
  type Preprocess,
  createFaceEmbedder,
  type FaceEmbedder,
  type FaceEmbedderConfig,
} from '@eolgul/embedder';

/** @deprecated use `createFaceEmbedder` of `@eolgul/embedder`. */
export const createFaceNet = createFaceEmbedder;
/** @deprecated use `FaceEmbedder` of `@eolgul/embedder`. */
export type FaceNet = FaceEmbedder;
/** @deprecated use `FaceEmbedderConfig` of `@eolgul/embedder`. */
export type FaceNetConfig = FaceEmbedderConfig;
/** @deprecated use `DEFAULT_EMBEDDER_CONFIG` of `@eolgul/embedder`. */
export const DEFAULT_FACENET_CONFIG = DEFAULT_EMBEDDER_CONFIG;
