import { modelFilesFor as filesFor, modelsFor, type ModelSelection } from '@eolgul/models';
import { copyModelFiles as copyFiles } from '@eolgul/models/node';
import { resolveConfig } from './recognizer-config.js';
import type { FaceRecognizerConfig } from './recognizer-types.js';

/** The model choices of a configuration: what decides which files a browser app serves. */
export type ModelChoices = Pick<
  FaceRecognizerConfig,
  'detector' | 'landmarks' | 'precision' | 'emotion' | 'liveness' | 'attributes' | 'quality'
>;

/** The model catalogue's selection for these choices, checked as `createFaceRecognizer` checks them. */
function selectionOf(choices: ModelChoices): ModelSelection {
  const { detector, landmarks, precision, emotion, liveness, attributes, quality } = resolveConfig(choices);
  // The quality gate reads head pose and eye state: it loads the attribute models.
  return { detector, landmarks, precision, emotion, liveness: !!liveness, attributes: !!(attributes || quality) };
}

/**
 * The model files `createFaceRecognizer` loads with these choices.
 * @returns file names in the models folder, e.g. `['fr_detect.onnx', 'mtcnn-rnet.onnx', …]` for the defaults.
 * @throws {InvalidArgumentError} an unknown detector, landmarks, precision or emotion value.
 */
export function modelFilesFor(choices: ModelChoices = {}): string[] {
  return filesFor(selectionOf(choices));
}

/**
 * Copies what a web app serves for a configuration into `dest` (its `public/models/`, say): the model files it loads,
 * their licence notices (`NOTICE.md`), onnxruntime-web's WebAssembly into `dest/ort/`, and, with a TensorFlow.js model
 * (emotion, FaceMesh), tfjs-backend-wasm's into `dest/tfjs/`: the layout `createFaceRecognizer` expects under its
 * `modelBasePath`. Files already there with the same size are left alone.
 * @param dest the folder (created when missing).
 * @param choices the configuration's `detector`, `landmarks`, `emotion`, `liveness`, `attributes` and `quality` (default:
 *   the default configuration).
 * @returns the files written or already current, relative to `dest`.
 * @throws {InvalidArgumentError} a bad choice, or onnxruntime-web / tfjs-backend-wasm not installed.
 * @example
 * ```ts
 * await copyModelFiles('public/models'); // ['fr_detect.onnx', …, 'NOTICE.md', 'ort/ort-wasm-simd-threaded.wasm', …]
 * ```
 */
export function copyModelFiles(dest: string, choices: ModelChoices = {}): Promise<string[]> {
  return copyFiles(dest, modelsFor(selectionOf(choices)));
}
