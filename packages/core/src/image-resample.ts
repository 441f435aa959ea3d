/**
 * Resampling: the whole image to a new size (block average, then bilinear), and a rectangle of it to a new size with
 * area averaging (OpenCV's INTER_AREA, bilinear when enlarging).
 * @module
 */
import type { RgbImage } from './types.js';
import { imageToTensor, type ImageTensorSpec } from './image-tensor.js';
import { perChannel } from './image-tensor-channels.js';
import { warpAffine } from './image-warp.js';

/** A rectangle in pixels of an image, real-valued: `x, y` top-left corner, `w, h` size. May reach outside the image. */
export interface ImageRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * Resizes an image to `width × height` (bilinear, half-pixel centres). When shrinking by 2× or more it first averages
 * k×k pixel blocks (k = the whole shrink factor), so large photos do not alias.
 * @returns a new image, shape `[height, width, 3]` uint8.
 */
export function resizeImage(image: RgbImage, width: number, height: number): RgbImage {
  let src = image;
  const k = Math.floor(Math.min(image.width / width, image.height / height));
  if (k >= 2) src = blockAverage(image, k);
  const sx = src.width / width,
    sy = src.height / height;
  return warpAffine(src, [sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5], width, height);
}

/** Averages k×k pixel blocks (integer shrink; the last incomplete row and column of blocks are dropped). */
function blockAverage(image: RgbImage, k: number): RgbImage {
  const w = Math.floor(image.width / k),
    h = Math.floor(image.height / k);
  const out = new Uint8Array(w * h * 3);
  const { data, width: W } = image;
  const area = k * k;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let r = 0,
        g = 0,
        bl = 0;
      for (let yy = y * k; yy < y * k + k; yy++) {
        let i = (yy * W + x * k) * 3;
        for (let xx = 0; xx < k; xx++, i += 3) {
          r += data[i];
          g += data[i + 1];
          bl += data[i + 2];
        }
      }
      const o = (y * w + x) * 3;
      out[o] = r / area;
      out[o + 1] = g / area;
      out[o + 2] = bl / area;
    }
  }
  return { data: out, width: w, height: h };
}

/** Options of {@link resampleArea}. */
export interface ResampleAreaOptions {
  /**
   * What pixels outside the image count as: `'zero'` black (as facenet's MTCNN pads its crops; default), `'edge'` the
   * nearest edge pixel.
   */
  padding?: 'zero' | 'edge';
  /** Mirror the result left–right (default false). */
  flipX?: boolean;
  /** Write into this array (HWC, `outWidth * outHeight * 3` values from `offset`) instead of a new one. */
  out?: Float32Array;
  /** Where in `out` to start (default 0). */
  offset?: number;
}

/** Per-axis weights: for each output index, the source indices (inside [0, limit)) and their weights. */
function axisWeights(
  n: number,
  origin: number,
  len: number,
  limit: number,
  padding: 'zero' | 'edge',
  flip: boolean,
): { idx: number[]; w: number[] }[] {
  // Coordinates relative to the integer pixel `start`, so an integer origin (MTCNN's crops) is computed exactly as
  // facenet's crop-then-resize does it.
  const start = Math.floor(origin),
    frac = origin - start,
    step = len / n;
  const edge = padding === 'edge';
  const res: { idx: number[]; w: number[] }[] = [];
  for (let j0 = 0; j0 < n; j0++) {
    const j = flip ? n - 1 - j0 : j0;
    const idx: number[] = [],
      w: number[] = [];
    const push = (i: number, wt: number) => {
      if (i >= 0 && i < limit) {
        idx.push(i);
        w.push(wt);
      } else if (edge) {
        idx.push(i < 0 ? 0 : limit - 1);
        w.push(wt);
      }
    };
    if (step >= 1) {
      const a = frac + j * step,
        b = frac + (j + 1) * step;
      if (edge) {
        // The parts of [a, b) outside the image, each in one piece (a huge rectangle must not loop over its span).
        if (a < -start) push(-1, (Math.min(b, -start) - a) / step);
        if (b > limit - start) push(limit, (b - Math.max(a, limit - start)) / step);
      }
      // Only the source indices inside the image contribute here: a box far larger than the image (a finite but huge
      // box, 1e12 px) would otherwise loop over every index of its span, minutes to hours for nothing.
      for (let k = Math.max(Math.floor(a), -start), end = Math.min(Math.ceil(b), limit - start); k < end; k++) {
        const wt = Math.min(b, k + 1) - Math.max(a, k);
        if (wt > 1e-9) push(start + k, wt / step);
      }
    } else {
      // Bilinear, half-pixel centres. Zero padding resizes the cut-out rectangle, so positions stop at its edge pixels;
      // edge padding samples the image itself, whose edge pixels repeat outward.
      const t = (j + 0.5) * step - 0.5;
      const c = frac + (edge ? t : Math.min(Math.max(t, 0), len - 1));
      const k = Math.floor(c),
        f = c - k;
      push(start + k, 1 - f);
      if (f > 0) push(start + k + 1, f);
    }
    res.push({ idx, w });
  }
  return res;
}

/**
 * Resamples the rectangle `rect` of an image to `outWidth × outHeight` RGB values (floats 0–255, row-major HWC), as
 * OpenCV's `cv2.resize(..., INTER_AREA)` does: each output pixel the area-weighted mean of the source pixels it covers
 * when shrinking, bilinear with half-pixel centres when enlarging. With zero padding the rectangle is cut out (black
 * outside the image) and then resized, so bilinear positions stop at its edge pixels: with an integer rectangle this
 * is facenet's `imresample` of its zero-padded MTCNN crops (davidsandberg/facenet `src/align/detect_face.py`). With
 * edge padding the image itself is sampled, its edge pixels repeating outward.
 * @param image source image.
 * @param rect the region, in source pixels; `w`, `h` > 0.
 * @param outWidth output width, pixels.
 * @param outHeight output height, pixels (default `outWidth`).
 * @param options padding, mirror, output array.
 * @returns `options.out` or a new `Float32Array(outWidth * outHeight * 3)`.
 */
