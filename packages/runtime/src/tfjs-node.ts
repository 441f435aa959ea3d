/**
 * `@eolgul/runtime/tfjs`: TensorFlow.js graph models (Node build; browsers have the same API). Importing this module
 * imports TensorFlow.js (`@tensorflow/tfjs-core`, `-converter`, `-backend-cpu`, `-backend-wasm`: optional peers of
 * `@eolgul/runtime`); `loadModel(source, { backend: 'tfjs' })` imports it on first use.
 * @packageDocumentation
 */
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import { readBytesNode } from './runtime-read-node.js';
import { createTfjsLoader } from './runtime-tfjs.js';

export const { getTf, loadTfjsModel } = createTfjsLoader({
  readBytes: readBytesNode,
  async setBackend(tf, wasm) {
    // wasm, its .wasm files resolved from node_modules; cpu when it cannot start.
    try {
      const w = await wasm();
      const req = createRequire(import.meta.url);
      w.setWasmPaths(dirname(req.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + sep);
      if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed to initialise');
    } catch {
      await tf.setBackend('cpu');
    }
  },
});
