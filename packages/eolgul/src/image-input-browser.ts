/**
 * Inputs in the browser: DOM images, video frames, canvases and bitmaps are drawn onto a 2D canvas and read back as
 * RGB; encoded bytes, Blobs and URLs are decoded with `createImageBitmap` (EXIF orientation applied). Typed
 * structurally: nothing here needs the DOM's type declarations.
 * @module
 */
import { ImageDecodeError, InvalidArgumentError } from '@eolgul/core';
import { bytesOf, isBlobLike, isPixelImage, rgbFromRgba, rgbOfPixels, type DecodedInput } from './image-input.js';
import type { ImageInput } from './recognizer-types.js';

/** The parts of a 2D canvas context used here. */
interface Context2D {
  drawImage(source: unknown, x: number, y: number, w: number, h: number): void;
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
}
/** An `HTMLCanvasElement` or `OffscreenCanvas`. */
interface Canvas {
  width: number;
  height: number;
  getContext(id: '2d', options?: { willReadFrequently?: boolean }): Context2D | null;
}
/** The browser globals used here. */
interface BrowserGlobals {
  OffscreenCanvas?: new (w: number, h: number) => Canvas;
  document?: { createElement(tag: 'canvas'): Canvas; baseURI: string };
  createImageBitmap?: (source: unknown, options?: { imageOrientation?: string }) => Promise<Drawable>;
  Blob?: new (parts: unknown[]) => unknown;
  fetch?: (url: string) => Promise<{ ok: boolean; status: number; blob(): Promise<unknown> }>;
}
/** Anything `drawImage` takes, with the size to draw it at. */
interface Drawable {
  width?: number;
  height?: number;
  close?: () => void;
}

const g = globalThis as unknown as BrowserGlobals;
let canvas: Canvas | undefined;
let context: Context2D | undefined;
/** Reused between calls: one RGB buffer per frame size, so a video loop allocates nothing per frame. */
let rgbBuffer: Uint8Array | undefined;

function canvasOfSize(width: number, height: number): Context2D {
  if (!canvas) {
    canvas = g.OffscreenCanvas ? new g.OffscreenCanvas(width, height) : g.document?.createElement('canvas');
    const ctx = canvas?.getContext('2d', { willReadFrequently: true });
    if (!canvas || !ctx) throw new InvalidArgumentError('this browser gives no 2D canvas to read images with');
    context = ctx;
  }
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  return context!;
}

/** The size at which a DOM image source is drawn, or undefined when `x` is none. */
function sizeOf(x: object, name: string): { width: number; height: number } | undefined {
  const o = x as Record<string, unknown>;
  if (typeof o.videoWidth === 'number') {
    if (!((o.readyState as number) >= 2 && o.videoWidth > 0)) {
      throw new InvalidArgumentError(`${name}: the video has no frame yet (wait for its 'loadeddata' event)`);
    }
    return { width: o.videoWidth, height: o.videoHeight as number };
  }
  if (typeof o.naturalWidth === 'number') {
    if (!(o.complete && o.naturalWidth > 0)) {
      throw new InvalidArgumentError(`${name}: the image has not loaded (wait for its 'load' event or img.decode())`);
    }
    return { width: o.naturalWidth, height: o.naturalHeight as number };
  }
  if (typeof o.getContext === 'function' || typeof o.close === 'function') {
    return { width: o.width as number, height: o.height as number };
  }
  return undefined;
}

/** Draws a DOM image source and reads its pixels as RGB. */
function drawn(source: object, size: { width: number; height: number }, name: string): DecodedInput {
  const { width, height } = size;
  if (!(width > 0 && height > 0)) throw new InvalidArgumentError(`${name}: the image is empty (${width}×${height})`);
  const ctx = canvasOfSize(width, height);
  ctx.drawImage(source, 0, 0, width, height);
  const rgba = ctx.getImageData(0, 0, width, height).data;
  // A frame's RGB bytes are handed to the models and not kept, so the buffer is reused for the next frame.
  rgbBuffer = rgbFromRgba(rgba, rgbBuffer);
  return { data: rgbBuffer, width, height, sourceWidth: width, sourceHeight: height };
}

/** Decodes encoded image bytes (in a Blob) with `createImageBitmap`. */
async function decodeBlob(blob: unknown, name: string): Promise<DecodedInput> {
  if (!g.createImageBitmap) throw new InvalidArgumentError('this browser has no createImageBitmap to decode images');
  let bitmap: Drawable;
  try {
    bitmap = await g.createImageBitmap(blob, { imageOrientation: 'from-image' });
  } catch (err) {
    throw new ImageDecodeError(name, `not a readable image (${(err as Error).message})`, { cause: err });
  }
  try {
    return drawn(bitmap, { width: bitmap.width ?? 0, height: bitmap.height ?? 0 }, name);
  } finally {
    bitmap.close?.();
  }
}

/**
 * Decodes one input in the browser.
 * @param input a DOM image source, `ImageData`, an `RgbImage`, encoded bytes, a `Blob`, or a URL string (fetched).
 * @param name the input's name in error messages.
 * @throws {ImageDecodeError} bytes, a Blob or a URL that is not a readable image. @throws {InvalidArgumentError} an
 *   image that has not loaded, a video without a frame, or something that is not an image.
 */
export async function decodeBrowserInput(input: ImageInput, name: string): Promise<DecodedInput> {
  if (typeof input === 'string') {
    if (!g.fetch) throw new InvalidArgumentError(`${name}: no fetch in this environment to load a URL`);
    const url = g.document ? new URL(input, g.document.baseURI).href : input;
    let blob: unknown;
    try {
      const res = await g.fetch(url);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      blob = await res.blob();
    } catch (err) {
      throw new ImageDecodeError(name, `cannot fetch ${url} (${(err as Error).message})`, { cause: err });
    }
    return decodeBlob(blob, name);
  }
  if (isPixelImage(input)) return rgbOfPixels(input, name);
  const bytes = bytesOf(input);
  if (bytes) {
    if (bytes.length === 0) throw new ImageDecodeError(name, 'empty (0 bytes)');
    if (!g.Blob) throw new InvalidArgumentError('this browser has no Blob to decode images');
    return decodeBlob(new g.Blob([bytes]), name);
  }
  if (isBlobLike(input)) return decodeBlob(input, name);
  const size = typeof input === 'object' && input !== null ? sizeOf(input, name) : undefined;
  if (size) return drawn(input as object, size, name);
  throw new InvalidArgumentError(
    `${name}: not an image; pass an <img>, <video>, <canvas>, OffscreenCanvas, ImageBitmap, ImageData, Blob, bytes or a URL`,
  );
}
