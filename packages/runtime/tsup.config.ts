import { defineConfig } from 'tsup';
import { preset } from '../../tsup.preset';
// Two builds of one API: `index` / `tfjs` for browsers (onnxruntime-web, fetch) and `index-node` / `tfjs-node` for
// Node (onnxruntime-node, the file system), chosen by the `node` export condition. Splitting keeps TensorFlow.js's
// wrapper in its own chunk, imported only when a tfjs model loads.
export default defineConfig(
  preset({ entry: ['src/index.ts', 'src/index-node.ts', 'src/tfjs.ts', 'src/tfjs-node.ts'], splitting: true }),
);
