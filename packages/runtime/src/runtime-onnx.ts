/**
 * ONNX models on ONNX Runtime, for either build of it: the platform entries pass the runtime module and how to read a
 * model file (Node: the file system; browser: fetch).
 * @module
 */
import { InvalidArgumentError, ModelLoadError } from '@eolgul/core';
import type { InferenceModel, LoadModelOptions, ModelSource, TensorData } from './runtime-types.js';

/** The parts of onnxruntime-node / onnxruntime-web used here (typed structurally: neither is needed for the types). */
export interface OrtModule {
  InferenceSession: { create(model: string | Uint8Array, options: object): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
}

interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(
    feeds: Record<string, unknown>,
  ): Promise<Record<string, { data: unknown; dims: readonly number[]; dispose?(): void }>>;
  release(): Promise<void>;
}

/** What a platform entry gives {@link createOnnxLoader}. */
export interface OnnxPlatform {
  /** Loads the runtime module (once). */
  ort(): Promise<OrtModule>;
  /** Reads a model file's bytes, reporting progress. */
  readBytes(source: string | URL, options: LoadModelOptions): Promise<Uint8Array>;
  /** A source the runtime opens by itself when no progress is asked for (Node: a local path), else undefined. */
  direct(source: string | URL): string | undefined;
  /** Applies platform options before the first session (browser: where the wasm files are). */
  configure?(ort: OrtModule, options: LoadModelOptions): void;
  /** What to install, for the error message when the runtime is missing. */
  packageName: string;
}

/**
 * Largest `threads` accepted. onnxruntime-node 1.30 starts the whole intra-op pool per session: 1024 threads made one
 * 48×48 ONet run take 5 s, and 10,000 hung session creation (no answer in 2 minutes).
 */
export const MAX_ONNX_THREADS = 1024;

const describe = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/**
 * Makes the `loadOnnxModel` of a platform entry.
 * @returns `(source, options) => Promise<InferenceModel>`; see `loadOnnxModel`.
 */
export function createOnnxLoader(platform: OnnxPlatform) {
  let ortPromise: Promise<OrtModule> | undefined;
  return async function loadOnnxModel(source: ModelSource, options: LoadModelOptions = {}): Promise<InferenceModel> {
    const threads = options.threads ?? 1;
    const memoryArena = options.memoryArena ?? true;
    if (!(Number.isInteger(threads) && threads >= 0 && threads <= MAX_ONNX_THREADS)) {
      throw new InvalidArgumentError(
        `threads must be an integer from 0 (one per core) to ${MAX_ONNX_THREADS}, got ${describe(threads)}`,
      );
    }
    if (typeof memoryArena !== 'boolean') {
      throw new InvalidArgumentError(`memoryArena must be true or false, got ${describe(memoryArena)}`);
    }
    const name = source instanceof Uint8Array ? '<bytes>' : String(source);
    let ort: OrtModule;
    try {
      ortPromise ??= platform.ort();
      ort = await ortPromise;
    } catch (err) {
      ortPromise = undefined;
      throw new ModelLoadError(name, `${platform.packageName} is not installed`, { cause: err });
    }
    platform.configure?.(ort, options);
    let model: string | Uint8Array;
    if (source instanceof Uint8Array) model = source;
    else if (typeof source === 'string' || source instanceof URL) {
      const direct = options.onProgress ? undefined : platform.direct(source);
      model = direct ?? (await platform.readBytes(source, options));
    } else throw new InvalidArgumentError('an ONNX model source must be a path, a URL or bytes');
    let session: OrtSession;
    try {
      session = await ort.InferenceSession.create(model, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        ...(memoryArena ? {} : { enableCpuMemArena: false, enableMemPattern: false }),
      });
    } catch (err) {
      throw new ModelLoadError(name, (err as Error).message, { cause: err });
    }
    return {
      backend: 'onnx',
      inputNames: session.inputNames,
      outputNames: session.outputNames,
      async run(feeds) {
        const inputs: Record<string, unknown> = {};
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
  };
}
