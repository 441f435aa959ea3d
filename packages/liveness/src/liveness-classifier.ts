import {
  type Box,
  checkBox,
  checkRgbImage,
  imageToTensor,
  InvalidArgumentError,
  ModelLoadError,
  type RgbImage,
  warpAffine,
} from '@eolgul/core';
import { locateModel, type ModelBasePath } from '@eolgul/models';
import {
  type BackendName,
  createCallGate,
  type InferenceModel,
  type LoadProgress,
  type ModelSource,
  loadModel,
} from '@eolgul/runtime';

/**
 * Score at or above which a face is taken as live: the live class's softmax probability ≥ 0.5, i.e. the model finds
 * "live" more likely than its two attack classes together. It is the model's own decision, not fitted to the dev set.
 * Measured on the NUAA dev set (7 subjects, 140 live and 140 print-attack webcam frames; `docs/benchmarks/liveness.md`)
 * with the default model: APCER 0.00 % (no attack accepted), BPCER 1.43 % (2 live frames of one subject refused),
 * ACER 0.71 %, AUC 1.0000. Print attacks only: screen replays and masks are not in that set.
 */
export const LIVENESS_THRESHOLD = 0.5;

/** One face's passive liveness. */
export interface LivenessResult {
  /** `score >= threshold`: the face is taken as a live person in front of the camera, not a photo of one. */
  live: boolean;
  /** Probability that the face is live, in [0, 1]; higher = more live. */
  score: number;
  /** Name of the model that gave the score (e.g. `'faceplugin-liveness'`). */
  model: string;
}

/**
 * Everything needed to run one liveness model: where it is and how it was trained to see a face.
 */
export interface LivenessModelSpec {
  /** Short name, reported in {@link LivenessResult.model}. */
  name: string;
  /** The model: an ONNX file path or URL, ONNX bytes, or a tfjs `model.json`. */
  source: ModelSource;
  /** Backend; default chosen from the source's format. */
  backend?: BackendName;
  /** Side of the square input, pixels. */
  inputSize: number;
  /** Crop side / face box side, per side (see {@link livenessCropRect}). */
  cropScale: number;
  /** Channel order of the input planes (`[1, 3, size, size]`). */
  channelOrder: 'rgb' | 'bgr';
  /** Each 0–255 value is multiplied by this (1: raw values). */
  pixelScale: number;
  /** Index of the live class in the model's output, which is softmaxed. */
  liveClass: number;
}

/**
 * The bundled liveness model: `fr_liveness.onnx` of faceplugin-face-recognition-js@0.0.1 (MIT), a MiniFASNet-like
 * network (minivision-ai Silent-Face-Anti-Spoofing's design) with 3 classes, class 0 live. Input `[1, 3, 128, 128]`:
 * the face box scaled 2.7× about its centre (kept inside the image, stretched to the square), **BGR** planes of raw
 * 0–255 values. The package's browser code feeds RGB; BGR (the OpenCV order the model was trained with, as for the
 * embedder of the same package) separates the NUAA dev set far better: AUC 1.0000 against 0.95
 * (`docs/benchmarks/liveness.md`).
 * @param modelBasePath the folder of the model files (default: `@eolgul/models`' own folder in Node, `models/` beside
 *   the page in a browser; see `locateModel` of `@eolgul/models`).
 * @returns a fresh spec you may change.
 */
export function defaultLivenessModelSpec(modelBasePath?: ModelBasePath): LivenessModelSpec {
  return {
    name: 'faceplugin-liveness',
    source: locateModel('liveness', modelBasePath).source,
    backend: 'onnx',
    inputSize: 128,
    cropScale: 2.7,
    channelOrder: 'bgr',
    pixelScale: 1,
    liveClass: 0,
  };
}

