/**
 * Plain data types shared by the packages: decoded images, boxes, landmarks, detections.
 * @module
 */
import { checkRgbImage } from './image-check.js';

/**
 * A decoded 8-bit RGB image, row-major, interleaved: `data[(y * width + x) * 3 + c]`, c = 0 red, 1 green, 2 blue.
 * Shape `[height, width, 3]` uint8.
 */
export interface RgbImage {
  /** Pixels, length `width * height * 3`. */
  readonly data: Uint8Array;
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
}

/** An axis-aligned box `[x, y, width, height]` in pixels of the image it was found in; x, y = top-left corner. */
export type Box = [x: number, y: number, width: number, height: number];

/** A point in pixels of the image. */
export interface Point {
  x: number;
  y: number;
}

/**
 * One detected face.
 */
export interface FaceDetection {
  /** Face box in pixels, clamped to the image. */
  box: Box;
  /** Detector confidence in [0, 1]. */
  score: number;
  /**
   * Five landmarks in pixels, in this order: left eye centre, right eye centre (as seen in the image: left = smaller x),
   * nose tip, left mouth corner, right mouth corner. The order of the ArcFace/InsightFace 5-point template.
   */
  landmarks: Point[];
  /** The 68 iBUG-300W landmarks in pixels, where the landmark model gives them. */
  landmarks68?: Point[];
  /** The 468 MediaPipe FaceMesh points in pixels (x, y), where the detector refined the landmarks with FaceMesh. */
  mesh?: Point[];
}

/**
 * Creates an {@link RgbImage}, checking it (see `checkRgbImage`).
 * @throws {InvalidArgumentError} when the size is not positive integers or `data` does not have `width * height * 3` bytes.
 */
export function rgbImage(data: Uint8Array, width: number, height: number): RgbImage {
  const image = { data, width, height };
  checkRgbImage(image);
  return image;
}
