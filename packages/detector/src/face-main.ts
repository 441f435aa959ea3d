/**
 * The main face of an image.
 * @module
 */
import type { FaceDetection } from '@eolgul/core';

/**
 * Picks the main face of an image. Rule: among the faces whose box contains the image centre, the largest box; when no
 * box contains the centre, the face whose box centre is nearest to it. LFW images are centred on the labelled person and
 * often hold a second face; the "largest" part keeps a small spurious box inside the real face (glasses, a badge) from
 * winning.
 * @returns the index into `faces`, or -1 when `faces` is empty.
 */
export function mainFaceIndex(
  faces: readonly Pick<FaceDetection, 'box'>[],
  image: { width: number; height: number },
): number {
  const cx = image.width / 2,
    cy = image.height / 2;
  let best = -1,
    bestArea = -1;
  faces.forEach((f, i) => {
    const [x, y, w, h] = f.box;
    if (cx >= x && cx <= x + w && cy >= y && cy <= y + h && w * h > bestArea) {
      best = i;
      bestArea = w * h;
    }
  });
  if (best >= 0) return best;
  let bestD = Infinity;
  faces.forEach((f, i) => {
    const [x, y, w, h] = f.box;
    const d = Math.hypot(x + w / 2 - cx, y + h / 2 - cy);
    if (d < bestD) {
      best = i;
      bestD = d;
    }
  });
  return best;
}
