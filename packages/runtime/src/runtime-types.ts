/**
 * The one small interface every inference backend implements, so that each model package can run on either
 * ONNX Runtime or TensorFlow.js.
 * @module
 */

/** A dense float32 tensor exchanged with a backend: values in row-major order and their dimensions. */
export interface TensorData {
  /** Values, length = product of `dims`. */
  data: Float32Array;
  /** Dimensions, e.g. `[1, 3, 112, 112]`. */
  dims: readonly number[];
}

/** Which inference engine runs a model. `'onnx'`: ONNX Runtime (onnxruntime-node / onnxruntime-web). `'tfjs'`: TensorFlow.js graph model. */
export type BackendName = 'onnx' | 'tfjs';

/**
 * Where a model comes from: a file path (Node), an `http(s):`/`file:` URL (a relative URL string is fetched relative to
 * the page in the browser), the model's bytes (ONNX), or a `tf.io.IOHandler` (tfjs graph models).
 */
export type ModelSource = string | URL | Uint8Array | { load: () => Promise<unknown> };

/** A loaded model. Inputs and outputs are plain arrays; no tensor escapes. */
export interface InferenceModel {
  /** The backend that runs it. */
  readonly backend: BackendName;
  /** Input names in the model's order. */
  readonly inputNames: readonly string[];
  /** Output names in the model's order. */
  readonly outputNames: readonly string[];
  /**
   * Runs the model once.
   * @param feeds one {@link TensorData} per input name.
   * @returns every output by name.
   */
  run(feeds: Record<string, TensorData>): Promise<Record<string, TensorData>>;
  /** Frees the model's memory. The model must not be used afterwards. */
  dispose(): Promise<void>;
}

/** Bytes of one model file loaded so far, reported while it loads (see {@link LoadModelOptions.onProgress}). */
export interface LoadProgress {
  /** The file's name, e.g. `'fr_detect.onnx'` (a tfjs model reports its `model.json` and each weight file). */
  file: string;
  /** Bytes read so far. */
  loaded: number;
  /**
   * The file's size in bytes: the server's `Content-Length`, else the caller's `sizeHint`, else 0 until the last report
   * of the file, where it equals `loaded`.
   */
  total: number;
}

/** Load-time options shared by the backends. */
export interface LoadModelOptions {
  /**
   * Backend; default from the source: `'onnx'` for bytes and sources ending in `.onnx` / `.ort`, `'tfjs'` for sources
   * ending in `.json` and for IOHandlers. Model packages pass the backend their model catalogue names.
   */
  backend?: BackendName;
  /** Intra-op threads for ONNX Runtime in Node (default 1: batch commands use one worker per core instead): an integer from 0 (one per core) to `MAX_ONNX_THREADS` (1024). */
  threads?: number;
  /**
   * ONNX Runtime's CPU memory arena and memory-pattern planning (default true). Turn off for a model whose input size
   * changes from call to call by orders of magnitude (MTCNN's PNet over an image pyramid): the arena keeps the largest
   * call's memory for the session's life, without it each call's activations are freed when it returns.
   */
  memoryArena?: boolean;
  /**
   * Called as the model's file(s) load: in the browser (and for `http(s):` URLs in Node) for each chunk of the
   * download, in Node once per file when it has been read. Not called for bytes or IOHandlers given directly.
   */
  onProgress?: (progress: LoadProgress) => void;
  /** Expected size of the model file in bytes (the catalogue's), reported as `total` when the server sends no length. */
  sizeHint?: number;
  /**
   * Browser only: the folder holding the runtimes' WebAssembly files as `copyModelFiles` of `@eolgul/models/node` lays
   * them out: onnxruntime-web's under `ort/`, tfjs-backend-wasm's under `tfjs/`. Applied once, and only where the app
   * has not set them itself (`ort.env.wasm.wasmPaths`, tfjs's backend). Ignored in Node.
   */
  wasmBase?: string | URL;
}
