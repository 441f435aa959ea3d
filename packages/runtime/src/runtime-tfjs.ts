/**
 * TensorFlow.js graph models, for either platform: the entries `tfjs.ts` (browser) and `tfjs-node.ts` (Node) pass how
 * to read a file and how to pick tfjs's backend. TensorFlow.js (the optional `@tensorflow/*` peers) is imported only
 * here, and this module only when a tfjs model is loaded.
 * @module
 */
import { ModelLoadError } from '@eolgul/core';
import type { InferenceModel, LoadModelOptions, ModelSource, TensorData } from './runtime-types.js';
import { sibling } from './runtime-fetch.js';

type Tf = typeof import('@tensorflow/tfjs-core');
type TfConverter = typeof import('@tensorflow/tfjs-converter');
type TfWasm = typeof import('@tensorflow/tfjs-backend-wasm');

/** What a platform entry gives {@link createTfjsLoader}. */
export interface TfjsPlatform {
  /** Reads a file's bytes, reporting progress. */
  readBytes(source: string | URL, options: LoadModelOptions): Promise<Uint8Array>;
  /**
   * Picks tfjs's backend once, before the first model: wasm (`@tensorflow/tfjs-backend-wasm`) where its files can be
   * found, else cpu.
   */
  setBackend(tf: Tf, wasm: () => Promise<TfWasm>, options: LoadModelOptions): Promise<void>;
}

/** Makes `getTf` and `loadTfjsModel` for a platform. */
export function createTfjsLoader(platform: TfjsPlatform) {
  let tfPromise: Promise<{ tf: Tf; converter: TfConverter }> | undefined;

  function loadTf(options: LoadModelOptions): Promise<{ tf: Tf; converter: TfConverter }> {
    tfPromise ??= (async () => {
      const tf = await import('@tensorflow/tfjs-core');
      const converter = await import('@tensorflow/tfjs-converter');
      await import('@tensorflow/tfjs-backend-cpu');
      await platform.setBackend(tf, () => import('@tensorflow/tfjs-backend-wasm'), options);
      await tf.ready();
      return { tf, converter };
    })().catch((err: unknown) => {
      tfPromise = undefined;
      throw err;
    });
    return tfPromise;
  }

  /**
   * TensorFlow.js's core module, ready, with its backend picked (wasm, else cpu; in the browser a backend the app set
   * is kept), e.g. to read `tf.memory()`.
   */
  async function getTf(): Promise<Tf> {
    return (await loadTf({})).tf;
  }

  /** A `tf.io.IOHandler` reading `model.json` and its weight files with the platform's reader, counting bytes. */
  function graphModelHandler(tf: Tf, json: string | URL, options: LoadModelOptions) {
    return {
      load: async () => {
        const manifest = JSON.parse(new TextDecoder().decode(await platform.readBytes(json, options)));
        return tf.io.getModelArtifactsForJSON(manifest, async (groups) => {
          const specs = [];
          const parts: Uint8Array[] = [];
          for (const group of groups) {
            specs.push(...group.weights);
            for (const p of group.paths)
              parts.push(await platform.readBytes(sibling(json, p), { ...options, sizeHint: undefined }));
          }
          const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
          let o = 0;
          for (const p of parts) {
            all.set(p, o);
            o += p.length;
          }
          return [specs, all.buffer];
        });
      },
    };
  }

  /**
   * Loads a TensorFlow.js graph model (the output of `tensorflowjs_converter`).
   * @param source a `model.json` path (Node), URL, or a `tf.io.IOHandler`; its weight files are read from the same folder.
   * @param options `onProgress` (each file: `model.json`, then the weight shards), `wasmBase` (browser).
   * @throws {ModelLoadError} when tfjs is missing, or the file is absent or not a graph model.
   */
  async function loadTfjsModel(source: ModelSource, options: LoadModelOptions = {}): Promise<InferenceModel> {
    const name = typeof source === 'string' || source instanceof URL ? String(source) : '<IOHandler>';
    let tf: Tf, converter: TfConverter;
    try {
      ({ tf, converter } = await loadTf(options));
    } catch (err) {
      throw new ModelLoadError(
        name,
        '@tensorflow/tfjs-core, tfjs-converter and tfjs-backend-cpu are required for tfjs models',
        { cause: err },
      );
    }
    let model: import('@tensorflow/tfjs-converter').GraphModel;
    try {
      if (source instanceof Uint8Array)
        throw new Error('a tfjs model source must be a model.json path or URL, or an IOHandler');
      const handler =
        typeof source === 'string' || source instanceof URL ? graphModelHandler(tf, source, options) : source;
      model = await converter.loadGraphModel(handler as Parameters<TfConverter['loadGraphModel']>[0]);
    } catch (err) {
      throw err instanceof ModelLoadError ? err : new ModelLoadError(name, (err as Error).message, { cause: err });
    }
    const inputNames = model.inputs.map((i) => i.name);
    const outputNames = model.outputs.map((o) => o.name);
    let needsAsync = false;
    return {
      backend: 'tfjs',
      inputNames,
      outputNames,
      async run(feeds) {
        const inputs: Record<string, import('@tensorflow/tfjs-core').Tensor> = {};
        let outputs: import('@tensorflow/tfjs-core').Tensor[] = [];
        try {
          for (const [k, v] of Object.entries(feeds)) inputs[k] = tf.tensor(v.data, v.dims as number[], 'float32');
          let out: import('@tensorflow/tfjs-core').Tensor | import('@tensorflow/tfjs-core').Tensor[];
          if (needsAsync) out = await model.executeAsync(inputs, outputNames);
          else {
            try {
              out = model.execute(inputs, outputNames);
            } catch (err) {
              if (!/executeAsync/.test((err as Error).message)) throw err;
              needsAsync = true; // the graph has control flow or dynamic shapes
              out = await model.executeAsync(inputs, outputNames);
            }
          }
          outputs = Array.isArray(out) ? out : [out];
          const result: Record<string, TensorData> = {};
          for (let i = 0; i < outputs.length; i++) {
            const t = outputs[i];
            result[outputNames[i]] = { data: Float32Array.from(await t.data()), dims: t.shape };
          }
          return result;
        } finally {
          tf.dispose(Object.values(inputs));
          tf.dispose(outputs);
        }
      },
      async dispose() {
        model.dispose();
      },
    };
  }

  return { getTf, loadTfjsModel };
}
