import { InvalidArgumentError } from '@eolgul/core';
import { openIndexedDbGallery } from '@eolgul/gallery';
import { decodeBrowserInput } from './image-input-browser.js';
import { createLocalAnalyser } from './recognizer-analyser.js';
import type { RecognizerPlatform } from './recognizer.js';

/**
 * The browser: DOM images, video frames, canvases, bitmaps, Blobs, bytes and URLs decoded with a canvas; model files
 * fetched from `modelBasePath` (default `models/` beside the page) and onnxruntime-web's wasm from its `ort/` folder
 * (both by the model packages); analysis on the page's thread, onnxruntime-web running the models; a named gallery
 * is an IndexedDB database of that name.
 */
export const browserPlatform: RecognizerPlatform = {
  async createAnalyser(config) {
    if (config.workers > 0) {
      throw new InvalidArgumentError('workers is a Node option; in the browser, use threads (onnxruntime-web threads)');
    }
    return createLocalAnalyser(config, decodeBrowserInput);
  },
  openGallery: (name, info, defaultThreshold) =>
    openIndexedDbGallery(name, {
      dimension: info.dimension,
      modelId: info.modelId,
      preprocess: info.preprocess,
      defaultThreshold,
    }),
  imageIdOf: () => undefined,
};
