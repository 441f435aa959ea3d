import type { RgbImage } from '@eolgul/core';
import { InvalidArgumentError } from '@eolgul/core';

/**
 * Refuses a malformed image: read out of bounds it would give undefined pixels and a silent wrong answer.
 * Internal to @eolgul/detector (both detectors check their input with it).
 * @throws {InvalidArgumentError} when width/height are not positive integers or `data` is not a Uint8Array (or
 *   Uint8ClampedArray) of `width * height * 3` bytes.
 */
export function checkRgbImage(image: RgbImage): void {
  const { width, height, data } = image ?? {};
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new InvalidArgumentError(`image size must be positive integers, got ${width}x${height}`);
  }
  if (
    !(data instanceof Uint8Array || (data as unknown) instanceof Uint8ClampedArray) ||
    data.length !== width * height * 3
  ) {
    throw new InvalidArgumentError(
      `RGB image ${width}x${height} needs a Uint8Array of ${width * height * 3} bytes, got ${data?.length}`,
    );
  }
}

/** `obj` without its keys whose value is `undefined`, so an option given as `undefined` takes its default in a spread. */
export function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