/** Load-time configuration of {@link createLivenessClassifier}. */
export interface LivenessClassifierConfig {
  /** The model: a full spec, or the bundled one ({@link defaultLivenessModelSpec}) by default. */
  model?: LivenessModelSpec;
  /** Score at or above which a face is live (default {@link LIVENESS_THRESHOLD}), in [0, 1]. */
  threshold?: number;
  /** ONNX Runtime intra-op threads (default 1). */
  threads?: number;
  /** Folder (path or URL) of the bundled model file when `model` is not given; see {@link defaultLivenessModelSpec}. */
  modelBasePath?: ModelBasePath;
  /** Called as the model file loads: `{ file, loaded, total }` in bytes. */
  onProgress?: (progress: LoadProgress) => void;
}

/** A loaded passive-liveness classifier. */
export interface LivenessClassifier {
  /** The threshold `live` is decided with. */
  readonly threshold: number;
  /** The model's name. */
  readonly model: string;
  /**
   * Tells whether one face is a live person or a presentation attack (a printed photo held up to the camera), from
   * this one frame.
   * @param image the whole decoded 8-bit RGB frame (the model looks at the face's surroundings too: pass the frame,
   *   not a face crop).
   * @param face the face's box `[x, y, w, h]` in pixels, or a detection with `.box` — from eolgul's default detector:
   *   the crop is relative to that detector's box.
   * @returns `{ live, score, model }`.
   * @throws {InvalidArgumentError} a malformed image, or a box that is not 4 finite numbers with positive size
   *   overlapping the image.
   * @throws {ModelDisposedError} after {@link LivenessClassifier.dispose}.
   * @example
   * ```ts
   * const liveness = await createLivenessClassifier();
   * const frame = await readImage('live/0001_00_00_01_0.jpg'); // a NUAA webcam frame
   * const face = largest(await detector.detect(frame));
   * await liveness.classify(frame, face); // { live: true, score: 0.999719378677123, model: 'faceplugin-liveness' }
   * ```
   */
  classify(image: RgbImage, face: Box | { box: Box }): Promise<LivenessResult>;
  /** Frees the model once running calls have settled. Later calls reject. */
  dispose(): Promise<void>;
}

/**
 * The crop of a MiniFASNet-style liveness model (minivision-ai Silent-Face-Anti-Spoofing's `CropImage`): the face box
 * scaled by `scale` about its centre — each side separately, so the crop keeps the box's aspect — with the scale
 * lowered so the crop fits in the image, then shifted to lie inside it. The model sees the face with its
 * surroundings (hands, the edge of a printed photo, a screen's frame); the crop is stretched to the model's square input.
 * @param box face box `[x, y, w, h]`, pixels.
 * @param image the image's size.
 * @param scale crop side / box side (2.7 for `fr_liveness.onnx`).
 * @returns the crop rectangle `[x, y, w, h]`, inside `[0, width − 1] × [0, height − 1]`.
 */
export function livenessCropRect(box: Box, image: { width: number; height: number }, scale: number): Box {
  const [x, y, bw, bh] = box;
  const s = Math.min((image.height - 1) / bh, (image.width - 1) / bw, scale);
  const w = bw * s,
    h = bh * s;
  const left = Math.min(Math.max(x + bw / 2 - w / 2, 0), image.width - 1 - w);
  const top = Math.min(Math.max(y + bh / 2 - h / 2, 0), image.height - 1 - h);
  return [left, top, w, h];
}

/**
 * `rect` of `image` stretched to `size × size` by bilinear sampling with half-pixel centres, rounded to bytes: OpenCV's
 * `cv2.resize(INTER_LINEAR)` on an 8-bit crop, as the liveness models were trained. No area averaging when shrinking:
 * the fine texture of a print is what the model looks at.
 */
function stretchCrop(image: RgbImage, [x, y, w, h]: Box, size: number): RgbImage {
  const sx = w / size,
    sy = h / size;
  return warpAffine(image, [sx, 0, x + 0.5 * sx - 0.5, 0, sy, y + 0.5 * sy - 0.5], size, size);
}

