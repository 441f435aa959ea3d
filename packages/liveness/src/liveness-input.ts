/**
 * Checks on what a liveness call is given, before any pixel is read, and the dispose gate.
 * @module
 */
import { type Box, type RgbImage, InvalidArgumentError } from '@eolgul/core';

/** @throws {InvalidArgumentError} unless `image` is `{ data: Uint8Array(width × height × 3), width, height }`. */
export function checkImage(image: RgbImage): void {
  if (!image || typeof image !== 'object')
    throw new InvalidArgumentError('image must be an RgbImage { data, width, height }');
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0)
    throw new InvalidArgumentError(`image size must be positive integers, got ${width}x${height}`);
  if (
    !(data instanceof Uint8Array || (data as unknown) instanceof Uint8ClampedArray) ||
    data.length !== width * height * 3
  )
    throw new InvalidArgumentError(`RGB image ${width}x${height} needs a Uint8Array of ${width * height * 3} bytes`);
}

/** The box of a face given as a box or as a detection. @throws {InvalidArgumentError} for a box that is not 4 finite numbers with positive size overlapping the image. */
export function faceBox(face: Box | { box: Box }, image: RgbImage): Box {
  const box = Array.isArray(face) ? face : (face as { box?: Box } | null)?.box;
  if (!Array.isArray(box) || box.length !== 4 || !box.every((v) => typeof v === 'number' && Number.isFinite(v)))
    throw new InvalidArgumentError(
      `a face must be a box [x, y, width, height] or { box }, got ${JSON.stringify(face)}`,
    );
  const [x, y, w, h] = box;
  if (w <= 0 || h <= 0) throw new InvalidArgumentError(`face box has zero or negative size: ${JSON.stringify(box)}`);
  if (x >= image.width || y >= image.height || x + w <= 0 || y + h <= 0)
    throw new InvalidArgumentError(
      `face box ${JSON.stringify(box)} lies outside the ${image.width}x${image.height} image`,
    );
  return box as Box;
}
