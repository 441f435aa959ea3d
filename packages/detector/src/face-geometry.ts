/**
 * Face alignment: the templates the 5 points are mapped onto, the least-squares similarity transform that maps them,
 * and the aligned crop.
 * @module
 */
import {
  type Affine,
  applyAffine as coreApplyAffine,
  InvalidArgumentError,
  invertAffine as coreInvertAffine,
  type Point,
  type RgbImage,
  resizeImage as coreResizeImage,
  warpAffine as coreWarpAffine,
} from '@eolgul/core';

/**
 * 2×3 affine matrix `[a, b, c, d, e, f]`.
 * @deprecated import `Affine` from `@eolgul/core`.
 */
export type { Affine };
/** @deprecated import `applyAffine` from `@eolgul/core`. */
export const applyAffine = coreApplyAffine;
/** @deprecated import `invertAffine` from `@eolgul/core`. */
export const invertAffine = coreInvertAffine;
/** @deprecated import `warpAffine` from `@eolgul/core`. */
export const warpAffine = coreWarpAffine;
/** @deprecated import `resizeImage` from `@eolgul/core`. */
export const resizeImage = coreResizeImage;

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
  return coreWarpAffine(image, coreInvertAffine(m), size, size);
}
