/**
 * Where model files are (one base location for every model), and which files a configuration needs.
 * @module
 */
import { InvalidArgumentError } from '@eolgul/core';
import { type CatalogueModelName, type ModelName, modelEntry } from './model-catalogue.js';

/** A folder of model files: a path (Node), a URL, or a URL string (relative ones resolve against the page). */
export type ModelBasePath = string | URL;

/**
 * The default folder of the model files: in a browser page `new URL('models/', document.baseURI)` (a worker: its
 * `location`), so an app serves them under `models/` beside its page (copy them with `copyModelFiles` of
 * `@eolgul/models/node`); in Node this package's own `models/` folder, resolved from node_modules.
 * @returns a URL string in browsers, a path ending in `/` in Node.
 */
export function defaultModelBase(): string {
  const g = globalThis as { document?: { baseURI?: string }; location?: { href?: string } };
  const page = g.document?.baseURI ?? g.location?.href;
  if (page) return new URL('models/', page).href;
  // `@vite-ignore`: bundlers must not copy the models in as assets for this Node path.
  return decodeURIComponent(new URL(/* @vite-ignore */ '../models/', import.meta.url).pathname);
}

/** `file` in the folder `base` (a URL, a URL string, or a path). */
export function joinModelPath(base: ModelBasePath, file: string): string {
  if (base instanceof URL || /^[a-z][a-z0-9+.-]+:/i.test(base)) {
    const b = new URL(String(base));
    if (!b.pathname.endsWith('/')) b.pathname += '/';
    return new URL(file, b).href;
  }
  return base.replace(/[\\/]?$/, '/') + file;
}

/**
 * Where a model's file (the one to load: an `.onnx` file or a tfjs `model.json`) is.
 * @param name a catalogue name (see {@link MODELS}).
 * @param modelBasePath the folder of the model files (default {@link defaultModelBase}).
 * @returns a path or URL string, e.g. `'https://app.example/models/fr_detect.onnx'`.
 * @throws {InvalidArgumentError} for a name not in the catalogue.
 * @example
 * ```ts
 * modelLocation('rfb320', '/static/models/'); // '/static/models/fr_detect.onnx'
 * ```
 */
export function modelLocation(name: ModelName, modelBasePath?: ModelBasePath): string {
  return joinModelPath(modelBasePath ?? defaultModelBase(), modelEntry(name).files[0].name);
}

/**
 * A configuration of the pipeline, as far as it decides which models run (the options of `createFaceRecognizer` of
 * `eolgul`, of `createFaceDetector`, `createFaceEmbedder` and `createEmotionClassifier`).
 */
export interface ModelSelection {
  /** Face detector (default `'rfb320'`; `'fr_detect'` is its earlier name). */
  detector?: 'rfb320' | 'fr_detect' | 'mtcnn';
  /**
   * Where the 5 alignment points come from (default `'onet'`): `'onet'` MTCNN's ONet on each box (the 68-point model
   * is its fallback for boxes ONet rejects), `'landmarks68'` the 68-point model, `'mesh'` FaceMesh (from the 68-point
   * model's points). With the MTCNN detector the points are its own ONet's; only `'mesh'` adds a model.
   */
  landmarks?: 'onet' | 'landmarks68' | 'mesh';
  /** Also the 68 landmarks of every face (default false). */
  withLandmarks68?: boolean;
  /** The face embedder (default true). */
  embedder?: boolean;
  /** The embedder's precision (default `'fp32'`): `'int8'` loads `embedder-int8` instead of `embedder`. */
  precision?: 'fp32' | 'int8';
  /**
   * Emotion (default false): `'fast'` the mini-Xception alone, `'accurate'` or `true` the mean of it and the 224×224
   * model (the emotion package's default).
   */
  emotion?: boolean | 'fast' | 'accurate';
  /** Passive liveness (default false). */
  liveness?: boolean;
  /** Age, gender, head pose and eye state (default false). */
  attributes?: boolean;
}

/**
 * The models a configuration loads.
 * @throws {InvalidArgumentError} for an unknown detector, landmarks, precision or emotion value.
 * @example
 * ```ts
 * modelsFor({}); // ['rfb320', 'mtcnn-rnet', 'mtcnn-onet', 'landmarks68', 'embedder']
 * ```
 */
