import type { RgbImage } from '@eolgul/core';
import { InvalidArgumentError } from '@eolgul/core';

/**
 * Camera frames to `RgbImage` (the input of every eolgul model package).
 * @module
 */

/**
 * Converts canvas `ImageData` (RGBA, 8 bit) to an `RgbImage` by dropping the alpha channel.
 * @param image from `CanvasRenderingContext2D.getImageData`, `[height, width, 4]` uint8.
 * @param out a buffer of `width * height * 3` bytes to reuse between frames (optional).
 * @returns `[height, width, 3]` uint8, interleaved RGB.
 * @throws {InvalidArgumentError} when the data length disagrees with the size, or `out` has the wrong length.
 */
export function rgbFromImageData(
  image: { data: Uint8ClampedArray | Uint8Array; width: number; height: number },
  out?: Uint8Array,
): RgbImage {
  const { data, width, height } = image;
  const n = width * height;
  if (data.length !== n * 4)
    throw new InvalidArgumentError(`RGBA ${width}×${height} needs ${n * 4} bytes, got ${data.length}`);
  const rgb = out ?? new Uint8Array(n * 3);
  if (rgb.length !== n * 3) throw new InvalidArgumentError(`output buffer needs ${n * 3} bytes, got ${rgb.length}`);
  if (data.byteOffset % 4 !== 0) {
    for (let p = 0, i = 0, o = 0; p < n; p++, i += 4, o += 3) {
      rgb[o] = data[i];
      rgb[o + 1] = data[i + 1];
      rgb[o + 2] = data[i + 2];
    }
    return { data: rgb, width, height };
  }
  // Read 4 bytes at a time through a Uint32 view: a little-endian RGBA pixel is 0xAABBGGRR.
  const px = new Uint32Array(data.buffer, data.byteOffset, n);
  for (let p = 0, o = 0; p < n; p++, o += 3) {
    const v = px[p];
    rgb[o] = v & 0xff;
    rgb[o + 1] = (v >>> 8) & 0xff;
    rgb[o + 2] = (v >>> 16) & 0xff;
  }
  return { data: rgb, width, height };
}
