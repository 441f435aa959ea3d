/**
 * `@eolgul/models/node`: the model files in Node — this package's folder, each model's path, and copying exactly
 * the files a configuration needs (with the runtimes' WebAssembly files) into a web app's public folder.
 * @packageDocumentation
 */
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '@eolgul/core';
import { type CatalogueModelName, MODELS, type ModelName, modelEntry } from './model-catalogue.js';

/**
 * Absolute path of the folder holding the bundled model files, resolved from this package in node_modules.
 * @returns e.g. `/app/node_modules/@eolgul/models/models/` (with the trailing separator).
 */
export function modelsDir(): string {
  return `${join(dirname(fileURLToPath(import.meta.url)), '..', 'models')}${sep}`;
}

/**
 * Absolute path of a bundled model's file (the `.onnx` file, or a tfjs model's `model.json`).
 * @param name a catalogue name.
 * @returns e.g. `/app/node_modules/@eolgul/models/models/fr_feature.onnx`.
 * @throws {InvalidArgumentError} for a name not in the catalogue.
 */
export function modelPath(name: ModelName): string {
  return join(modelsDir(), modelEntry(name).files[0].name);
}

/** onnxruntime-web's files that its wasm build loads: the WebAssembly and its JS glue (also its worker's script). */
const ORT_FILES = ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs'];
/** tfjs-backend-wasm's three builds (plain, SIMD, threaded SIMD): it picks one at run time. */
const TFJS_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/**
 * The folder of a package's file (`specifier`, as its exports map names it), looked up from this package, then from
 * `@eolgul/runtime` (which depends on onnxruntime-web), then from the current directory (an app's own node_modules).
 */
function folderOf(specifier: string): string {
  const here = createRequire(import.meta.url);
  const from = [here];
  try {
    from.push(createRequire(here.resolve('@eolgul/runtime/package.json')));
  } catch {
    // not installed beside this package
  }
  from.push(createRequire(join(process.cwd(), 'package.json')));
  for (const req of from) {
    try {
      return dirname(req.resolve(specifier));
    } catch {
      // try the next place
    }
  }
  throw new InvalidArgumentError(`cannot find ${specifier}; install its package in the app`);
}

/** Options of {@link copyModelFiles}. */
export interface CopyModelFilesOptions {
  /** Copy the runtimes' WebAssembly files too (default true): onnxruntime-web's into `ort/`, tfjs-backend-wasm's into `tfjs/`. */
  wasm?: boolean;
}

/**
 * Copies model files into a folder a web app serves (its `public/models/`, say), with the licence notices, and the
 * WebAssembly the browser runtimes load: onnxruntime-web's `ort-wasm-simd-threaded.wasm` and `.mjs` into `dest/ort/`,
 * and, when a TensorFlow.js model is among them, tfjs-backend-wasm's `.wasm` files into `dest/tfjs/`: the layout the
 * browser builds of the model packages expect under their `modelBasePath`. Files already there with the same size are
 * left alone.
 * @param dest the folder (created when missing).
 * @param names the models, e.g. `modelsFor(config)` (default: every model in the catalogue).
 * @param options see {@link CopyModelFilesOptions}.
 * @returns the paths written or already current, relative to `dest`, e.g. `['fr_detect.onnx', …, 'ort/ort-wasm-simd-threaded.wasm']`.
 * @throws {InvalidArgumentError} for a name not in the catalogue, or a runtime that cannot be found.
 * @example
 * ```ts
 * import { modelsFor } from '@eolgul/models';
 * import { copyModelFiles } from '@eolgul/models/node';
 * await copyModelFiles('public/models', modelsFor({ emotion: 'fast' }));
 * ```
 */
export async function copyModelFiles(
  dest: string,
  names: readonly ModelName[] = Object.keys(MODELS) as CatalogueModelName[],
  options: CopyModelFilesOptions = {},
): Promise<string[]> {
  const entries = names.map((n) => modelEntry(n));
  const files = new Map<string, string>(); // relative destination → source
  for (const e of entries) for (const f of e.files) files.set(f.name, join(modelsDir(), f.name));
  files.set('NOTICE.md', join(modelsDir(), 'NOTICE.md'));
  if (options.wasm ?? true) {
    if (entries.some((e) => e.backend === 'onnx')) {
      const ort = folderOf(`onnxruntime-web/${ORT_FILES[0]}`);
      for (const f of ORT_FILES) files.set(`ort/${f}`, join(ort, f));
    }
    if (entries.some((e) => e.backend === 'tfjs')) {
      const tfjs = folderOf(`@tensorflow/tfjs-backend-wasm/dist/${TFJS_FILES[0]}`);
      for (const f of TFJS_FILES) files.set(`tfjs/${f}`, join(tfjs, f));
    }
  }
  for (const [rel, src] of files) {
    const to = join(dest, rel);
    await mkdir(dirname(to), { recursive: true });
    const [a, b] = await Promise.all([stat(src), stat(to).catch(() => undefined)]);
    if (b?.size !== a.size) await copyFile(src, to);
  }
  return [...files.keys()];
}
