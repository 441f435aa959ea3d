import { InvalidArgumentError, ModelLoadError } from '@eolgul/core';
import type { InferenceModel, ModelSource, TensorData } from './runtime-types.js';

type Ort = typeof import('onnxruntime-node');
let ortPromise: Promise<Ort> | undefined;

/** Loads onnxruntime-node in Node, onnxruntime-web elsewhere (both are optional peers: install the one you use). */
async function loadOrt(): Promise<Ort> {
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  ortPromise ??= isNode
    ? import('onnxruntime-node').then((m) => ((m as { default?: Ort }).default ?? m) as Ort)
    : (import('onnxruntime-web') as unknown as Promise<Ort>);
  return ortPromise;
}

/**
 * Largest `threads` accepted. onnxruntime-node 1.30 starts the whole intra-op pool per session: measured on this
 * project's 2-core machine, 1024 threads made one 48×48 ONet run take 5 s, and 10,000 hung session creation (no answer
 * in 2 minutes; inside a vitest worker the process died).
 */
export const MAX_ONNX_THREADS = 1024;

/**
 * Loads an ONNX model with ONNX Runtime (`onnxruntime-node` in Node, `onnxruntime-web` in the browser).
 * @param source a file path, a URL (browser) or the model bytes.
 * @param threads intra-op threads (Node): an integer from 0 (ONNX Runtime's default, one per core) to
 *   {@link MAX_ONNX_THREADS}.
 * @param memoryArena ONNX Runtime's CPU memory arena and memory patterns (see `LoadModelOptions.memoryArena`).
 * @throws {InvalidArgumentError} `threads` is not an integer in [0, {@link MAX_ONNX_THREADS}], or `memoryArena` not a boolean.
 * @throws {ModelLoadError} when the runtime is missing or the file is absent or not a valid ONNX model.
 */
export async function loadOnnxModel(source: ModelSource, threads = 1, memoryArena = true): Promise<InferenceModel> {
  if (!(Number.isInteger(threads) && threads >= 0 && threads <= MAX_ONNX_THREADS)) {
    throw new InvalidArgumentError(
      `threads must be an integer from 0 (one per core) to ${MAX_ONNX_THREADS}, got ${typeof threads === 'string' ? JSON.stringify(threads) : String(threads)}`,
    );
  }
  if (typeof memoryArena !== 'boolean') {
    throw new InvalidArgumentError(
      `memoryArena must be true or false, got ${typeof memoryArena === 'string' ? JSON.stringify(memoryArena) : String(memoryArena)}`,
    );
  }
  const name = source instanceof Uint8Array ? '<bytes>' : String(source);
  let ort: Ort;
  try {
    ort = await loadOrt();
  } catch (err) {
    throw new ModelLoadError(name, 'onnxruntime-node (Node) or onnxruntime-web (browser) is not installed', {
      cause: err,
    });
  }
  let session: import('onnxruntime-node').InferenceSession;
  try {
    const opts = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all' as const,
      ...(memoryArena ? {} : { enableCpuMemArena: false, enableMemPattern: false }),
    };
    const src =
      source instanceof URL
        ? source.protocol === 'file:'
          ? decodeURIComponent(source.pathname)
          : source.href
        : source;
    if (typeof src === 'string') session = await ort.InferenceSession.create(src, opts);
    else if (src instanceof Uint8Array) session = await ort.InferenceSession.create(src, opts);
    else throw new Error('an ONNX model source must be a path, a URL or bytes');
  } catch (err) {
    throw new ModelLoadError(name, (err as Error).message, { cause: err });
  }
  return {
    backend: 'onnx',
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds) {
      const inputs: Record<string, import('onnxruntime-node').Tensor> = {};
      for (const [k, v] of Object.entries(feeds)) inputs[k] = new ort.Tensor('float32', v.data, v.dims as number[]);
      const out = await session.run(inputs);
      const result: Record<string, TensorData> = {};
      for (const [k, v] of Object.entries(out)) {
        result[k] = { data: v.data as Float32Array, dims: v.dims };
        v.dispose?.();
      }
      return result;
    },
    async dispose() {
      await session.release();
    },
  };
}
