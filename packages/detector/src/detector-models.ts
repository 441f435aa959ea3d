/**
 * Loading the detector's models: the bundled ones from one base folder (`modelBasePath`), or the caller's replacement
 * of any of them.
 * @module
 */
import { type CatalogueModelName, locateModel, type ModelBasePath } from '@eolgul/models';
import {
  type InferenceModel,
  type LoadModelOptions,
  type LoadProgress,
  loadModel,
  type ModelSource,
} from '@eolgul/runtime';

/** Where the detector's models are and how they load: shared by every model of a detector. */
export interface ModelLoadConfig {
  /**
   * Folder of the model files (a path in Node, a URL or URL string in browsers). Default: `@eolgul/models`' own
   * folder in Node, `models/` beside the page in browsers (see `defaultModelBase` of `@eolgul/models`).
   */
  modelBasePath?: ModelBasePath;
  /** Called with the bytes loaded of each model file (see `LoadProgress` of `@eolgul/runtime`). */
  onProgress?: (progress: LoadProgress) => void;
  /** ONNX Runtime intra-op threads (default 1). */
  threads?: number;
}

/**
 * Loads the bundled model `name` from `config.modelBasePath`, or `override` in its place.
 * @param options more `loadModel` options (a backend for an override, MTCNN's `memoryArena`).
 */
export function loadDetectorModel(
  name: CatalogueModelName,
  override: ModelSource | undefined,
  config: ModelLoadConfig,
  options: LoadModelOptions = {},
): Promise<InferenceModel> {
  const common = { threads: config.threads, onProgress: config.onProgress, ...options };
  if (override !== undefined) return loadModel(override, common);
  const { name: _, source, ...at } = locateModel(name, config.modelBasePath);
  return loadModel(source, { ...at, ...common });
}

/** `obj` without its keys whose value is `undefined`, so an option given as `undefined` takes its default in a spread. */
export function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
