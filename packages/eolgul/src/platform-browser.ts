import { InvalidArgumentError } from '@eolgul/core';
import { modelUrl } from '@eolgul/models';
import { decodeBrowserInput } from './image-input-browser.js';
import { createLocalAnalyser } from './recognizer-analyser.js';
import type { RecognizerPlatform } from './recognizer.js';

/** The app's model folder: `modelBasePath` resolved against the page, or `models/` beside it. */
function modelBase(modelBasePath: string | URL | undefined): string {
  const page = (globalThis as { document?: { baseURI: string } }).document?.baseURI;
  const base = new URL(String(modelBasePath ?? 'models/'), page).href;
  return base.endsWith('/') ? base : `${base}/`;
}

/** onnxruntime-web's wasm from `<base>ort/`, unless the app set `ort.env.wasm.wasmPaths` itself. */
async function useOrtFrom(base: string): Promise<void> {
  const ort = await import('onnxruntime-web/wasm');
  if (ort.env.wasm.wasmPaths === undefined) ort.env.wasm.wasmPaths = `${base}ort/`;
}

/**
 * The browser: DOM images, video frames, canvases, bitmaps, Blobs and bytes decoded with a canvas, model files fetched
 * from `modelBasePath`, analysis on the page's thread (onnxruntime-web runs the models).
 */
export const browserPlatform: RecognizerPlatform = {
  async createAnalyser(config) {
    if (config.workers > 0) {
      throw new InvalidArgumentError('workers is a Node option; in the browser, use threads (onnxruntime-web threads)');
    }
    const base = modelBase(config.modelBasePath);
    await useOrtFrom(base);
    return createLocalAnalyser(config, decodeBrowserInput, (name) => modelUrl(name, base));
  },
  async openGallery(name) {
    throw new InvalidArgumentError(
      `gallery ${JSON.stringify(name)}: named galleries in the browser need the IndexedDB store; pass a GalleryStore or leave gallery out (in memory)`,
    );
  },
  imageIdOf: () => undefined,
};
