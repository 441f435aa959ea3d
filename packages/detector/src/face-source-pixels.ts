/**
 * Detections made on a downscaled copy of an image, mapped back to the pixels of the image itself.
 * @module
 */
import type { FaceDetection, Point, RgbImage } from '@eolgul/core';

/**
 * An image decoded by `readImage` of `@eolgul/detector/node`: 8-bit RGB pixels (possibly downscaled) plus the size of the source in its
 * displayed orientation.
 */
export interface DecodedImage extends RgbImage {
  /** Width of the source image in pixels, displayed orientation (EXIF applied). Equals `width` unless downscaled. */
  readonly sourceWidth: number;
  /** Height of the source image in pixels, displayed orientation (EXIF applied). Equals `height` unless downscaled. */
  readonly sourceHeight: number;
  /** `sourceWidth / width`: source pixels per decoded pixel, 1 when not downscaled. */
  readonly scale: number;
}

/**
 * Maps a detection made on a downscaled {@link DecodedImage} to the pixels of the source image (displayed orientation):
 * box, 5 landmarks and, when present, the 68 landmarks are scaled by `sourceWidth / width` in x and
 * `sourceHeight / height` in y; the box stays clamped to the source image. Identity when the image was not downscaled.
 * @param face a detection on `image` (pixels of `image`).
 * @param image the image it was found in, as returned by `readImage` of `@eolgul/detector/node`.
 * @returns a new detection, pixels of the source image; score unchanged.
 * @example
 * ```ts
 * const image = await readImage('group.jpg', { maxSide: DETECTION_MAX_SIDE }); // @eolgul/detector/node
 * const faces = (await detector.detect(image)).map((f) => toSourcePixels(f, image));
 * ```
 */
export function toSourcePixels<F extends FaceDetection>(
  face: F,
  image: Pick<DecodedImage, 'width' | 'height' | 'sourceWidth' | 'sourceHeight'>,
): F {
  const sx = image.sourceWidth / image.width,
    sy = image.sourceHeight / image.height;
  if (sx === 1 && sy === 1) return face;
  const r = (v: number) => Math.round(v * 10) / 10;
  const [x, y, bw, bh] = face.box;
  const x1 = Math.min(image.sourceWidth, Math.max(0, x * sx)),
    y1 = Math.min(image.sourceHeight, Math.max(0, y * sy));
  const x2 = Math.min(image.sourceWidth, Math.max(0, (x + bw) * sx)),
    y2 = Math.min(image.sourceHeight, Math.max(0, (y + bh) * sy));
  const map = (p: Point): Point => ({ x: p.x * sx, y: p.y * sy });
  const out: F = { ...face, box: [r(x1), r(y1), r(x2 - x1), r(y2 - y1)], landmarks: face.landmarks.map(map) };
  if (face.landmarks68) out.landmarks68 = face.landmarks68.map(map);
  return out;
}
