/**
 * `createFaceEmbedder`: L2-normalised face embeddings from aligned crops, with the model's input spec made explicit
 * (the catalogue's for the bundled model, the caller's for their own) and its calibrated threshold.
 * @module
 */
import {
  type ImageTensorSpec,
  imageToTensor,
  InvalidArgumentError,
  l2Normalize,
  ModelLoadError,
  mirrorImage,
  type RgbImage,
} from '@eolgul/core';
import { locateModel, MODELS, type ModelBasePath } from '@eolgul/models';
import {
  type BackendName,
  backendOf,
  createCallGate,
  type InferenceModel,
  type LoadProgress,
  loadModel,
  type ModelSource,
} from '@eolgul/runtime';

/**
 * Pixel preprocessing before the embedder, applied per channel value v in 0–255:
 * - `'arcface'`: (v − 127.5) / 128 (ArcFace / InsightFace models; the bundled model);
 * - `'standardize'`: per-image standardisation (v − mean) / max(std, 1/√n), FaceNet's `prewhiten`
 *   (davidsandberg/facenet `facenet.prewhiten`);
 * - `'minusOneOne'`: v / 127.5 − 1;
 * - `'zeroOne'`: v / 255;
 * - `'raw'`: v unchanged (0–255), for models that normalise inside the graph.
 */
export type Preprocess = 'arcface' | 'standardize' | 'minusOneOne' | 'zeroOne' | 'raw';

/** What an embedding model takes and gives: everything needed to run it correctly. */
export interface EmbedderSpec {
  /** Side of the square aligned crop, pixels (112 for ArcFace-style models, 160 for FaceNet's Inception-ResNet-v1). */
  inputSize: number;
  /** Pixel preprocessing. */
  preprocess: Preprocess;
  /** Channel order the model was trained on. */
  channelOrder: 'rgb' | 'bgr';
  /** Input tensor layout. */
  layout: 'nchw' | 'nhwc';
  /** Name of the output that holds the embedding; undefined: the largest output (found on a first run). */
  output?: string;
}

/** Load-time configuration of {@link createFaceEmbedder}. */
export interface FaceEmbedderConfig extends Partial<EmbedderSpec> {
  /**
   * Your own embedding model: an ONNX file, a tfjs `model.json` path or URL, ONNX bytes, or a `tf.io.IOHandler`.
   * Default: the bundled `embedder` of `@eolgul/models` (`fr_feature.onnx`) from `modelBasePath`, with its spec from
   * the catalogue. For your own model, the spec fields you leave out take the defaults of its backend
   * ({@link CUSTOM_MODEL_DEFAULTS}).
   */
  model?: ModelSource;
  /** Folder of the bundled model files (see `defaultModelBase` of `@eolgul/models`). */
  modelBasePath?: ModelBasePath;
  /** Called with the bytes loaded of the model file. */
  onProgress?: (progress: LoadProgress) => void;
  /** Backend of your own model; default from its format (see `backendOf` of `@eolgul/runtime`). */
  backend?: BackendName;
  /** Identifier stored with galleries, so a gallery built with one model is never searched with another (default: the catalogue's, or the last two path segments of your model). */
  modelId?: string;
  /** The model's calibrated L2 threshold (default: the catalogue's for the bundled model, 1.10; none for your own). */
  threshold?: number;
  /** ONNX Runtime intra-op threads (default 1). */
  threads?: number;
  /**
   * Numeric precision of the bundled embedder (default `'fp32'`). `'int8'` runs the catalogue's `embedder-int8`
   * (`fr_feature.int8.onnx`, made from `fr_feature.onnx` by `@eolgul/models`' build: uint8 activations, int8
   * per-channel weights, calibrated on UTKFace and NUAA faces, no LFW image): faster on CPUs with 8-bit dot-product
   * instructions (AVX-512 VNNI, AVX-VNNI), the same LFW accuracy to 0.05 pt (docs/benchmarks/pipeline.md). Both give
   * the same `modelId`: a gallery enrolled with one can be searched with the other. Only for the bundled model: a
   * `model` of your own runs at its own precision.
   */
  precision?: 'fp32' | 'int8';
  /**
   * Test-time flip: embed the crop and its mirror image and return the normalised sum (default false: it doubles the
   * cost for a gain within noise with the bundled model; docs/benchmarks/accuracy.md).
   */
  flip?: boolean;
}

