/**
 * The 68-point landmark model (`fr_landmark.onnx` of faceplugin-face-recognition-js@0.0.1, MIT): 68 iBUG-300W points
 * from a square crop of the face box, 64×64 grey / 256; and the reduction of the 68 points to the 5 alignment points.
 * @module
 */
import { type Point, type RgbImage, imageToTensor, warpAffine } from '@eolgul/core';
import { MODELS } from '@eolgul/models';
import type { InferenceModel } from '@eolgul/runtime';

/** Side of the model's input crop, pixels. */
const LM = 64;

/**
 * Where the 68 landmarks sit in the landmark model's input crop (a square of side = detector box height, centred on the
 * box), measured over 354 LFW faces: bounding-box centre at (0.494, 0.628) of the side (sd 0.020, 0.017), larger side
 * 0.755 of the side (sd 0.053). The second landmark pass places its crop so the first pass's landmarks land there.
 */
export const LANDMARK_CROP_STATS = Object.freeze({ centerX: 0.4944, centerY: 0.6276, size: 0.755 });

/**
 * Runs the 68-point model on the square `[x, y, side]` (pixels) of the image.
 * @returns the 68 points in image pixels.
 */
export async function runLandmarks68(
  model: InferenceModel,
  image: RgbImage,
  square: readonly [number, number, number],
): Promise<Point[]> {
  const [x, y, side] = square;
  const s = side / LM;
  const crop = warpAffine(image, [s, 0, x + 0.5 * s - 0.5, 0, s, y + 0.5 * s - 0.5], LM, LM);
  const input = imageToTensor(crop.data, LM, LM, MODELS.landmarks68.input.tensor);
  const out = await model.run({ [model.inputNames[0]]: { data: input, dims: [1, 1, LM, LM] } });
  const v = out[model.outputNames[0]].data;
  const pts: Point[] = [];
  for (let i = 0; i < 68; i++) pts.push({ x: x + v[i * 2] * side, y: y + v[i * 2 + 1] * side });
  return pts;
}

/** The landmark crop in which `pts` would sit as the landmark model's training crops do (see LANDMARK_CROP_STATS). */
export function recenteredSquare(pts: readonly Point[]): [number, number, number] {
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (const p of pts) {
    if (p.x < x0) x0 = p.x;
    if (p.x > x1) x1 = p.x;
    if (p.y < y0) y0 = p.y;
    if (p.y > y1) y1 = p.y;
  }
  const side = Math.max(x1 - x0, y1 - y0) / LANDMARK_CROP_STATS.size;
  return [(x0 + x1) / 2 - LANDMARK_CROP_STATS.centerX * side, (y0 + y1) / 2 - LANDMARK_CROP_STATS.centerY * side, side];
}

/** The mean of the points `idx` of `pts`. */
export const meanPoint = (pts: readonly Point[], idx: readonly number[]): Point => ({
  x: idx.reduce((s, i) => s + pts[i].x, 0) / idx.length,
  y: idx.reduce((s, i) => s + pts[i].y, 0) / idx.length,
});

/**
 * Reduces the 68 iBUG-300W landmarks to the 5 points of the ArcFace template: eye centres (0-based 36–41 without the
 * corners 36, 39 → 37, 38, 40, 41; and 43, 44, 46, 47), nose tip 30, mouth corners (mean of 48 and 60, of 54 and 64).
 */
export function fivePoints(pts68: readonly Point[]): Point[] {
  const p = pts68;
  return [
    meanPoint(p, [37, 38, 40, 41]),
    meanPoint(p, [43, 44, 46, 47]),
    p[30],
    meanPoint(p, [48, 60]),
    meanPoint(p, [54, 64]),
  ];
}
