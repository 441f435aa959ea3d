/**
 * `loadModel`: one entry for both backends, the backend named by the caller (the model catalogue names it for the
 * bundled models) or by the source's format.
 * @module
 */
import { InvalidArgumentError } from '@eolgul/core';
import type { BackendName, InferenceModel, LoadModelOptions, ModelSource } from './runtime-types.js';

type Loader = (source: ModelSource, options: LoadModelOptions) => Promise<InferenceModel>;

/**
 * The backend for a source: `options.backend` when given, else `'onnx'` for bytes and sources ending in `.onnx` /
 * `.ort`, `'tfjs'` for sources ending in `.json` and for IOHandlers.
 * @throws {InvalidArgumentError} when neither tells.
 */
export function backendOf(source: ModelSource, backend?: BackendName): BackendName {
  if (backend === 'onnx' || backend === 'tfjs') return backend;
  if (backend !== undefined) throw new InvalidArgumentError(`backend must be 'onnx' or 'tfjs', got ${String(backend)}`);
  if (source instanceof Uint8Array) return 'onnx';
  if (typeof source === 'string' || source instanceof URL) {
    const s = String(source).toLowerCase().split(/[?#]/)[0];
    if (s.endsWith('.onnx') || s.endsWith('.ort')) return 'onnx';
    if (s.endsWith('.json')) return 'tfjs';
    throw new InvalidArgumentError(
      `cannot tell the backend of model ${String(source)}; pass { backend: 'onnx' | 'tfjs' }`,
    );
  }
  return 'tfjs';
}

/** Makes a platform's `loadModel` from its two loaders (the tfjs one imported on first use). */
export function createLoadModel(onnx: Loader, tfjs: () => Promise<Loader>) {
  /**
   * Loads a model on the backend the options name, or that fits its format (see `backendOf`).
   * @param source a path or URL (`.onnx` for ONNX Runtime, `model.json` for a tfjs graph model), ONNX bytes, or a
   *   `tf.io.IOHandler`.
   * @param options backend, ONNX Runtime's `threads` and `memoryArena`, `onProgress`, and (browser) `wasmBase`.
   * @throws {ModelLoadError} when the model cannot be loaded. @throws {InvalidArgumentError} when the backend cannot be
   *   told, or `threads` / `memoryArena` are out of range (ONNX).
   * @example
   * ```ts
   * const model = await loadModel('/path/to/fr_feature.onnx', { onProgress: (p) => console.log(p) });
   * // { file: 'fr_feature.onnx', loaded: 4884269, total: 4884269 }
   * const out = await model.run({ input: { data: new Float32Array(3 * 112 * 112), dims: [1, 3, 112, 112] } });
   * out[model.outputNames[0]].dims; // [1, 512]
   * ```
   */
  return async function loadModel(source: ModelSource, options: LoadModelOptions = {}): Promise<InferenceModel> {
    return backendOf(source, options.backend) === 'onnx' ? onnx(source, options) : (await tfjs())(source, options);
  };
}

/**
 * Options from the older positional form `loadOnnxModel(source, threads, memoryArena)`.
 * @deprecated pass `{ threads, memoryArena }`.
 */
export function onnxOptions(options?: LoadModelOptions | number, memoryArena?: boolean): LoadModelOptions {
  if (typeof options === 'object' && options !== null) return options;
  return { threads: options, memoryArena };
}
