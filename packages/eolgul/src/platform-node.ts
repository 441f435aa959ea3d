import { basename } from 'node:path';
import { openGallery } from '@eolgul/gallery/node';
import { decodeNodeInput } from './image-input-node.js';
import { createLocalAnalyser } from './recognizer-analyser.js';
import { createWorkerAnalyser } from './recognizer-pool.js';
import type { RecognizerPlatform } from './recognizer.js';

/**
 * Node: paths and bytes decoded with sharp, model files from `@eolgul/models` (or `modelBasePath`), a string gallery
 * is a gallery directory, `workers` analyse in worker threads.
 */
export const nodePlatform: RecognizerPlatform = {
  createAnalyser: (config) =>
    config.workers > 0 ? createWorkerAnalyser(config) : createLocalAnalyser(config, decodeNodeInput),
  openGallery: (dir, info, defaultThreshold) =>
    openGallery(dir, {
      create: true,
      dimension: info.dimension,
      modelId: info.modelId,
      preprocess: info.preprocess,
      defaultThreshold,
    }),
  imageIdOf: (input) => (typeof input === 'string' ? basename(input) : undefined),
};
