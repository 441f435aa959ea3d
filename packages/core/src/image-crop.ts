/**
 * Crop geometry around a face box.
 * @module
 */
import type { ImageRect } from './image-resample.js';
import type { Box } from './types.js';

/**
 * The square crop around a face box: centred on the box centre, side `scale × max(w, h)`.
 * @param box face box `[x, y, w, h]`, pixels.
 * @param scale side of the square relative to the box's longer side (1 = the box's longer side).
 * @returns the square, pixels of the image (may reach outside it).
 */
export function squareAroundBox(box: Box, scale: number): ImageRect {
  const [x, y, w, h] = box;
  const side = Math.max(w, h) * scale;
  return { x: x + w / 2 - side / 2, y: y + h / 2 - side / 2, w: side, h: side };
}