export function modelsFor(selection: ModelSelection = {}): CatalogueModelName[] {
  const { detector = 'rfb320', landmarks = 'onet', precision = 'fp32', emotion = false } = selection;
  const out: CatalogueModelName[] = [];
  if (detector === 'mtcnn') out.push('mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet');
  else if (detector === 'rfb320' || detector === 'fr_detect') {
    out.push('rfb320');
    if (landmarks === 'onet') out.push('mtcnn-rnet', 'mtcnn-onet');
  } else throw new InvalidArgumentError(`detector must be 'rfb320' or 'mtcnn', got ${String(detector)}`);
  if (landmarks !== 'onet' && landmarks !== 'landmarks68' && landmarks !== 'mesh') {
    throw new InvalidArgumentError(`landmarks must be 'onet', 'landmarks68' or 'mesh', got ${String(landmarks)}`);
  }
  if (detector !== 'mtcnn' || selection.withLandmarks68) out.push('landmarks68');
  if (landmarks === 'mesh') out.push('facemesh');
  if (precision !== 'fp32' && precision !== 'int8') {
    throw new InvalidArgumentError(`precision must be 'fp32' or 'int8', got ${String(precision)}`);
  }
  if (selection.embedder ?? true) out.push(precision === 'int8' ? 'embedder-int8' : 'embedder');
  if (emotion === 'fast') out.push('emotion-mini-xception');
  else if (emotion === true || emotion === 'accurate') out.push('emotion-mini-xception', 'emotion-rgb224');
  else if (emotion !== false) {
    throw new InvalidArgumentError(`emotion must be false, true, 'fast' or 'accurate', got ${String(emotion)}`);
  }
  if (selection.liveness) out.push('liveness');
  if (selection.attributes) out.push('age-gender', 'head-pose', 'eye-state');
  return out;
}

/**
 * The files a configuration needs, e.g. to serve with a web app.
 * @returns file names in the models folder, a tfjs model's weight files after its `model.json`.
 * @throws {InvalidArgumentError} as {@link modelsFor}.
 * @example
 * ```ts
 * modelFilesFor({ emotion: 'fast' });
 * // ['fr_detect.onnx', 'mtcnn-rnet.onnx', 'mtcnn-onet.onnx', 'fr_landmark.onnx', 'fr_feature.onnx', 'emotion.json', 'emotion.bin']
 * ```
 */
export function modelFilesFor(selection: ModelSelection = {}): string[] {
  return modelsFor(selection).flatMap((name) => modelEntry(name).files.map((f) => f.name));
}

/**
 * How to load one catalogue model from a base folder (see {@link locateModel}): `source`, and the `loadModel` options of
 * `@eolgul/runtime` that go with it.
 */
export interface ModelLocation {
  /** The catalogue name. */
  name: CatalogueModelName;
  /** The file to load (path or URL string). */
  source: string;
  /** The backend the catalogue names for it. */
  backend: 'onnx' | 'tfjs';
  /** Size of that file in bytes (a download's expected total). */
  sizeHint: number;
  /** The base folder, as given or the default (the browser runtimes find their wasm files under it). */
  wasmBase: ModelBasePath;
}

/**
 * Everything `loadModel` of `@eolgul/runtime` needs to load a catalogue model from one base folder.
 * @param name a catalogue name.
 * @param modelBasePath the folder of the model files (default {@link defaultModelBase}).
 * @throws {InvalidArgumentError} for a name not in the catalogue.
 * @example
 * ```ts
 * const { name, source, ...options } = locateModel('embedder', config.modelBasePath);
 * const model = await loadModel(source, { ...options, onProgress }); // backend 'onnx', sizeHint 4884269, wasmBase
 * ```
 */
export function locateModel(name: ModelName, modelBasePath?: ModelBasePath): ModelLocation {
  const entry = modelEntry(name);
  const base = modelBasePath ?? defaultModelBase();
  return {
    name: entry.name,
    source: joinModelPath(base, entry.files[0].name),
    backend: entry.backend,
    sizeHint: entry.files[0].bytes,
    wasmBase: base,
  };
}
