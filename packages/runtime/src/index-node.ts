/**
 * `@eolgul/runtime`: one small interface ({@link InferenceModel}) over two inference backends, ONNX Runtime and
 * TensorFlow.js, so every eolgul model package can run on either; and the dispose contract of every model object
 * ({@link createCallGate}).
 *
 * This is the Node build (export condition `node`): ONNX models run on onnxruntime-node, model files are read from
 * the file system (or fetched, for `http(s):` URLs). Browsers get the same API on onnxruntime-web. TensorFlow.js is
 * imported only when a tfjs model is loaded (`@eolgul/runtime/tfjs`).
 * @packageDocumentation
 */
import { createOnnxLoader, type OrtModule } from './runtime-onnx.js';
import { createLoadModel, onnxOptions } from './load-model.js';
import { localPath, readBytesNode } from './runtime-read-node.js';
import type { InferenceModel, LoadModelOptions, ModelSource } from './runtime-types.js';

export * from './runtime-exports.js';

const loadOnnx = createOnnxLoader({
  packageName: 'onnxruntime-node',
  ort: async () => {
    // onnxruntime-node 1.30 starts Microsoft's 1DS telemetry with its first session unless ORT_DISABLE_TELEMETRY is set:
    // it would upload usage events and leave an empty /tmp/mat-debug-<pid>.log behind on every run. Off, unless the
    // app set the variable itself.
    process.env.ORT_DISABLE_TELEMETRY ??= '1';
    const m = await import('onnxruntime-node');
    return ((m as { default?: unknown }).default ?? m) as OrtModule;
  },
  readBytes: readBytesNode,
  direct: localPath,
});

/**
 * Loads an ONNX model with onnxruntime-node (Node build).
 * @param source a file path, a `file:` or `http(s):` URL, or the model bytes.
 * @param options `threads` (an integer from 0, one per core, to {@link MAX_ONNX_THREADS}), `memoryArena`,
 *   `onProgress`; the older positional form `(source, threads, memoryArena)` is still accepted.
 * @throws {InvalidArgumentError} `threads` is not an integer in [0, {@link MAX_ONNX_THREADS}], or `memoryArena` not a boolean.
 * @throws {ModelLoadError} when onnxruntime-node is missing, or the file is absent or not a valid ONNX model.
 */
export function loadOnnxModel(
  source: ModelSource,
  options?: LoadModelOptions | number,
  memoryArena?: boolean,
): Promise<InferenceModel> {
  return loadOnnx(source, onnxOptions(options, memoryArena));
}

export const loadModel = createLoadModel(loadOnnx, async () => (await import('./tfjs-node.js')).loadTfjsModel);

/**
 * TensorFlow.js's core module, ready (see `getTf` of `@eolgul/runtime/tfjs`). Importing it loads TensorFlow.js.
 * @deprecated import `getTf` from `@eolgul/runtime/tfjs`.
 */
export async function getTf(): Promise<typeof import('@tensorflow/tfjs-core')> {
  return (await import('./tfjs-node.js')).getTf();
}
