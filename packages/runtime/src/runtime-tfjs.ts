import { ModelLoadError } from '@eolgul/core';
import type { InferenceModel, ModelSource, TensorData } from './runtime-types.js';

type Tf = typeof import('@tensorflow/tfjs-core');
type TfConverter = typeof import('@tensorflow/tfjs-converter');

let tfPromise: Promise<{ tf: Tf; converter: TfConverter }> | undefined;

/**
 * Loads TensorFlow.js (tfjs-core + tfjs-converter) and picks its backend once per process: `wasm`
 * (`@tensorflow/tfjs-backend-wasm`, its `.wasm` files resolved from node_modules in Node) and `cpu` as the fallback.
 * In the browser, a backend already set by the app (for example WebGL) is kept.
 * @returns the tfjs-core module, ready.
 */
export async function getTf(): Promise<Tf> {
  return (await loadTf()).tf;
}

async function loadTf(): Promise<{ tf: Tf; converter: TfConverter }> {
  tfPromise ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    const converter = await import('@tensorflow/tfjs-converter');
    await import('@tensorflow/tfjs-backend-cpu');
    const isNode = typeof process !== 'undefined' && !!process.versions?.node;
    const current = tf.getBackend?.();
    if (isNode || !current || current === 'cpu') {
      try {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        if (isNode) {
          const { createRequire } = await import('node:module');
          const path = await import('node:path');
          const req = createRequire(import.meta.url);
          const dir = path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
          wasm.setWasmPaths(dir + path.sep);
        }
        if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed to initialise');
      } catch {
        await tf.setBackend('cpu');
      }
    }
    await tf.ready();
    return { tf, converter };
  })();
  return tfPromise;
}

/** A `tf.io.IOHandler` reading a tfjs graph model (`model.json` + weight shards) from the file system (Node). */
async function fileHandler(tf: Tf, jsonPath: string) {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  return {
    load: async () => {
      const json = JSON.parse(await fs.readFile(jsonPath, 'utf8'));
      const dir = path.dirname(jsonPath);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = [];
        const parts: Uint8Array[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) parts.push(await fs.readFile(path.join(dir, p)));
        }
        const total = parts.reduce((n, p) => n + p.length, 0);
        const all = new Uint8Array(total);
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
 * @param source a `model.json` file path (Node), an `http(s):` URL, or a `tf.io.IOHandler`.
 * @throws {ModelLoadError} when tfjs is missing, or the file is absent or not a graph model.
 */
export async function loadTfjsModel(source: ModelSource): Promise<InferenceModel> {
  const name = typeof source === 'string' || source instanceof URL ? String(source) : '<IOHandler>';
  let tf: Tf, converter: TfConverter;
  try {
    ({ tf, converter } = await loadTf());
  } catch (err) {
    throw new ModelLoadError(
      name,
      '@tensorflow/tfjs-core and @tensorflow/tfjs-converter are required for tfjs models',
      { cause: err },
    );
  }
  let model: import('@tensorflow/tfjs-converter').GraphModel;
  try {
    let handler: unknown = source;
    const isNode = typeof process !== 'undefined' && !!process.versions?.node;
    if (source instanceof URL && source.protocol === 'file:')
      handler = await fileHandler(tf, decodeURIComponent(source.pathname));
    else if (typeof source === 'string' && isNode && !/^https?:/.test(source))
      handler = await fileHandler(tf, source.replace(/^file:\/\//, ''));
    else if (source instanceof URL) handler = source.href;
    model = await converter.loadGraphModel(handler as string);
  } catch (err) {
    throw new ModelLoadError(name, (err as Error).message, { cause: err });
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
