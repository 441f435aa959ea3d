/**
 * `@eolgul/runtime/tfjs`: TensorFlow.js graph models (browser build; Node has the same API under the `node`
 * condition). Importing this module imports TensorFlow.js (`@tensorflow/tfjs-core`, `-converter`, `-backend-cpu`,
 * `-backend-wasm`: optional peers of `@eolgul/runtime`); `loadModel(source, { backend: 'tfjs' })` imports it on first use.
 * @packageDocumentation
 */
import { absoluteUrl, fetchBytes } from './runtime-fetch.js';
import { createTfjsLoader } from './runtime-tfjs.js';

export const { getTf, loadTfjsModel } = createTfjsLoader({
  readBytes: (source, options) => fetchBytes(String(source), options),
  async setBackend(tf, wasm, options) {
    // A backend the app chose (WebGL, WebGPU) is kept; otherwise wasm, its files under `${wasmBase}tfjs/`, else cpu.
    const current = tf.getBackend?.();
    if (current && current !== 'cpu') return;
    try {
      const w = await wasm();
      if (options.wasmBase !== undefined) w.setWasmPaths(new URL('tfjs/', absoluteUrl(options.wasmBase)).href);
      // One thread: the threaded build starts its workers from a function's source text, which an app bundler's
      // minifier breaks (`e is not defined` in the worker, and setBackend never settles, on a cross-origin isolated
      // page). The tfjs models here are small.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed to initialise');
    } catch {
      await tf.setBackend('cpu');
    }
  },
});
