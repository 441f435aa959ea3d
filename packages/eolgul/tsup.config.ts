import { defineConfig } from 'tsup';
import { preset } from '../../tsup.preset';

// Node build: the front door, `eolgul/node`, and the worker threads' script (ESM only: piscina loads it by URL).
export default defineConfig([
  preset({ entry: { index: 'src/index.node.ts', node: 'src/node.ts' }, outDir: 'dist/node' }),
  preset({ entry: ['src/recognizer-worker.ts'], outDir: 'dist/node', format: ['esm'], dts: false, clean: false }),
]);
