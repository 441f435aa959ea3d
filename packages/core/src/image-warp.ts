/**
 * Affine maps of images: warping through a 2×3 matrix (bilinear), and the left–right mirror.
 * @module
 */
import { InvalidArgumentError } from './errors.js';
import type { Point, RgbImage } from './types.js';

/** 2×3 affine matrix `[a, b, c, d, e, f]` mapping (x, y) to (a·x + b·y + c, d·x + e·y + f). */
export type Affine = [number, number, number, number, number, number];

/** Applies an affine matrix to a point. */
export function applyAffine(m: Affine, p: Point): Point {
  return { x: m[0] * p.x + m[1] * p.y + m[2], y: m[3] * p.x + m[4] * p.y + m[5] };
}

/** Inverts an affine matrix. @throws {InvalidArgumentError} when it is singular. */
export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (det === 0 || !Number.isFinite(det)) throw new InvalidArgumentError('singular affine transform');
  const ia = e / det,
    ib = -b / det,
    id = -d / det,
    ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/**
 * Samples `image` through an affine map into a new `width × height` RGB image with bilinear interpolation; pixels
 * that fall outside the source take the nearest edge pixel. Pixel centres are at integer + 0.5 (as OpenCV's warpAffine).
 * @param image source image.
 * @param dstToSrc maps output pixel coordinates to source pixel coordinates.
 * @param width output width, pixels.
 * @param height output height, pixels.
 * @returns the warped image, shape `[height, width, 3]` uint8 (values rounded half up).
 */
export function warpAffine(image: RgbImage, dstToSrc: Affine, width: number, height: number): RgbImage {
  const out = new Uint8Array(width * height * 3);
  const { data, width: W, height: H } = image;
  const [a, b, c, d, e, f] = dstToSrc;
  const xMax = W - 1,
    yMax = H - 1;
  let o = 0;
  // Hot loop (alignment, the detector's input and the landmark crops): incremental coordinates, `| 0` for floor and
  // round (coordinates are clamped to ≥ 0 first, values are ≥ 0), channels unrolled. Same output as the plain form.
  for (let y = 0; y < height; y++) {
    let rx = b * y + c,
      ry = e * y + f;
    for (let x = 0; x < width; x++, rx += a, ry += d) {
      const sx = rx < 0 ? 0 : Math.min(rx, xMax);
      const sy = ry < 0 ? 0 : Math.min(ry, yMax);
      const x0 = sx | 0,
        y0 = sy | 0;
      const dx = x0 < xMax ? 3 : 0,
        dy = y0 < yMax ? W * 3 : 0;
      const fx = sx - x0,
        fy = sy - y0;
      const i00 = (y0 * W + x0) * 3,
        i01 = i00 + dx,
        i10 = i00 + dy,
        i11 = i10 + dx;
      let t = data[i00] + (data[i01] - data[i00]) * fx;
      let u = data[i10] + (data[i11] - data[i10]) * fx;
      out[o++] = (t + (u - t) * fy + 0.5) | 0;
      t = data[i00 + 1] + (data[i01 + 1] - data[i00 + 1]) * fx;
      u = data[i10 + 1] + (data[i11 + 1] - data[i10 + 1]) * fx;
      out[o++] = (t + (u - t) * fy + 0.5) | 0;
      t = data[i00 + 2] + (data[i01 + 2] - data[i00 + 2]) * fx;
      u = data[i10 + 2] + (data[i11 + 2] - data[i10 + 2]) * fx;
      out[o++] = (t + (u - t) * fy + 0.5) | 0;
    }
  }
  return { data: out, width, height };
}

/**
 * Mirrors an image left–right.
 * @returns a new image of the same size: pixel (x, y) of the result is pixel (width − 1 − x, y) of `image`.
 */
export function mirrorImage(image: RgbImage): RgbImage {
  const { width: w, height: h, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * 3,
        t = (y * w + (w - 1 - x)) * 3;
      out[t] = data[s];
      out[t + 1] = data[s + 1];
      out[t + 2] = data[s + 2];
    }
  }
  return { data: out, width: w, height: h };
}
