/**
 * The platform-free part of reading an `ImageInput`: pixels already decoded (`RgbImage`, RGBA `ImageData`), bytes
 * told apart from pixels, and a name for each input in error messages.
 * @module
 */
import { InvalidArgumentError, type RgbImage } from '@eolgul/core';
import type { BlobLike, ImageDataLike, ImageInput } from './recognizer-types.js';

/** A decoded input: RGB pixels (possibly downscaled) and the size of the input as displayed. */
export interface DecodedInput extends RgbImage {
  /** Width of the input as displayed, pixels (`width` unless downscaled). */
  readonly sourceWidth: number;
  /** Height of the input as displayed, pixels. */
  readonly sourceHeight: number;
}

/** How one platform turns inputs into pixels. */
export type DecodeInput = (input: ImageInput, name: string) => Promise<DecodedInput>;

const isTyped = (x: unknown): x is Uint8Array | Uint8ClampedArray =>
  x instanceof Uint8Array || x instanceof Uint8ClampedArray;

/** True for `{ data, width, height }` objects: an `RgbImage` or an RGBA `ImageData`. */
export function isPixelImage(x: unknown): x is RgbImage | ImageDataLike {
  const o = x as { data?: unknown; width?: unknown; height?: unknown };
  return (
    typeof x === 'object' && x !== null && isTyped(o.data) && 'width' in o && 'height' in o && !('getContext' in o)
  );
}

/** True for a `Blob` / `File` (structurally). */
export function isBlobLike(x: unknown): x is BlobLike {
  const o = x as BlobLike;
  return typeof x === 'object' && x !== null && typeof o.arrayBuffer === 'function' && typeof o.size === 'number';
}

/** Encoded bytes as a `Uint8Array`, or undefined when `x` is not bytes (a `Uint8Array`, a Node `Buffer`, an `ArrayBuffer`). */
export function bytesOf(x: unknown): Uint8Array | undefined {
  if (x instanceof Uint8Array) return x;
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  return undefined;
}

/**
 * Converts decoded pixels to the RGB image the models take: an `RgbImage` (3 bytes per pixel) is checked and used as
 * it is; RGBA (4 bytes per pixel, canvas `ImageData`) drops its alpha channel.
 * @throws {InvalidArgumentError} a size that is not a positive integer, or a data length that is neither 3 nor 4 bytes
 *   per pixel (the message names the input).
 */
export function rgbOfPixels(image: RgbImage | ImageDataLike, name: string): DecodedInput {
  const { width, height, data } = image;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new InvalidArgumentError(`${name}: image size must be positive integers, got ${width}×${height}`);
  }
  const n = width * height;
  let rgb: Uint8Array;
  if (data.length === n * 3 && data instanceof Uint8Array) rgb = data;
  else if (data.length === n * 4) rgb = rgbFromRgba(data);
  else {
    throw new InvalidArgumentError(
      `${name}: a ${width}×${height} image needs ${n * 3} bytes (RGB, a Uint8Array) or ${n * 4} (RGBA), got ${data.length} in a ${data.constructor.name}`,
    );
  }
  return { data: rgb, width, height, sourceWidth: width, sourceHeight: height };
}

/**
 * Drops the alpha channel of interleaved RGBA pixels.
 * @param rgba `[height, width, 4]` uint8.
 * @param out a buffer of `width * height * 3` bytes to reuse between video frames (optional).
 * @returns `[height, width, 3]` uint8.
 */
export function rgbFromRgba(rgba: Uint8Array | Uint8ClampedArray, out?: Uint8Array): Uint8Array {
  const n = rgba.length >> 2;
  const rgb = out?.length === n * 3 ? out : new Uint8Array(n * 3);
  if (rgba.byteOffset % 4 !== 0) {
    for (let p = 0, i = 0, o = 0; p < n; p++, i += 4, o += 3) {
      rgb[o] = rgba[i];
      rgb[o + 1] = rgba[i + 1];
      rgb[o + 2] = rgba[i + 2];
    }
    return rgb;
  }
  // 4 bytes at a time through a Uint32 view: a little-endian RGBA pixel reads as 0xAABBGGRR.
  const px = new Uint32Array(rgba.buffer, rgba.byteOffset, n);
  for (let p = 0, o = 0; p < n; p++, o += 3) {
    const v = px[p];
    rgb[o] = v & 0xff;
    rgb[o + 1] = (v >>> 8) & 0xff;
    rgb[o + 2] = (v >>> 16) & 0xff;
  }
  return rgb;
}

/**
 * A short name for an input in error messages: a path as given, else its kind and size, e.g.
 * `'input 2 (Uint8Array, 20480 bytes)'`.
 * @param input the input.
 * @param index its position in a list, when it came in one.
 */
export function describeInput(input: unknown, index?: number): string {
  if (typeof input === 'string') return input;
  const at = index === undefined ? 'input' : `input ${index}`;
  const kind =
    input === null || input === undefined ? String(input) : ((input as object).constructor?.name ?? typeof input);
  const b = bytesOf(input);
  if (b) return `${at} (${kind}, ${b.length} bytes)`;
  if (isPixelImage(input)) return `${at} (${kind === 'Object' ? 'image' : kind} ${input.width}×${input.height})`;
  return `${at} (${kind})`;
}