/**
 * Spec defaults for your own model, by backend: ONNX models the ArcFace convention (112 px, (v − 127.5) / 128, NCHW),
 * TensorFlow.js graphs the FaceNet Keras one (160 px, `prewhiten`, NHWC); RGB for both.
 */
export const CUSTOM_MODEL_DEFAULTS: Readonly<Record<BackendName, Readonly<EmbedderSpec>>> = Object.freeze({
  onnx: Object.freeze({ inputSize: 112, preprocess: 'arcface', channelOrder: 'rgb', layout: 'nchw' }),
  tfjs: Object.freeze({ inputSize: 160, preprocess: 'standardize', channelOrder: 'rgb', layout: 'nhwc' }),
});

const BUNDLED = MODELS.embedder;

/**
 * The bundled embedder's spec and identity: a 512-d ArcFace-style model on 112×112 crops, BGR, (v − 127.5) / 128,
 * from the catalogue of `@eolgul/models`.
 */
export const DEFAULT_EMBEDDER_CONFIG = Object.freeze({
  inputSize: 112,
  preprocess: 'arcface' as Preprocess,
  channelOrder: 'bgr' as const,
  layout: 'nchw' as const,
  modelId: BUNDLED.embedding!.modelId,
  threshold: BUNDLED.embedding!.threshold,
});

/**
 * L2 distance threshold of the bundled embedder: two faces at distance ≤ 1.10 are the same person. Calibrated at
 * FAR = 1e-3 on the 3000 mismatched pairs of the LFW View-2 subset with the default pipeline (RFB-320 boxes, MTCNN ONet
 * 5 points, ArcFace 112 alignment); figures and the trade-off table: docs/benchmarks/accuracy.md. Applies to the
 * bundled model only: calibrate your own model with `eolgul lfw eval`.
 */
export const DEFAULT_THRESHOLD: number = BUNDLED.embedding!.threshold;

/** A loaded face embedder. */
export interface FaceEmbedder {
  /** Embedding length D (512 for the bundled model). Known after load. */
  readonly dimension: number;
  /** Side of the square aligned crop expected by {@link FaceEmbedder.embed}, pixels. */
  readonly inputSize: number;
  /** Model identifier stored in galleries (see {@link FaceEmbedderConfig.modelId}). */
  readonly modelId: string;
  /** The preprocessing in use. */
  readonly preprocess: Preprocess;
  /** The spec in use, every field resolved (`output`: the output read). */
  readonly spec: Readonly<Required<EmbedderSpec>>;
  /**
   * The model's calibrated L2 threshold (1.10 for the bundled model, {@link DEFAULT_THRESHOLD}); undefined for your
   * own model unless you gave one.
   */
  readonly threshold: number | undefined;
  /**
   * Embeds one aligned face crop.
   * @param crop `[inputSize, inputSize, 3]` uint8 RGB, from `alignFace` of `@eolgul/detector`.
   * @returns `Float32Array(D)` with L2 norm 1.
   * @throws {InvalidArgumentError} when the crop is not `inputSize` square. @throws {ModelDisposedError} after `dispose()`.
   */
  embed(crop: RgbImage): Promise<Float32Array>;
  /**
   * Embeds several crops in one model call (batched where the model allows it).
   * @returns one unit vector per crop, `[N, D]` as an array of `Float32Array(D)`.
   * @throws as {@link FaceEmbedder.embed}.
   */
  embedBatch(crops: readonly RgbImage[]): Promise<Float32Array[]>;
  /** Frees the model, once the calls already running have settled; later calls reject with `ModelDisposedError`. */
  dispose(): Promise<void>;
}

