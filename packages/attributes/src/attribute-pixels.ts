/**
 * Pixel work before the attribute models: checks on the image and the face, bilinear resampling of a rectangle to a
 * model's input, and the tensor. No model.
 * @module
 */
import { type Box, InvalidArgumentError, type Point, type RgbImage } from '@eolgul/core';

/** A rectangle in image pixels: top-left corner, width and height. */
export type Rect = [x: number, y: number, width: number, height: number];

/** @throws {InvalidArgumentError} unless `image` is `{ data: Uint8Array(width × height × 3), width, height }`. */
export function checkAttributeImage(image: RgbImage): void {
  const ok =
    !!image &&
    typeof image === 'object' &&
    Number.isInteger(image.width) &&
    Number.isInteger(image.height) &&
    image.width > 0 &&
    image.height > 0 &&
    (image.data instanceof Uint8Array || (image.data as unknown) instanceof Uint8ClampedArray) &&
    image.data.length === image.width * image.height * 3;
  if (!ok)
    throw new InvalidArgumentError(
      `image must be an RgbImage { data: Uint8Array(width × height × 3), width, height } with positive integer sizes, got ${image && typeof image === 'object' ? `${image.width}x${image.height} with ${(image.data as Uint8Array | undefined)?.length} bytes` : String(image)}`,
    );
}

/**
 * Checks a face: a box `[x, y, w, h]` of 4 finite numbers, positive size, overlapping the image; and, when given, 5
 * finite landmarks.
 * @throws {InvalidArgumentError} naming what is wrong.
 */
export function checkAttributeFace(face: { box: Box; landmarks?: readonly Point[] }, image: RgbImage): void {
  const box = face?.box;
  if (!Array.isArray(box) || box.length !== 4 || !box.every((v) => typeof v === 'number' && Number.isFinite(v)))
    throw new InvalidArgumentError(
      `a face needs a box [x, y, width, height] of finite numbers, got ${JSON.stringify(box)}`,
    );
  const [x, y, w, h] = box;
  if (w <= 0 || h <= 0) throw new InvalidArgumentError(`face box has zero or negative size: ${JSON.stringify(box)}`);
  if (x >= image.width || y >= image.height || x + w <= 0 || y + h <= 0)
    throw new InvalidArgumentError(
      `face box ${JSON.stringify(box)} lies outside the ${image.width}x${image.height} image`,
    );
  const lm = face.landmarks;
  if (
    lm !== undefined &&
    (!Array.isArray(lm) || lm.length < 2 || !lm.every((p) => Number.isFinite(p?.x) && Number.isFinite(p?.y)))
  )
    throw new InvalidArgumentError('face landmarks must be the 5 points { x, y } of a detection, finite');
}

/**
 * Resamples `rect` of `image` to `width × height`: bilinear with half-pixel centres; when the rectangle is more than
 * twice the output, each output pixel first averages the source pixels it covers (a box filter), so large faces do not
 * alias. Samples outside the image repeat its edge.
 * @param flip mirror the output left–right.
 * @returns float RGB values 0–255, interleaved, `[height, width, 3]`.
 */
export function resampleRect(image: RgbImage, rect: Rect, width: number, height: number, flip = false): Float32Array {
  const [rx, ry, rw, rh] = rect;
  const { data, width: W, height: H } = image;
  const sx = rw / width,
    sy = rh / height;
  // Samples per output pixel along each axis: 1 (plain bilinear) up to the shrink factor.
  const nx = Math.max(1, Math.floor(sx / 2) * 2 - 1),
    ny = Math.max(1, Math.floor(sy / 2) * 2 - 1);
  const out = new Float32Array(width * height * 3);
  const acc = [0, 0, 0];
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      acc[0] = acc[1] = acc[2] = 0;
      for (let b = 0; b < ny; b++) {
        const fy = Math.min(Math.max(ry + (j + (b + 0.5) / ny) * sy - 0.5, 0), H - 1);
        const y0 = Math.floor(fy),
          y1 = Math.min(y0 + 1, H - 1),
          wy = fy - y0;
        for (let a = 0; a < nx; a++) {
          const fx = Math.min(Math.max(rx + (i + (a + 0.5) / nx) * sx - 0.5, 0), W - 1);
          const x0 = Math.floor(fx),
            x1 = Math.min(x0 + 1, W - 1),
            wx = fx - x0;
          const p = (y0 * W + x0) * 3,
            q = (y0 * W + x1) * 3,
            r = (y1 * W + x0) * 3,
            s = (y1 * W + x1) * 3;
          for (let k = 0; k < 3; k++) {
            const top = data[p + k] + (data[q + k] - data[p + k]) * wx;
            const bottom = data[r + k] + (data[s + k] - data[r + k]) * wx;
            acc[k] += top + (bottom - top) * wy;
          }
        }
      }
      const o = (j * width + (flip ? width - 1 - i : i)) * 3;
      for (let k = 0; k < 3; k++) out[o + k] = acc[k] / (nx * ny);
    }
  }
  return out;
}

/**
 * Interleaved RGB floats (0–255) → planes `[C, H, W]`: RGB with `(v / 255 − mean[c]) / std[c]`, or one grey plane
 * (ITU-R BT.601 luma) / 255.
 */
export function toPlanes(
  rgb: Float32Array,
  pixels: number,
  norm: { mean: readonly number[]; std: readonly number[]; scale: number } | 'grey',
): Float32Array {
  if (norm === 'grey') {
    const out = new Float32Array(pixels);
    for (let p = 0; p < pixels; p++)
      out[p] = (0.299 * rgb[p * 3] + 0.587 * rgb[p * 3 + 1] + 0.114 * rgb[p * 3 + 2]) / 255;
    return out;
  }
  const out = new Float32Array(pixels * 3);
  for (let c = 0; c < 3; c++) {
    const m = norm.mean[c],
      s = norm.std[c];
    for (let p = 0; p < pixels; p++) out[c * pixels + p] = (rgb[p * 3 + c] * norm.scale - m) / s;
  }
  return out;
}

/** Softmax of a few logits, in float64. */
export function softmax(logits: ArrayLike<number>): number[] {
  const v = Array.from(logits, Number);
  const max = Math.max(...v);
  const e = v.map((x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}
