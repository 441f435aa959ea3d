import type { Point, RgbImage } from '@eolgul/core';
import { InvalidArgumentError } from '@eolgul/core';

/**
 * 2×3 affine matrix `[a, b, c, d, e, f]` mapping (x, y) to (a·x + b·y + c, d·x + e·y + f).
 */
export type Affine = [number, number, number, number, number, number];

/**
 * The ArcFace / InsightFace 5-point template for 112×112 crops, in pixels: left eye, right eye, nose tip,
 * left and right mouth corners. Source: insightface `python-package/insightface/utils/face_align.py` (`arcface_dst`).
 */
export const ARCFACE_TEMPLATE_112: readonly Point[] = Object.freeze([
  { x: 38.2946, y: 51.6963 },
  { x: 73.5318, y: 51.5014 },
  { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 },
  { x: 70.7299, y: 92.2041 },
]);

/**
 * The 5-point template scaled to a square crop of `size` pixels (ArcFace's 112 template scaled uniformly, so a
 * 160×160 FaceNet crop keeps the same framing).
 */
export function templateForSize(size: number): Point[] {
  const s = size / 112;
  return ARCFACE_TEMPLATE_112.map((p) => ({ x: p.x * s, y: p.y * s }));
}

/**
 * dlib's mean face shape, points 17–67 of the iBUG 300-W 68-point scheme, x and y in [0, 1] of the face box (index
 * `i − 17` holds point `i`). Source: davisking/dlib, `dlib/image_transforms/interpolation.h`, `get_face_chip_details`
 * (`mean_face_shape_x`, `mean_face_shape_y`), the shape dlib aligns its face chips to.
 */
export const DLIB_MEAN_FACE: Readonly<{ x: readonly number[]; y: readonly number[] }> = Object.freeze({
  x: Object.freeze([
    0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124, 0.904991, 0.98004, 0.490127,
    0.490127, 0.490127, 0.490127, 0.36688, 0.426036, 0.490127, 0.554217, 0.613373, 0.121737, 0.187122, 0.265825,
    0.334606, 0.260918, 0.182743, 0.645647, 0.714428, 0.793132, 0.858516, 0.79751, 0.719335, 0.254149, 0.340985,
    0.428858, 0.490127, 0.551395, 0.639268, 0.726104, 0.642159, 0.556721, 0.490127, 0.423532, 0.338094, 0.290379,
    0.428096, 0.490127, 0.552157, 0.689874, 0.553364, 0.490127, 0.42689,
  ]),
  y: Object.freeze([
    0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891, 0.0187482, 0.038915, 0.106454, 0.203352,
    0.307009, 0.409805, 0.515625, 0.587326, 0.609345, 0.628106, 0.609345, 0.587326, 0.216423, 0.178758, 0.179852,
    0.231733, 0.245099, 0.244077, 0.231733, 0.179852, 0.178758, 0.216423, 0.244077, 0.245099, 0.780233, 0.745405,
    0.727388, 0.742578, 0.727388, 0.745405, 0.780233, 0.864805, 0.902192, 0.909281, 0.902192, 0.864805, 0.784792,
    0.778746, 0.785343, 0.778746, 0.784792, 0.824182, 0.831803, 0.824182,
  ]),
});

/**
 * dlib's mean-face point `i` (0-based iBUG index, 17–67) in a `size`-pixel face chip with `padding`, mapped as dlib's
 * `get_face_chip_details` maps it: `(padding + m) / (2·padding + 1) · size`.
 */
export function dlibChipPoint(i: number, size = 150, padding = 0.25): Point {
  if (!(Number.isInteger(i) && i >= 17 && i <= 67))
    throw new InvalidArgumentError(`dlib's mean face has points 17–67, got ${i}`);
  const k = 2 * padding + 1;
  return { x: ((padding + DLIB_MEAN_FACE.x[i - 17]) / k) * size, y: ((padding + DLIB_MEAN_FACE.y[i - 17]) / k) * size };
}

/**
 * The 5-point template (left eye centre, right eye centre, nose tip, left and right mouth corners, as in the image) of
 * dlib's face chip, for embedders trained on dlib chips such as dlib's ResNet face descriptor (face-api's
 * `faceRecognitionNet`: `size` 150, `padding` 0.25, as in dlib's `dnn_face_recognition_ex.cpp`). The points are the
 * same reduction of the 68 points as the detector's `fivePoints`, applied to {@link DLIB_MEAN_FACE}. For 150 / 0.25:
 * (47.42, 46.19), (100.61, 46.19), (74.01, 76.56), (52.23, 103.25), (95.80, 103.25) pixels.
 * @throws {InvalidArgumentError} when `size` is not positive or `padding` is negative.
 */
