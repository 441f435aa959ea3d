/**
 * Inputs in Node: file paths and encoded bytes are decoded with sharp (`readImage` of `@eolgul/detector`: EXIF
 * orientation applied, 8-bit RGB), at most `DETECTION_MAX_SIDE` (4096) pixels a side so a huge photo never sits in
 * memory at full size; faces are then reported in the file's pixels.
 * @module
 */
import { InvalidArgumentError } from '@eolgul/core';
import { DETECTION_MAX_SIDE, readImage } from '@eolgul/detector/node';
import { bytesOf, isBlobLike, isPixelImage, rgbOfPixels, type DecodedInput } from './image-input.js';
import type { ImageInput } from './recognizer-types.js';

/**
 * Decodes one input in Node.
 * @param input a path, bytes (`Buffer`, `Uint8Array`, `ArrayBuffer`), a `Blob`, an `RgbImage` or RGBA `ImageData`.
 * @param name the input's name in error messages.
 * @throws {ImageDecodeError} an unreadable or non-image file or buffer. @throws {ImageTooLargeError} over 16383².
 * @throws {InvalidArgumentError} any other kind of input (a DOM element: those are read by the browser build).
 */
export async function decodeNodeInput(input: ImageInput, name: string): Promise<DecodedInput> {
  if (typeof input === 'string') return readImage(input, { maxSide: DETECTION_MAX_SIDE });
  const bytes = bytesOf(input) ?? (isBlobLike(input) ? new Uint8Array(await input.arrayBuffer()) : undefined);
  if (bytes) return readImage(bytes, { maxSide: DETECTION_MAX_SIDE }).catch(renamed(name));
  if (isPixelImage(input)) return rgbOfPixels(input, name);
  throw new InvalidArgumentError(
    `${name}: in Node an image is a file path, encoded bytes (Buffer, Uint8Array, ArrayBuffer, Blob), an RgbImage or an ImageData; DOM elements work in the browser build`,
  );
}

/** readImage calls a buffer `<buffer>`: name it as the caller knows it. */
function renamed(name: string) {
  return (err: unknown): never => {
    const e = err as { path?: string; message?: string };
    if (e && e.path === '<buffer>') {
      e.path = name;
      e.message = e.message?.replace('<buffer>', name);
    }
    throw err;
  };
}