function checkSpec(s: LivenessModelSpec): void {
  const bad = (why: string) => new InvalidArgumentError(`liveness model ${s?.name}: ${why}`);
  if (!s || typeof s !== 'object') throw new InvalidArgumentError('model must be a LivenessModelSpec');
  if (!Number.isInteger(s.inputSize) || s.inputSize <= 0)
    throw bad(`inputSize must be a positive integer, got ${s.inputSize}`);
  if (!(s.cropScale > 0 && Number.isFinite(s.cropScale)))
    throw bad(`cropScale must be a positive number, got ${s.cropScale}`);
  if (s.channelOrder !== 'rgb' && s.channelOrder !== 'bgr') throw bad(`channelOrder must be 'rgb' or 'bgr'`);
  if (!(Number.isFinite(s.pixelScale) && s.pixelScale > 0)) throw bad(`pixelScale must be a positive number`);
  if (!Number.isInteger(s.liveClass) || s.liveClass < 0) throw bad(`liveClass must be a class index`);
}

/**
 * Creates a passive liveness classifier: one frame, one face → live or presentation attack, with a score.
 * The default model is `fr_liveness.onnx` (see {@link defaultLivenessModelSpec}), shipped in `@eolgul/models` and run on
 * ONNX Runtime through `@eolgul/runtime`.
 * @param config see {@link LivenessClassifierConfig}.
 * @throws {InvalidArgumentError} a malformed spec, or `threshold` outside [0, 1].
 * @throws {ModelLoadError} when the model cannot be loaded, or its output has no class `liveClass`.
 */
export async function createLivenessClassifier(config: LivenessClassifierConfig = {}): Promise<LivenessClassifier> {
  const located = config.model === undefined ? locateModel('liveness', config.modelBasePath) : undefined;
  const spec = config.model ?? defaultLivenessModelSpec(config.modelBasePath);
  checkSpec(spec);
  const threshold = config.threshold ?? LIVENESS_THRESHOLD;
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1))
    throw new InvalidArgumentError(`threshold must be a number in [0, 1], got ${String(threshold)}`);
  const model: InferenceModel = await loadModel(spec.source, {
    backend: spec.backend,
    threads: config.threads ?? 1,
    onProgress: config.onProgress,
    sizeHint: located?.sizeHint,
    wasmBase: located?.wasmBase,
  });
  const size = spec.inputSize;

  async function score(image: RgbImage, box: Box): Promise<number> {
    const crop = stretchCrop(image, livenessCropRect(box, image, spec.cropScale), size);
    const data = imageToTensor(crop.data, size, size, {
      layout: 'nchw',
      channels: spec.channelOrder,
      scale: spec.pixelScale,
    });
    const out = await model.run({ [model.inputNames[0]]: { data, dims: [1, 3, size, size] } });
    const logits = out[model.outputNames[0]].data;
    if (logits.length <= spec.liveClass)
      throw new ModelLoadError(spec.name, `model gives ${logits.length} classes, liveClass is ${spec.liveClass}`);
    const max = Math.max(...logits);
    let sum = 0;
    for (const v of logits) sum += Math.exp(v - max);
    const p = Math.exp(logits[spec.liveClass] - max) / sum;
    if (!Number.isFinite(p)) throw new InvalidArgumentError(`liveness model ${spec.name} returned a non-finite value`);
    return p;
  }

  try {
    await score({ data: new Uint8Array(64 * 64 * 3).fill(128), width: 64, height: 64 }, [16, 16, 32, 32]);
  } catch (err) {
    await model.dispose();
    if (err instanceof ModelLoadError) throw err;
    throw new ModelLoadError(spec.name, `test run failed: ${(err as Error).message}`, { cause: err });
  }

  const gate = createCallGate('liveness classifier');
  return {
    threshold,
    model: spec.name,
    classify: (image, face) =>
      gate.run(async () => {
        checkRgbImage(image);
        const box = Array.isArray(face) ? face : (face as { box?: Box } | null)?.box;
        if (!Array.isArray(box))
          throw new InvalidArgumentError(
            `a face must be a box [x, y, width, height] or { box }, got ${JSON.stringify(face)}`,
          );
        checkBox(box, image.width, image.height);
        const s = await score(image, box);
        return { live: s >= threshold, score: s, model: spec.name };
      }),
    dispose: () => gate.close(() => model.dispose()),
  };
}
