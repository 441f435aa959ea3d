/**
 * The default face detector: the RFB-320 style detector `fr_detect.onnx` of faceplugin-face-recognition-js@0.0.1
 * (MIT). The whole image resized to 320×240, RGB, (v − 127) / 128, one pass; its `boxes` output holds normalised
 * corners (decoded in the graph), `scores` [N, 2]. Candidates above the minimum score go through greedy non-maximum
 * suppression by IoU, and a small box lying mostly inside a larger one (glasses, a badge) is dropped.
 * @module
 */
import { type Box, type FaceDetection, type Point, type RgbImage, resizeToTensor } from '@eolgul/core';
import { MODELS } from '@eolgul/models';
import type { InferenceModel } from '@eolgul/runtime';
import { loadDetectorModel } from './detector-models.js';
import { mainFaceIndex } from './face-main.js';
import type { FaceDetectorConfig, FaceFinder } from './face-detector.js';
import type { LandmarkSources } from './face-landmark-sources.js';
import { fivePoints, recenteredSquare, runLandmarks68 } from './face-landmarks-68.js';

const IN_W = 320;
const IN_H = 240;

/** A face box found by the detector. */
export interface DetectedBox {
  /** `[x, y, w, h]` pixels, clamped to the image, to 0.1 px. */
  box: Box;
  /** Square of side = box height around the box centre (unclamped), `[x, y, side]`: the 68-point model's crop. */
  square: [number, number, number];
  /** Detector score in [0, 1]. */
  score: number;
}

interface Corners {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
}

/**
 * Runs the detector on an image.
 * @param minScore boxes scoring less are dropped.
 * @param iou IoU above which the lower-scoring of two boxes is dropped.
 * @returns the boxes, highest score first.
 */
export async function detectRfb320(
  model: InferenceModel,
  image: RgbImage,
  minScore: number,
  iou: number,
): Promise<DetectedBox[]> {
  const input = resizeToTensor(image, IN_W, IN_H, MODELS.rfb320.input.tensor);
  const out = await model.run({ [model.inputNames[0]]: { data: input, dims: [1, 3, IN_H, IN_W] } });
  const scores = out.scores.data;
  const boxes = out.boxes.data;
  const n = scores.length / 2;
  const cand: Corners[] = [];
  for (let i = 0; i < n; i++) {
    const s = scores[i * 2 + 1];
    if (s < minScore) continue;
    cand.push({
      x1: boxes[i * 4] * image.width,
      y1: boxes[i * 4 + 1] * image.height,
      x2: boxes[i * 4 + 2] * image.width,
      y2: boxes[i * 4 + 3] * image.height,
      score: s,
    });
  }
  cand.sort((a, b) => b.score - a.score);
  const kept: Corners[] = [];
  for (const c of cand) {
    if (kept.every((k) => boxIou(k, c) <= iou && !mostlyInside(c, k))) kept.push(c);
    if (kept.length >= 750) break;
  }
  return kept.map((c) => {
    const side = c.y2 - c.y1;
    const cx = (c.x1 + c.x2) / 2,
      cy = (c.y1 + c.y2) / 2;
    return {
      box: clampBox(c.x1, c.y1, c.x2, c.y2, image),
      square: [cx - side / 2, cy - side / 2, side],
      score: c.score,
    };
  });
}

function boxIou(a: Corners, b: Corners): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter);
}

/** True when at least 80 % of box `a` lies inside box `b` and `a` is less than half as large: a spurious small box in a face. */
function mostlyInside(a: Corners, b: Corners): boolean {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return false;
  const areaA = (a.x2 - a.x1) * (a.y2 - a.y1);
  return (w * h) / areaA >= 0.8 && areaA < 0.5 * (b.x2 - b.x1) * (b.y2 - b.y1);
}

function clampBox(x1: number, y1: number, x2: number, y2: number, image: RgbImage): Box {
  const cx1 = Math.max(0, Math.min(image.width, x1)),
    cy1 = Math.max(0, Math.min(image.height, y1));
  const cx2 = Math.max(0, Math.min(image.width, x2)),
    cy2 = Math.max(0, Math.min(image.height, y2));
  const r = (v: number) => Math.round(v * 10) / 10;
  return [r(cx1), r(cy1), r(cx2 - cx1), r(cy2 - cy1)];
}

/**
 * The RFB-320 detector behind `createFaceDetector`: boxes, then each box's 5 points from the configured source (ONet,
 * with the 68-point model where ONet rejects the box; or the 68-point model).
 */
export async function createRfb320Finder(config: FaceDetectorConfig, sources: LandmarkSources): Promise<FaceFinder> {
  const model = await loadDetectorModel('rfb320', config.detectorModel, config);
  return {
    async find(image, o) {
      let boxes = (await detectRfb320(model, image, o.minScore, o.iouThreshold)).slice(0, o.maxFaces);
      if (o.mainFaceOnly && boxes.length > 1) boxes = [boxes[mainFaceIndex(boxes, image)]];
      // ONet's points for every box it accepts (a box clamped to nothing at the image edge is not asked).
      const onet: (Point[] | undefined)[] = boxes.map(() => undefined);
      if (o.landmarks === 'onet') {
        const asked = boxes.flatMap((b, i) => (b.box[2] > 0 && b.box[3] > 0 ? [i] : []));
        if (asked.length) {
          const refined = await (await sources.onet.get()).refine(
            image,
            asked.map((i) => boxes[i].box),
          );
          refined.forEach((r, k) => {
            onet[asked[k]] = r?.landmarks;
          });
        }
      }
      const faces: FaceDetection[] = [];
      for (const [i, b] of boxes.entries()) {
        // The 68-point model runs when its points are used: asked for, or the 5 points where ONet gave none.
        let pts68: Point[] | undefined;
        if (o.withLandmarks68 || !onet[i]) {
          const lm = await sources.landmarks68.get();
          pts68 = await runLandmarks68(lm, image, b.square);
          if (o.landmarkPasses === 2) pts68 = await runLandmarks68(lm, image, recenteredSquare(pts68));
        }
        const face: FaceDetection = { box: b.box, score: b.score, landmarks: onet[i] ?? fivePoints(pts68!) };
        if (o.withLandmarks68) face.landmarks68 = pts68;
        faces.push(face);
      }
      return faces;
    },
    dispose: () => model.dispose(),
  };
}
