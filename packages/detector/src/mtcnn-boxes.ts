/**
 * The box arithmetic of MTCNN's cascade, as davidsandberg/facenet's `src/align/detect_face.py` does it: boxes are
 * facenet rows `[x1, y1, x2, y2, score, dx1, dy1, dx2, dy2]` with 1-based inclusive corners.
 * @module
 */
import type { Box, Point } from '@eolgul/core';

/**
 * A value for an error message: strings quoted, so `'0.5'` is told apart from `0.5`; arrays in brackets and typed arrays
 * named, so a `Float32Array` box (refused: boxes are plain arrays) does not print like a valid `[x, y, w, h]`.
 */
export const describe = (v: unknown): string =>
  typeof v === 'string'
    ? JSON.stringify(v)
    : Array.isArray(v)
      ? `[${v.map(describe).join(', ')}]`
      : ArrayBuffer.isView(v)
        ? `a ${v.constructor.name} (${Array.from(v as unknown as ArrayLike<number>).join(', ')}), not an array`
        : String(v);

/** facenet bbreg: applies the regression [5..8] to the corners, widths counted inclusively. */
export function bbreg(b: number[]): number[] {
  const w = b[2] - b[0] + 1,
    h = b[3] - b[1] + 1;
  return [b[0] + b[5] * w, b[1] + b[6] * h, b[2] + b[7] * w, b[3] + b[8] * h, b[4]];
}

/** The face probability of row k of a net's softmax output `prob` [N, 2]. */
export const faceProb = (prob: Float32Array, k: number): number => prob[k * 2 + 1];

/** facenet's box row [x1, y1, x2, y2, score, dx1, dy1, dx2, dy2]: the corners of `b`, `score`, row k of a regression [N, 4]. */
export const withRegression = (b: number[], score: number, reg: Float32Array, k: number): number[] => [
  b[0],
  b[1],
  b[2],
  b[3],
  score,
  reg[k * 4],
  reg[k * 4 + 1],
  reg[k * 4 + 2],
  reg[k * 4 + 3],
];

/** Corners not crossed: a box facenet passes to the next stage. */
export const upright = (b: number[]): boolean => b[2] >= b[0] && b[3] >= b[1];

/**
 * Row k of ONet's `points` [N, 10] (x0..x4, y0..y4, 0–1 of the crop) in image pixels, for the crop's facenet corners `b`
 * (1-based, inclusive).
 */
export function onetPoints(b: number[], points: Float32Array, k: number): Point[] {
  const bw = b[2] - b[0] + 1,
    bh = b[3] - b[1] + 1;
  const pts: Point[] = [];
  for (let j = 0; j < 5; j++)
    pts.push({ x: b[0] - 1 + points[k * 10 + j] * bw, y: b[1] - 1 + points[k * 10 + 5 + j] * bh });
  return pts;
}

/** facenet rerec: the square of side max(w, h) around the box centre. */
export function rerec(b: number[]): number[] {
  const h = b[3] - b[1],
    w = b[2] - b[0],
    l = Math.max(w, h);
  const x1 = b[0] + w * 0.5 - l * 0.5,
    y1 = b[1] + h * 0.5 - l * 0.5;
  return [x1, y1, x1 + l, y1 + l, b[4]];
}

/** np.fix of the four corners. */
export const fixCorners = (b: number[]): number[] => b.map((v, k) => (k < 4 ? Math.trunc(v) : v));

/** facenet nms: indices kept, highest score first (ties: the later box first, as numpy's argsort then pop from the end). */
export function nmsIndices(boxes: number[][], threshold: number, method: 'union' | 'min'): number[] {
  const area = (b: number[]) => (b[2] - b[0] + 1) * (b[3] - b[1] + 1);
  let rest = boxes.map((_, i) => i).sort((a, b) => boxes[a][4] - boxes[b][4]);
  const pick: number[] = [];
  while (rest.length) {
    const i = rest[rest.length - 1];
    pick.push(i);
    const bi = boxes[i],
      ai = area(bi);
    rest = rest.slice(0, -1).filter((j) => {
      const bj = boxes[j];
      const ww = Math.max(0, Math.min(bi[2], bj[2]) - Math.max(bi[0], bj[0]) + 1);
      const hh = Math.max(0, Math.min(bi[3], bj[3]) - Math.max(bi[1], bj[1]) + 1);
      const inter = ww * hh,
        aj = area(bj);
      return (method === 'min' ? inter / Math.min(ai, aj) : inter / (ai + aj - inter)) <= threshold;
    });
  }
  return pick;
}

export const nms = (boxes: number[][], threshold: number, method: 'union' | 'min'): number[][] =>
  nmsIndices(boxes, threshold, method).map((i) => boxes[i]);

/** facenet corners (1-based, inclusive) → [x, y, w, h] in pixels (0-based), clamped to the image. */
export function clampBox(b: number[], W: number, H: number): Box {
  const x1 = Math.min(W, Math.max(0, b[0] - 1)),
    y1 = Math.min(H, Math.max(0, b[1] - 1));
  const x2 = Math.min(W, Math.max(0, b[2])),
    y2 = Math.min(H, Math.max(0, b[3]));
  return [x1, y1, Math.max(0, x2 - x1), Math.max(0, y2 - y1)];
}
