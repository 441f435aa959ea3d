import { copyFile, mkdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InvalidArgumentError } from '@eolgul/core';
import { modelsDir } from '@eolgul/models';
import { resolveConfig } from './recognizer-config.js';
import type { FaceRecognizerConfig } from './recognizer-types.js';

/** The model choices of a configuration: what decides which files a browser app serves. */
export type ModelChoices = Pick<
  FaceRecognizerConfig,
  'detector' | 'landmarks' | 'emotion' | 'liveness' | 'attributes' | 'quality'
>;

/**
 * The model files a configuration loads, in the models folder.
 * @throws {InvalidArgumentError} an unknown detector, landmarks or emotion value.
 */
export function modelFilesFor(choices: ModelChoices = {}): string[] {
  const config = resolveConfig(choices);
  // The detector package loads MTCNN's three nets with any detector, and the 68-point model always.
  const files = ['mtcnn-pnet.onnx', 'mtcnn-rnet.onnx', 'mtcnn-onet.onnx', 'fr_landmark.onnx'];
  if (config.detector === 'rfb320') files.unshift('fr_detect.onnx');
  if (config.landmarks === 'mesh') files.push('facemesh.json', 'facemesh.bin');
  files.push('fr_feature.onnx');
  if (config.emotion) files.push('emotion.json', 'emotion.bin');
  if (config.emotion === 'accurate') files.push('fr_expression.onnx');
  if (config.liveness) files.push('fr_liveness.onnx');
  if (config.attributes || config.quality) files.push('age-gender.onnx', 'fr_pose.onnx', 'fr_eye.onnx');
  return files;
}

/** onnxruntime-web's wasm build: the WebAssembly and its JS glue (also its worker threads' script). */
const ORT_FILES = ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs'];
/** tfjs-backend-wasm's builds (plain, SIMD, threaded SIMD): it picks one at run time. */
const TFJS_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** The folder of a package file, resolved from this package, then from the app (the current directory). */
function folderOf(specifier: string): string {
  for (const from of [import.meta.url, join(process.cwd(), 'package.json')]) {
    try {
      return dirname(createRequire(from).resolve(specifier));
    } catch {
      // try the next place
    }
  }
  throw new InvalidArgumentError(`cannot find ${specifier}: install its package in the app`);
}

/**
 * Copies what a web app serves for a configuration into `dest` (its `public/models/`, say): the model files, their
 * licence notices (`NOTICE.md`), onnxruntime-web's WebAssembly into `dest/ort/`, and, for the TensorFlow.js models
 * (emotion, FaceMesh), tfjs-backend-wasm's into `dest/tfjs/`. The layout `createFaceRecognizer` expects under its
 * `modelBasePath`. Files already there with the same size are left alone.
 * @param dest the folder (created when missing).
 * @param choices the configuration's `detector`, `landmarks` and `emotion` (default: the default configuration).
 * @returns the files written or already current, relative to `dest`.
 * @throws {InvalidArgumentError} a bad choice, or onnxruntime-web / tfjs-backend-wasm not installed.
 * @example
 * ```ts
 * await copyModelFiles('public/models'); // ['fr_detect.onnx', …, 'NOTICE.md', 'ort/ort-wasm-simd-threaded.wasm', …]
 * ```
 */
export async function copyModelFiles(dest: string, choices: ModelChoices = {}): Promise<string[]> {
  const files = new Map<string, string>();
  const models = modelFilesFor(choices);
  for (const f of [...models, 'NOTICE.md']) files.set(f, join(modelsDir(), f));
  const ort = folderOf(`onnxruntime-web/${ORT_FILES[0]}`);
  for (const f of ORT_FILES) files.set(`ort/${f}`, join(ort, f));
  if (models.some((f) => f.endsWith('.json'))) {
    const tfjs = folderOf(`@tensorflow/tfjs-backend-wasm/dist/${TFJS_FILES[0]}`);
    for (const f of TFJS_FILES) files.set(`tfjs/${f}`, join(tfjs, f));
  }
  for (const [rel, src] of files) {
    const to = join(dest, rel);
    await mkdir(dirname(to), { recursive: true });
    const [a, b] = await Promise.all([stat(src), stat(to).catch(() => undefined)]);
    if (b?.size !== a.size) await copyFile(src, to);
  }
  return [...files.keys()];
}
