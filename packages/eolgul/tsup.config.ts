import { defineConfig } from 'tsup';
import { preset } from '../../tsup.preset';

// Two builds, one set of types (the API is the same on both sides):
// - Node: the front door, `eolgul/node`, the worker threads' script (ESM only: piscina loads it by URL) and the
//   `eolgul-models` command;
// - browser: ESM for bundlers, no Node built-in (the `browser` and `default` export conditions).
export default defineConfig([
  preset({ entry: { index: 'src/index.node.ts', node: 'src/node.ts' }, outDir: 'dist/node' }),
  preset({ entry: ['src/recognizer-worker.ts'], outDir: 'dist/node', format: ['esm'], dts: false, clean: false }),
  preset({ entry: { 'eolgul-models': 'src/eolgul-models.ts' }, outDir: 'dist/bin', format: ['esm'], dts: false }),
  preset({
    entry: { index: 'src/index.browser.ts' },
    outDir: 'dist/browser',
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    dts: false,
    shims: false,
  }),
]);
