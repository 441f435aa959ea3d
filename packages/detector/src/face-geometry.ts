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
  let msx = 0, msy = 0, mdx = 0, mdy = 0;
  for (let i = 0; i < n; i++) {
    msx += src[i].x; msy += src[i].y; mdx += dst[i].x; mdy += dst[i].y;
  }
  msx /= n; msy /= n; mdx /= n; mdy /= n;
  let ss = 0, dot = 0, cross = 0;
  for (let i = 0; i < n; i++) {
    const sx = src[i].x - msx, sy = src[i].y - msy;
    const dx = dst[i].x - mdx, dy = dst[i].y - mdy;
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
  const ia = e / det, ib = -b / det, id = -d / det, ie = a / det;
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
  const xMax = W - 1, yMax = H - 1;
  let o = 0;
  // Hot loop (about a third of the pipeline's JS time before it was tuned): incremental coordinates, `| 0` for floor and
  // round (coordinates are clamped to ≥ 0 first, values are ≥ 0), channels unrolled. Same output as the plain form.
  for (let y = 0; y < height; y++) {
    let rx = b * y + c, ry = e * y + f;
    for (let x = 0; x < width; x++, rx += a, ry += d) {
      const sx = rx < 0 ? 0 : rx > xMax ? xMax : rx;
      const sy = ry < 0 ? 0 : ry > yMax ? yMax : ry;
      const x0 = sx | 0, y0 = sy | 0;
      const dx = x0 < xMax ? 3 : 0, dy = y0 < yMax ? W * 3 : 0;
      const fx = sx - x0, fy = sy - y0;
      const i00 = (y0 * W + x0) * 3, i01 = i00 + dx, i10 = i00 + dy, i11 = i10 + dx;
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
  const sx = src.width / width, sy = src.height / height;
  return warpAffine(src, [sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5], width, height);
}

/** Averages k×k pixel blocks (integer shrink). */
function boxShrink(image: RgbImage, k: number): RgbImage {
  const w = Math.floor(image.width / k), h = Math.floor(image.height / k);
  const out = new Uint8Array(w * h * 3);
  const { data, width: W } = image;
  const area = k * k;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let r = 0, g = 0, bl = 0;
      for (let yy = y * k; yy < y * k + k; yy++) {
        let i = (yy * W + x * k) * 3;
        for (let xx = 0; xx < k; xx++, i += 3) {
          r += data[i]; g += data[i + 1]; bl += data[i + 2];
        }
      }
      const o = (y * w + x) * 3;
      out[o] = r / area; out[o + 1] = g / area; out[o + 2] = bl / area;
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
export function alignFace(image: RgbImage, landmarks: readonly Point[], size = 112, template?: readonly Point[]): RgbImage {
  const m = similarityTransform(landmarks, template ?? templateForSize(size));
  return warpAffine(image, invertAffine(m), size, size);
}
