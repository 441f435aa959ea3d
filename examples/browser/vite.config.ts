import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyModelFiles } from 'eolgul/node';
import { defineConfig, type Plugin } from 'vite';

/**
 * Vite config of the eolgul browser example: a plain Vite app on the `eolgul` package (its browser build, picked by the
 * `browser` export condition), no aliases.
 *
 * The model files of the app's configuration (the defaults plus `emotion: 'fast'`) and the WebAssembly of
 * onnxruntime-web and TensorFlow.js are copied by `copyModelFiles` of `eolgul/node` (what `npx eolgul-models` does)
 * into `models/` of Vite's public folder, so `vite build` puts them in `dist/models/` and `vite` serves them.
 */

const here = fileURLToPath(new URL('.', import.meta.url));
/** Vite's public folder, filled at start-up (under node_modules: generated, never committed). */
const publicDir = join(here, 'node_modules', '.cache', 'eolgul-public');
/** The model choices of `createFaceRecognizer` in src/main.ts. */
const MODEL_CHOICES = { emotion: 'fast', quality: true, liveness: true } as const;

/** Copies the model files into the public folder before a build or the dev server starts. */
function eolgulModels(): Plugin {
  return {
    name: 'eolgul-models',
    async configResolved() {
      await copyModelFiles(join(publicDir, 'models'), MODEL_CHOICES);
    },
  };
}

/** Cross-origin isolation, so onnxruntime-web may use SharedArrayBuffer and wasm threads (`?threads=2`). */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: here,
  base: './',
  publicDir,
  plugins: [eolgulModels()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: { headers: isolation },
  preview: { headers: isolation },
});