/** The input tensor of one crop: the spec's channels and layout, and the preprocessing's mean and scale. */
function tensorSpec(crop: RgbImage, spec: EmbedderSpec): ImageTensorSpec {
  const base = { layout: spec.layout, channels: spec.channelOrder } as const;
  switch (spec.preprocess) {
    case 'arcface':
      return { ...base, mean: 127.5, scale: 1 / 128 };
    case 'minusOneOne':
      return { ...base, mean: 127.5, scale: 1 / 127.5 };
    case 'zeroOne':
      return { ...base, mean: 0, scale: 1 / 255 };
    case 'raw':
      return { ...base, mean: 0, scale: 1 };
    default: {
      // 'standardize': this crop's own mean and standard deviation, over all its values.
      const d = crop.data;
      let s = 0,
        s2 = 0;
      for (let i = 0; i < d.length; i++) {
        s += d[i];
        s2 += d[i] * d[i];
      }
      const mean = s / d.length;
      const std = Math.sqrt(Math.max(s2 / d.length - mean * mean, 0));
      return { ...base, mean, scale: 1 / Math.max(std, 1 / Math.sqrt(d.length)) };
    }
  }
}

const PREPROCESS: readonly Preprocess[] = ['arcface', 'standardize', 'minusOneOne', 'zeroOne', 'raw'];

/** The spec of the model to load: the catalogue's for the bundled one, the backend's defaults for the caller's. */
function resolveSpec(config: FaceEmbedderConfig, backend: BackendName): EmbedderSpec {
  const defaults = config.model === undefined ? DEFAULT_EMBEDDER_CONFIG : CUSTOM_MODEL_DEFAULTS[backend];
  const spec: EmbedderSpec = {
    inputSize: config.inputSize ?? defaults.inputSize,
    preprocess: config.preprocess ?? defaults.preprocess,
    channelOrder: config.channelOrder ?? defaults.channelOrder,
    layout: config.layout ?? defaults.layout,
    output: config.output,
  };
  if (!(Number.isInteger(spec.inputSize) && spec.inputSize > 0))
    throw new InvalidArgumentError(`inputSize must be a positive integer (pixels), got ${String(spec.inputSize)}`);
  if (!PREPROCESS.includes(spec.preprocess))
    throw new InvalidArgumentError(
      `preprocess must be one of ${PREPROCESS.join(', ')}, got ${String(spec.preprocess)}`,
    );
  if (spec.channelOrder !== 'rgb' && spec.channelOrder !== 'bgr')
    throw new InvalidArgumentError(`channelOrder must be 'rgb' or 'bgr', got ${String(spec.channelOrder)}`);
  if (spec.layout !== 'nchw' && spec.layout !== 'nhwc')
    throw new InvalidArgumentError(`layout must be 'nchw' or 'nhwc', got ${String(spec.layout)}`);
  return spec;
}

/**
 * Creates a face embedder. The default is the bundled `fr_feature.onnx` of faceplugin-face-recognition-js@0.0.1 (MIT):
 * an ArcFace-style network on 112×112 crops aligned to the ArcFace 5-point template, BGR input, 512-d output, on ONNX
 * Runtime. Bring your own model the same way, with its spec, e.g. a Keras FaceNet after `tensorflowjs_converter`:
 * `createFaceEmbedder({ model: 'facenet/model.json', inputSize: 160, preprocess: 'standardize', channelOrder: 'rgb' })`.
 * Outputs are always L2-normalised.
 * @param config see {@link FaceEmbedderConfig}.
 * @throws {ModelLoadError} when the model cannot be loaded, has no output `output`, or its first run fails.
 * @throws {InvalidArgumentError} a spec field out of range; `precision` not `'fp32'` or `'int8'`, or `'int8'` with a
 *   `model` of your own.
 * @example
 * ```ts
 * const embedder = await createFaceEmbedder();
 * const v = await embedder.embed(alignFace(image, face.landmarks, embedder.inputSize));
 * v.length; // 512
 * embedder.threshold; // 1.1
 * ```
 */
