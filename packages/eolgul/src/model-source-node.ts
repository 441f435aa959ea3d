import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODEL_FILES, modelPath, type ModelName } from '@eolgul/models';

/**
 * Where each model file is in Node: `modelBasePath` (a folder path or `file:` URL) joined with the file's name, or,
 * without one, the `@eolgul/models` package's own copy.
 */
export function nodeModelSource(modelBasePath: string | URL | undefined): (name: ModelName) => string {
  if (modelBasePath === undefined) return modelPath;
  const base =
    modelBasePath instanceof URL || modelBasePath.startsWith('file:') ? fileURLToPath(modelBasePath) : modelBasePath;
  return (name) => join(base, MODEL_FILES[name]);
}
