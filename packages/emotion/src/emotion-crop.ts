/**
 * Pure pixel work before the emotion model: checking the face box, choosing the crop square around it, and
 * resampling that square to the model's input size. No tfjs.
 * @module
 */
import type { Box, RgbImage } from '@eolgul/core';
import { InvalidArgumentError } from '@eolgul/core';

/** A rectangle in pixels of the source image, real-valued: `x, y` top-left corner, `w, h` size. May reach outside the image. */
export interface CropRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * Checks that `image` is a well-formed 8-bit RGB image.
 * @throws {InvalidArgumentError} when width/height are not positive integers or `data` is not `width * height * 3` bytes.
 */
export function checkRgbImage(image: RgbImage): void {
  if (!image || typeof image !== 'object')
    throw new InvalidArgumentError('image must be an RgbImage { data, width, height }');
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new InvalidArgumentError(`image size must be positive integers, got ${width}x${height}`);
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height * 3) {
    throw new InvalidArgumentError(
      `RGB image ${width}x${height} needs a Uint8Array of ${width * height * 3} bytes, got ${data instanceof Uint8Array ? data.length : typeof data}`,
    );
  }
}

/**
 * Checks a face box against its image.
 * @param box `[x, y, w, h]` in pixels.
 * @throws {InvalidArgumentError} when a value is not finite, the width or height is not positive, or the box does
 * not overlap the image at all.
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

/**
 * The square crop taken around a face box: centred on the box centre, side `scale × max(w, h)`.
 * @param box face box `[x, y, w, h]` px.
 * @param scale side of the square relative to the box's longer side (1 = the box itself).
 */
export function cropSquare(box: Box, scale: number): CropRect {
  const [x, y, w, h] = box;
  const side = Math.max(w, h) * scale;
  return { x: x + w / 2 - side / 2, y: y + h / 2 - side / 2, w: side, h: side };
}

interface AxisWeights {
  /** For output index i, source indices `idx[start[i] .. start[i+1])` with weights `wt[...]` (sum 1). */
  start: Int32Array;
  idx: Int32Array;
  wt: Float32Array;
}

/**
 * Resampling weights along one axis: area averaging where the output is smaller than the source (each output pixel
 * averages the source pixels it covers, with fractional weights at the ends), bilinear where it is larger.
 * Source coordinates outside `[0, n)` take the nearest edge pixel.
 */
function axisWeights(origin: number, length: number, outSize: number, n: number, flip: boolean): AxisWeights {
  const step = length / outSize;
  const start = new Int32Array(outSize + 1);
  const idx: number[] = [];
  const wt: number[] = [];
  const clamp = (i: number) => (i < 0 ? 0 : i >= n ? n - 1 : i);
  for (let o = 0; o < outSize; o++) {
    const i = flip ? outSize - 1 - o : o;
    start[o] = idx.length;
    const a = origin + i * step;
    const b = a + step;
    if (step > 1) {
      let total = 0;
      const first = wt.length;
      for (let p = Math.floor(a); p < b; p++) {
        const w = Math.min(b, p + 1) - Math.max(a, p);
        if (w <= 0) continue;
        idx.push(clamp(p));
        wt.push(w);
        total += w;
      }
      for (let k = first; k < wt.length; k++) wt[k] /= total;
    } else {
      const c = (a + b) / 2 - 0.5;
      const p0 = Math.floor(c);
      const f = c - p0;
      idx.push(clamp(p0), clamp(p0 + 1));
      wt.push(1 - f, f);
    }
  }
  start[outSize] = idx.length;
  return { start, idx: Int32Array.from(idx), wt: Float32Array.from(wt) };
}

/**
 * Resamples a rectangle of an RGB image to a `size × size` float RGB image (values 0–255), optionally mirrored left–right.
 * Area averaging when shrinking, bilinear when enlarging; pixels outside the image repeat the nearest edge.
 * @param image source image.
 * @param rect the region, in source pixels.
 * @param size output side, pixels.
 * @param flip mirror horizontally.
 * @returns `[size, size, 3]` float32, interleaved RGB, 0–255.
 */
export function resampleRgb(image: RgbImage, rect: CropRect, size: number, flip = false): Float32Array {
  const { width, height, data } = image;
  const ax = axisWeights(rect.x, rect.w, size, width, flip);
  const ay = axisWeights(rect.y, rect.h, size, height, false);
  // Rows of the source that are needed, resampled horizontally first.
  const rowCache = new Map<number, Float32Array>();
  const hRow = (sy: number): Float32Array => {
    let r = rowCache.get(sy);
    if (r) return r;
    r = new Float32Array(size * 3);
    const base = sy * width * 3;
    for (let o = 0; o < size; o++) {
      let cr = 0,
        cg = 0,
        cb = 0;
      for (let k = ax.start[o]; k < ax.start[o + 1]; k++) {
        const p = base + ax.idx[k] * 3;
        const w = ax.wt[k];
        cr += data[p] * w;
        cg += data[p + 1] * w;
        cb += data[p + 2] * w;
      }
      r[o * 3] = cr;
      r[o * 3 + 1] = cg;
      r[o * 3 + 2] = cb;
    }
    rowCache.set(sy, r);
    return r;
  };
  const out = new Float32Array(size * size * 3);
  for (let oy = 0; oy < size; oy++) {
    const dst = oy * size * 3;
    for (let k = ay.start[oy]; k < ay.start[oy + 1]; k++) {
      const row = hRow(ay.idx[k]);
      const w = ay.wt[k];
      for (let j = 0; j < size * 3; j++) out[dst + j] += row[j] * w;
    }
  }
  return out;
}
