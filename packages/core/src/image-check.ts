/**
 * Checks on images and face boxes, done before any pixel is read: a malformed image read out of bounds gives undefined
 * pixels and a silent wrong answer.
 * @module
 */
import { InvalidArgumentError } from './errors.js';
import type { Box, RgbImage } from './types.js';

/**
 * Checks that `image` is a well-formed 8-bit RGB image (see {@link RgbImage}).
 * @param image the image to check.
 * @throws {InvalidArgumentError} when `image` is not an object, `width` / `height` are not positive integers, or `data`
 *   is not a `Uint8Array` (or `Uint8ClampedArray`, as in `ImageData`) of `width * height * 3` bytes.
 */
export function checkRgbImage(image: RgbImage): void {
  if (!image || typeof image !== 'object') {
    throw new InvalidArgumentError('image must be an RgbImage { data, width, height }');
  }
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new InvalidArgumentError(`image size must be positive integers, got ${width}x${height}`);
  }
  const bytes = data instanceof Uint8Array || (data as unknown) instanceof Uint8ClampedArray;
  if (!bytes || data.length !== width * height * 3) {
    const got = ArrayBuffer.isView(data) ? `a ${data.constructor.name} of ${(data as Uint8Array).length}` : typeof data;
    throw new InvalidArgumentError(
      `RGB image ${width}x${height} needs a Uint8Array of ${width * height * 3} bytes, got ${got}`,
    );
  }
}

/**
 * Checks a face box against its image.
 * @param box `[x, y, w, h]` in pixels.
 * @param width image width, pixels.
 * @param height image height, pixels.
 * @throws {InvalidArgumentError} when the box is not 4 finite numbers, its width or height is not positive, or it does
 *   not overlap the image at all.
 */
export function checkBox(box: Box, width: number, height: number): void {
  if (!Array.isArray(box) || box.length !== 4) {
    throw new InvalidArgumentError(`a face box must be [x, y, width, height], got ${JSON.stringify(box)}`);
  }
  const [x, y, w, h] = box;
  if (![x, y, w, h].every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new InvalidArgumentError(`face box values must be finite numbers, got ${JSON.stringify(box)}`);
  }
  if (w <= 0 || h <= 0) throw new InvalidArgumentError(`face box has zero or negative size: ${JSON.stringify(box)}`);
  if (x >= width || y >= height || x + w <= 0 || y + h <= 0) {
    throw new InvalidArgumentError(`face box ${JSON.stringify(box)} lies outside the ${width}x${height} image`);
  }
}
