/**
 * The crop helpers this package exported before they moved to `@eolgul/core`'s image module, kept under their earlier
 * names.
 * @module
 */
import {
  type Box,
  checkBox as coreCheckBox,
  checkRgbImage as coreCheckRgbImage,
  type ImageRect,
  type RgbImage,
  resampleArea,
  squareAroundBox,
} from '@eolgul/core';

/**
 * A rectangle in pixels of the source image, real-valued: `x, y` top-left corner, `w, h` size.
 * @deprecated use `ImageRect` of `@eolgul/core`.
 */
export type CropRect = ImageRect;

/**
 * Checks that `image` is a well-formed 8-bit RGB image.
 * @deprecated use `checkRgbImage` of `@eolgul/core`.
 */
export const checkRgbImage: (image: RgbImage) => void = coreCheckRgbImage;

/**
 * Checks a face box against its image.
 * @deprecated use `checkBox` of `@eolgul/core`.
 */
export const checkBox: (box: Box, width: number, height: number) => void = coreCheckBox;

/**
 * The square crop taken around a face box: centred on the box centre, side `scale × max(w, h)`.
 * @deprecated use `squareAroundBox` of `@eolgul/core`.
 */
export const cropSquare: (box: Box, scale: number) => ImageRect = squareAroundBox;

/**
 * Resamples a rectangle of an RGB image to a `size × size` float RGB image (values 0–255), optionally mirrored
 * left–right: area averaging when shrinking, bilinear when enlarging, pixels outside the image repeat the nearest edge.
 * @returns `[size, size, 3]` float32, interleaved RGB, 0–255.
 * @deprecated use `resampleArea(image, rect, size, size, { padding: 'edge', flipX })` of `@eolgul/core`.
 */
export function resampleRgb(image: RgbImage, rect: ImageRect, size: number, flip = false): Float32Array {
  return resampleArea(image, rect, size, size, { padding: 'edge', flipX: flip });
}
