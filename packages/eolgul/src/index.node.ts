/**
 * `eolgul`: face recognition in one call. Detect → align → embed → match against a gallery (→ expression), with the
 * models loaded once. This is the Node build (paths and Buffers as input, gallery directories, worker threads).
 * @packageDocumentation
 */
import { nodePlatform } from './platform-node.js';
import { createRecognizer } from './recognizer.js';
import type { FaceRecognizer, FaceRecognizerConfig } from './recognizer-types.js';

export * from './public-api.js';

/**
 * Loads the models once and returns a face recognizer: `analyse` an image (every face with box, landmarks, embedding,
 * the gallery's nearest identity and distance, optionally the expression), `enroll` people, `identify`, `verify` two
 * faces, `session` for "that is not me", `dispose`.
 * @param config see {@link FaceRecognizerConfig}; every field is optional.
 * @throws {InvalidArgumentError} an unknown option or a value out of range. @throws {ModelLoadError} a model file is
 *   missing or broken. @throws {GalleryMismatchError} the gallery was enrolled with another model or alignment.
 * @example
 * ```ts
 * import { createFaceRecognizer } from 'eolgul';
 * const recognizer = await createFaceRecognizer({ gallery: './my-gallery' });
 * await recognizer.enroll('Ada Lovelace', ['ada-1.jpg', 'ada-2.jpg']);
 * const { faces } = await recognizer.analyse('party.jpg');
 * // faces[0]: { box: [92.3, 68, 90.4, 121.9], score: 1, landmarks: [...], embedding: Float32Array(512),
 * //             match: { identity: 'Ada Lovelace', distance: 0.83, accepted: true, imageId: 'ada-1.jpg' } }
 * await recognizer.dispose();
 * ```
 */
export function createFaceRecognizer(config?: FaceRecognizerConfig): Promise<FaceRecognizer> {
  return createRecognizer(nodePlatform, config);
}