export function dlibChipTemplate(size = 150, padding = 0.25): Point[] {
  if (!(size > 0) || !(padding >= 0))
    throw new InvalidArgumentError(`dlib chip needs size > 0 and padding >= 0, got ${size}, ${padding}`);
  const p = (...idx: number[]): Point => {
    const pts = idx.map((i) => dlibChipPoint(i, size, padding));
    return { x: pts.reduce((s, q) => s + q.x, 0) / pts.length, y: pts.reduce((s, q) => s + q.y, 0) / pts.length };
  };
  return [p(37, 38, 40, 41), p(43, 44, 46, 47), p(30), p(48, 60), p(54, 64)];
}

/**
 * Least-squares similarity transform (rotation, uniform scale, translation; no reflection) mapping `src` points onto
 * `dst` points: the closed form of Umeyama (1991), "Least-squares estimation of transformation parameters between two
 * point patterns", IEEE TPAMI 13(4), for 2-D.
 * @param src points in the source image (pixels), at least 2.
 * @param dst matching points in the target (pixels).
 * @returns the affine matrix of the similarity, src → dst.
 * @throws {InvalidArgumentError} when the point lists differ in length, have fewer than 2 points or all coincide.
 */
export function similarityTransform(src: readonly Point[], dst: readonly Point[]): Affine {
  if (src.length !== dst.length || src.length < 2) {
    throw new InvalidArgumentError(`need matching point lists of length ≥ 2, got ${src.length} and ${dst.length}`);
  }
  const n = src.length;
  let msx = 0,
    msy = 0,
    mdx = 0,
    mdy = 0;
  for (let i = 0; i < n; i++) {
    msx += src[i].x;
    msy += src[i].y;
    mdx += dst[i].x;
    mdy += dst[i].y;
  }
  msx /= n;
  msy /= n;
  mdx /= n;
  mdy /= n;
  let ss = 0,
    dot = 0,
    cross = 0;
  for (let i = 0; i < n; i++) {
    const sx = src[i].x - msx,
      sy = src[i].y - msy;
    const dx = dst[i].x - mdx,
      dy = dst[i].y - mdy;
    ss += sx * sx + sy * sy;
    dot += sx * dx + sy * dy;
    cross += sx * dy - sy * dx;
  }
  if (!(ss > 0)) throw new InvalidArgumentError('source points all coincide');
  const a = dot / ss;
  const b = cross / ss;
  // dst = [a -b; b a] src + t
  const tx = mdx - (a * msx - b * msy);
  const ty = mdy - (b * msx + a * msy);
  return [a, -b, tx, b, a, ty];
}

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
 */
export function warpAffine(image: RgbImage, dstToSrc: Affine, width: number, height: number): RgbImage {
  const out = new Uint8Array(width * height * 3);
  const { data, width: W, height: H } = image;
  const [a, b, c, d, e, f] = dstToSrc;
  const xMax = W - 1,
    yMax = H - 1;
  let o = 0;
  // Hot loop (about a third of the pipeline's JS time before it was tuned): incremental coordinates, `| 0` for floor and
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
 * Resizes an image to `width × height` (bilinear, half-pixel centres). When shrinking by 2× or more it first averages
 * pixel blocks, so large photos do not alias.
 */
export function resizeImage(image: RgbImage, width: number, height: number): RgbImage {
  let src = image;
  const k = Math.floor(Math.min(image.width / width, image.height / height));
  if (k >= 2) src = boxShrink(image, k);
  const sx = src.width / width,
    sy = src.height / height;
  return warpAffine(src, [sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5], width, height);
}

/** Averages k×k pixel blocks (integer shrink). */
function boxShrink(image: RgbImage, k: number): RgbImage {
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

/**
 * Crops and aligns a face: the similarity transform of its 5 landmarks onto the template, applied with bilinear sampling.
 * @param image the whole image.
 * @param landmarks the face's 5 points (left eye, right eye, nose tip, left and right mouth corners), pixels.
 * @param size side of the square crop in pixels (112 for ArcFace-style embedders, 160 for FaceNet).
 * @param template target points for that size (default: {@link templateForSize}(size)).
 * @returns the aligned crop, shape `[size, size, 3]` uint8.
 */
export function alignFace(
  image: RgbImage,
  landmarks: readonly Point[],
  size = 112,
  template?: readonly Point[],
): RgbImage {
  const m = similarityTransform(landmarks, template ?? templateForSize(size));
  return warpAffine(image, invertAffine(m), size, size);
}
