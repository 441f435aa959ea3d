/**
 * `eolgul`: face recognition in one call. Detect → align → embed → match against a gallery (→ expression), with the
 * models loaded once. This is the browser build (DOM images, video frames and canvases as input; onnxruntime-web).
 * @packageDocumentation
 */
import { browserPlatform } from './platform-browser.js';
import { createRecognizer } from './recognizer.js';
import type { FaceRecognizer, FaceRecognizerConfig } from './recognizer-types.js';

export * from './public-api.js';

/**
 * Loads the models once (from `modelBasePath`, default `models/` beside the page) and returns a face recognizer; see
 * the Node build's documentation of the same function.
 * @throws {InvalidArgumentError} an unknown option or a value out of range. @throws {ModelLoadError} a model file
 *   cannot be fetched or is broken.
 */
export function createFaceRecognizer(config?: FaceRecognizerConfig): Promise<FaceRecognizer> {
  return createRecognizer(browserPlatform, config);
}
