/**
 * `@eolgul/runtime`: one small interface ({@link InferenceModel}) over two inference backends, ONNX Runtime and
 * TensorFlow.js, so every eolgul model package can run on either; and the dispose contract of every model object
 * ({@link createCallGate}).
 *
 * This is the browser build (export conditions `browser` and `default`): ONNX models run on onnxruntime-web (its
 * wasm build), model files are fetched with byte counts. Node gets the same API on onnxruntime-node (condition `node`).
 * TensorFlow.js is imported only when a tfjs model is loaded (`@eolgul/runtime/tfjs`).
 * @packageDocumentation
 */
import { absoluteUrl, fetchBytes } from './runtime-fetch.js';
import { createOnnxLoader, type OrtModule } from './runtime-onnx.js';
import { createLoadModel, onnxOptions } from './load-model.js';
import type { InferenceModel, LoadModelOptions, ModelSource } from './runtime-types.js';

export * from './runtime-exports.js';

const loadOnnx = createOnnxLoader({
  packageName: 'onnxruntime-web',
  ort: async () => {
    const m = await import('onnxruntime-web/wasm');
    return ((m as { default?: unknown }).default ?? m) as OrtModule;
  },
  readBytes: (source, options) => fetchBytes(String(source), options),
  direct: () => undefined,
  configure(ort, options) {
    // onnxruntime-web finds its .wasm (and the .mjs glue of its worker threads) in `env.wasm.wasmPaths`; an app that set
    // it keeps it.
    const env = (ort as unknown as { env: { wasm: { wasmPaths?: unknown } } }).env;
    if (options.wasmBase !== undefined && env.wasm.wasmPaths === undefined) {
      env.wasm.wasmPaths = new URL('ort/', absoluteUrl(options.wasmBase)).href;
    }
  },
});

/**
 * Loads an ONNX model with onnxruntime-web (browser build).
 * @param source a URL (relative ones resolve against the page), or the model bytes.
 * @param options `threads` (an integer from 0 to {@link MAX_ONNX_THREADS}), `memoryArena`, `onProgress`, `sizeHint`,
 *   `wasmBase`; the older positional form `(source, threads, memoryArena)` is still accepted.
 * @throws {InvalidArgumentError} `threads` or `memoryArena` out of range.
 * @throws {ModelLoadError} when onnxruntime-web is missing, or the file cannot be fetched or is not a valid ONNX model.
 */
export function loadOnnxModel(
  source: ModelSource,
  options?: LoadModelOptions | number,
  memoryArena?: boolean,
): Promise<InferenceModel> {
  return loadOnnx(source, onnxOptions(options, memoryArena));
}

export const loadModel = createLoadModel(loadOnnx, async () => (await import('./tfjs.js')).loadTfjsModel);

/**
 * TensorFlow.js's core module, ready (see `getTf` of `@eolgul/runtime/tfjs`). Importing it loads TensorFlow.js.
 * @deprecated import `getTf` from `@eolgul/runtime/tfjs`.
 */
export async function getTf(): Promise<typeof import('@tensorflow/tfjs-core')> {
  return (await import('./tfjs.js')).getTf();
}
