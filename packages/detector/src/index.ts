/**
 * `@eolgul/detector`: face detection, landmarks and alignment, for Node and browsers (this entry imports nothing
 * Node-only; decoding image files with sharp is in `@eolgul/detector/node`).
 *
 * ```ts
 * import { createFaceDetector, alignFace } from '@eolgul/detector';
 * import { readImage } from '@eolgul/detector/node';
 * const image = await readImage('photo.jpg');
 * const detector = await createFaceDetector();
 * const [face] = await detector.detect(image);
 * const crop = alignFace(image, face.landmarks, 112); // [112, 112, 3] uint8, ready for @eolgul/embedder
 * ```
 * @packageDocumentation
 */
export {
  createFaceDetector,
  DEFAULT_DETECT_OPTIONS,
  type DetectOptions,
  type FaceDetector,
  type FaceDetectorConfig,
  type LandmarksSource,
} from './face-detector.js';
export {
  createMtcnn,
  DEFAULT_MTCNN_OPTIONS,
  type Mtcnn,
  type MtcnnConfig,
  type MtcnnDetectOptions,
  type MtcnnFace,
  type MtcnnModels,
} from './face-detector-mtcnn.js';
export { fivePoints, LANDMARK_CROP_STATS } from './face-landmarks-68.js';
export { meshFivePoints } from './face-landmarks-mesh.js';
export { mainFaceIndex } from './face-main.js';
export { type DecodedImage, toSourcePixels } from './face-source-pixels.js';
export type { ModelLoadConfig } from './detector-models.js';
export * from './face-geometry.js';
export type { Box, FaceDetection, Point, RgbImage } from '@eolgul/core';