export function resampleArea(
  image: RgbImage,
  rect: ImageRect,
  outWidth: number,
  outHeight = outWidth,
  options: ResampleAreaOptions = {},
): Float32Array {
  const padding = options.padding ?? 'zero';
  const out = options.out ?? new Float32Array(outWidth * outHeight * 3);
  const offset = options.offset ?? 0;
  const { data, width: W, height: H } = image;
  const ax = axisWeights(outWidth, rect.x, rect.w, W, padding, !!options.flipX),
    ay = axisWeights(outHeight, rect.y, rect.h, H, padding, false);
  for (let j = 0; j < outHeight; j++) {
    const { idx: ys, w: wys } = ay[j];
    for (let i = 0; i < outWidth; i++) {
      const { idx: xs, w: wxs } = ax[i];
      let r = 0,
        g = 0,
        b = 0;
      for (let a = 0; a < ys.length; a++) {
        const row = ys[a] * W,
          wy = wys[a];
        for (let c = 0; c < xs.length; c++) {
          const wgt = wxs[c] * wy,
            p = (row + xs[c]) * 3;
          r += data[p] * wgt;
          g += data[p + 1] * wgt;
          b += data[p + 2] * wgt;
        }
      }
      const o = offset + (j * outWidth + i) * 3;
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
    }
  }
  return out;
}

/**
 * A whole image resized and written as a model input in one pass: the same values as
 * `imageToTensor(resizeImage(image, width, height).data, width, height, spec)` (bilinear, half-pixel centres, each
 * value rounded to a byte as `resizeImage` does, then `(v − mean) × scale`), without the intermediate image. The
 * detector's input is made this way for every image.
 * @param image the source image.
 * @param width output width, pixels.
 * @param height output height, pixels.
 * @param spec the model's input spec (see {@link imageToTensor}).
 * @returns a new `Float32Array` of `width * height * channels` values in the spec's layout.
 */
export function resizeToTensor(image: RgbImage, width: number, height: number, spec: ImageTensorSpec): Float32Array {
  if (spec.channels === 'grey' || spec.layout === 'ncwh') {
    return imageToTensor(resizeImage(image, width, height).data, width, height, spec);
  }
  let src = image;
  const k = Math.floor(Math.min(image.width / width, image.height / height));
  if (k >= 2) src = blockAverage(image, k);
  const { data, width: W, height: H } = src;
  const sx = W / width,
    sy = H / height;
  const xMax = W - 1,
    yMax = H - 1;
  // Per column: source offset, the step to the right-hand neighbour (0 at the last column) and the weight; computed as
  // warpAffine computes them (x coordinate advanced by adding the scale), so the rounded bytes are the same.
  const col = new Int32Array(width),
    colStep = new Int32Array(width),
    colW = new Float64Array(width);
  let rx = 0.5 * sx - 0.5;
  for (let x = 0; x < width; x++, rx += sx) {
    const fx = rx < 0 ? 0 : Math.min(rx, xMax);
    const x0 = fx | 0;
    col[x] = x0 * 3;
    colStep[x] = x0 < xMax ? 3 : 0;
    colW[x] = fx - x0;
  }
  const [m0, m1, m2] = perChannel(spec.mean, 0),
    [s0, s1, s2] = perChannel(spec.scale, 1);
  const n = width * height;
  const nchw = spec.layout === 'nchw';
  // `stride` separates a pixel's channels, `step` consecutive pixels; a0–a2: where source R, G, B go in a pixel
  // (BGR reverses them).
  const stride = nchw ? n : 1,
    step = nchw ? 1 : 3;
  const bgr = spec.channels === 'bgr';
  const a0 = (bgr ? 2 : 0) * stride,
    a1 = stride,
    a2 = (bgr ? 0 : 2) * stride;
  const out = new Float32Array(n * 3);
  const yOffset = 0.5 * sy - 0.5;
  for (let y = 0, o = 0; y < height; y++) {
    const ry = sy * y + yOffset;
    const fy0 = ry < 0 ? 0 : Math.min(ry, yMax);
    const y0 = fy0 | 0;
    const fy = fy0 - y0;
    const row = y0 * W * 3,
      dy = y0 < yMax ? W * 3 : 0;
    for (let x = 0; x < width; x++, o += step) {
      const i00 = row + col[x],
        i01 = i00 + colStep[x],
        i10 = i00 + dy,
        i11 = i10 + colStep[x];
      const fx = colW[x];
      let t = data[i00] + (data[i01] - data[i00]) * fx;
      let u = data[i10] + (data[i11] - data[i10]) * fx;
      out[o + a0] = (((t + (u - t) * fy + 0.5) | 0) - m0) * s0;
      t = data[i00 + 1] + (data[i01 + 1] - data[i00 + 1]) * fx;
      u = data[i10 + 1] + (data[i11 + 1] - data[i10 + 1]) * fx;
      out[o + a1] = (((t + (u - t) * fy + 0.5) | 0) - m1) * s1;
      t = data[i00 + 2] + (data[i01 + 2] - data[i00 + 2]) * fx;
      u = data[i10 + 2] + (data[i11 + 2] - data[i10 + 2]) * fx;
      out[o + a2] = (((t + (u - t) * fy + 0.5) | 0) - m2) * s2;
    }
  }
  return out;
}
