/**
 * `@eolgul/runtime`: one small interface ({@link InferenceModel}) over two inference backends, ONNX Runtime and
 * TensorFlow.js, so every eolgul model package can run on either.
 * @packageDocumentation
 */
import { InvalidArgumentError } from '@eolgul/core';
import type { InferenceModel, LoadModelOptions, ModelSource } from './runtime-types.js';
import { loadOnnxModel } from './runtime-onnx.js';
import { loadTfjsModel } from './runtime-tfjs.js';

export type { InferenceModel, LoadModelOptions, ModelSource, TensorData, BackendName } from './runtime-types.js';
export { loadOnnxModel, MAX_ONNX_THREADS } from './runtime-onnx.js';
export { loadTfjsModel, getTf } from './runtime-tfjs.js';

/**
 * Loads a model on the backend that fits its format.
 * @param source a path or URL ending in `.onnx` (ONNX Runtime) or `.json` (tfjs graph model), ONNX bytes, or a `tf.io.IOHandler`.
 * @param options `backend` to force one; `threads` (an integer from 0 to {@link MAX_ONNX_THREADS}) and `memoryArena`
 *   (a boolean) for ONNX Runtime.
 * @throws {ModelLoadError} when the model cannot be loaded. @throws {InvalidArgumentError} when the format cannot be
 *   told, or `threads` / `memoryArena` are out of range (ONNX).
 * @example
 * ```ts
 * const model = await loadModel('/path/to/fr_feature.onnx');
 * const out = await model.run({ input: { data: new Float32Array(3 * 112 * 112), dims: [1, 3, 112, 112] } });
 * out.output.dims; // [1, 512]
 * ```
 */
export async function loadModel(source: ModelSource, options: LoadModelOptions = {}): Promise<InferenceModel> {
  let backend = options.backend;
  if (!backend) {
    if (source instanceof Uint8Array) backend = 'onnx';
    else if (typeof source === 'string' || source instanceof URL) {
      const s = String(source).toLowerCase().split('?')[0];
      if (s.endsWith('.onnx') || s.endsWith('.ort')) backend = 'onnx';
      else if (s.endsWith('.json')) backend = 'tfjs';
    } else backend = 'tfjs';
  }
  if (backend === 'onnx') return loadOnnxModel(source, options.threads ?? 1, options.memoryArena ?? true);
  if (backend === 'tfjs') return loadTfjsModel(source);
  throw new InvalidArgumentError(
    `cannot tell the backend of model ${String(source)}; pass { backend: 'onnx' | 'tfjs' }`,
  );
}