export async function createFaceEmbedder(config: FaceEmbedderConfig = {}): Promise<FaceEmbedder> {
  const precision = config.precision ?? 'fp32';
  if (precision !== 'fp32' && precision !== 'int8')
    throw new InvalidArgumentError(`precision must be 'fp32' or 'int8', got ${JSON.stringify(precision)}`);
  if (precision === 'int8' && config.model !== undefined)
    throw new InvalidArgumentError(
      "precision 'int8' selects the bundled embedder's int8 file; a model of your own runs at its own precision (leave precision out)",
    );
  const bundled = precision === 'int8' ? 'embedder-int8' : 'embedder';
  const located = config.model === undefined ? locateModel(bundled, config.modelBasePath) : undefined;
  const source = config.model ?? located!.source;
  const backend = located?.backend ?? backendOf(source, config.backend);
  const spec = resolveSpec(config, backend);
  const { inputSize } = spec;
  const model: InferenceModel = await loadModel(source, {
    backend,
    threads: config.threads,
    onProgress: config.onProgress,
    sizeHint: located?.sizeHint,
    wasmBase: located?.wasmBase,
  });
  const modelId =
    config.modelId ??
    (located
      ? DEFAULT_EMBEDDER_CONFIG.modelId
      : String(typeof source === 'string' || source instanceof URL ? source : 'custom')
          .split(/[\\/]/)
          .slice(-2)
          .join('/'));
  const threshold = config.threshold ?? (located ? DEFAULT_EMBEDDER_CONFIG.threshold : undefined);
  const inputName = model.inputNames[0];
  let outputName = spec.output ?? model.outputNames[0];
  if (spec.output !== undefined && !model.outputNames.includes(spec.output)) {
    await model.dispose();
    throw new ModelLoadError(
      String(source),
      `no output named ${spec.output}; outputs: ${model.outputNames.join(', ')}`,
    );
  }
  const dims = (b: number) => (spec.layout === 'nchw' ? [b, 3, inputSize, inputSize] : [b, inputSize, inputSize, 3]);
  const per = 3 * inputSize * inputSize;
  const flip = config.flip ?? false;
  const writeInput = (crop: RgbImage, out: Float32Array, offset: number) =>
    imageToTensor(crop.data, inputSize, inputSize, tensorSpec(crop, spec), out, offset);

  let batchable = true;
  /** Raw model outputs for the crops, one model call when the model takes batches, else one call each. */
  async function raw(crops: readonly RgbImage[]): Promise<Float32Array[]> {
    const call = async (part: readonly RgbImage[]) => {
      const input = new Float32Array(per * part.length);
      part.forEach((c, i) => {
        writeInput(c, input, i * per);
      });
      const out = (await model.run({ [inputName]: { data: input, dims: dims(part.length) } }))[outputName];
      const d = out.data.length / part.length;
      return part.map((_, i) => out.data.slice(i * d, (i + 1) * d));
    };
    if (batchable && crops.length > 1) {
      try {
        return await call(crops);
      } catch {
        batchable = false; // the model has a fixed batch of 1
      }
    }
    const res: Float32Array[] = [];
    for (const c of crops) res.push((await call([c]))[0]);
    return res;
  }

  async function run(crops: readonly RgbImage[]): Promise<Float32Array[]> {
    for (const c of crops) {
      if (c.width !== inputSize || c.height !== inputSize) {
        throw new InvalidArgumentError(`embedder takes ${inputSize}×${inputSize} crops, got ${c.width}×${c.height}`);
      }
    }
    const outs = await raw(flip ? [...crops, ...crops.map(mirrorImage)] : crops);
    return crops.map((_, i) => {
      const v = outs[i];
      if (flip) for (let j = 0; j < v.length; j++) v[j] += outs[i + crops.length][j];
      return l2Normalize(v);
    });
  }

  // Probe once: learns D (and, without `output`, which output is the embedding) and warms the model up.
  let dimension: number;
  try {
    const blank = { data: new Uint8Array(per).fill(128), width: inputSize, height: inputSize };
    const outs = await model.run({ [inputName]: { data: writeInput(blank, new Float32Array(per), 0), dims: dims(1) } });
    if (spec.output === undefined) {
      outputName = Object.keys(outs).reduce((a, b) => (outs[b].data.length > outs[a].data.length ? b : a));
    }
    dimension = outs[outputName].data.length;
  } catch (err) {
    await model.dispose();
    throw new ModelLoadError(String(source), `test run failed: ${(err as Error).message}`, { cause: err });
  }
  const gate = createCallGate('face embedder');
  return {
    dimension,
    inputSize,
    modelId,
    preprocess: spec.preprocess,
    spec: Object.freeze({ ...spec, output: outputName }),
    threshold,
    embed: (crop) => gate.run(async () => (await run([crop]))[0]),
    embedBatch: (crops) => gate.run(async () => (crops.length === 0 ? [] : run(crops))),
    dispose: () => gate.close(() => model.dispose()),
  };
}
