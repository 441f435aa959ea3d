import type { RgbImage } from '@eolgul/core';
import { InvalidArgumentError, ModelLoadError, l2Normalize } from '@eolgul/core';
import { modelPath } from '@eolgul/models';
import { loadModel, type BackendName, type InferenceModel, type ModelSource } from '@eolgul/runtime';

/**
 * Pixel preprocessing before the embedder, applied per channel value v in 0–255:
 * - `'arcface'`: (v − 127.5) / 128 (ArcFace / InsightFace models; the default model);
 * - `'standardize'`: per-image standardisation (v − mean) / max(std, 1/√n), FaceNet's `prewhiten`
 *   (davidsandberg/facenet `facenet.prewhiten`), the seed project's choice;
 * - `'minusOneOne'`: v / 127.5 − 1;
 * - `'zeroOne'`: v / 255;
 * - `'raw'`: v unchanged (0–255), for models that normalise inside the graph.
 */
export type Preprocess = 'arcface' | 'standardize' | 'minusOneOne' | 'zeroOne' | 'raw';

/** Load-time configuration of {@link createFaceNet}. */
export interface FaceNetConfig {
  /** Embedding model: an ONNX file, a tfjs `model.json` path or URL, or a `tf.io.IOHandler`. Default: `fr_feature.onnx` from `@eolgul/models`. */
  model?: ModelSource;
  /** Backend; default chosen from the model's format (see `loadModel` in `@eolgul/runtime`). */
  backend?: BackendName;
  /** Side of the square aligned crop the model takes, pixels (default 112; FaceNet Inception-ResNet-v1 takes 160). */
  inputSize?: number;
  /** Pixel preprocessing (default `'arcface'`). */
  preprocess?: Preprocess;
  /** Channel order the model was trained on (default `'bgr'` for the default model: 99.62 % vs 99.35 % RGB on our LFW pairs). */
  channelOrder?: 'rgb' | 'bgr';
  /** Tensor layout (default `'nchw'` for ONNX models, `'nhwc'` for tfjs models). */
  layout?: 'nchw' | 'nhwc';
  /** Name of the model output that holds the embedding (default: the largest output, e.g. `global_pooling/Mean` of Human's faceres beside its age and gender heads). */
  output?: string;
  /** Identifier stored with galleries, so a gallery built with one model is never searched with another (default: derived from the model). */
  modelId?: string;
  /** ONNX Runtime intra-op threads (default 1). */
  threads?: number;
  /**
   * Numeric precision of the bundled embedder (default `'fp32'`). `'int8'` runs `fr_feature.int8.onnx`, made from
   * `fr_feature.onnx` by `@eolgul/models`' build (uint8 activations, int8 per-channel weights, calibrated on UTKFace and
   * NUAA faces, no LFW image): about 3× faster on CPUs with 8-bit dot-product instructions (AVX-512 VNNI, AVX-VNNI),
   * embeddings within cosine 0.99 of FP32's on LFW crops and the same LFW accuracy to 0.05 pt
   * (docs/benchmarks/pipeline.md). Both give the same `modelId`: a gallery enrolled with one can be searched with the
   * other. Only for the bundled model: a `model` of your own runs at its own precision.
   */
  precision?: 'fp32' | 'int8';
  /**
   * Test-time flip: embed the crop and its mirror image and return the normalised sum (default false: it doubles the
   * cost and measured no gain for the default model; see docs/benchmarks/accuracy.md).
   */
  flip?: boolean;
}

/** Default configuration: the bundled 512-d ArcFace-style embedder. */
export const DEFAULT_FACENET_CONFIG = Object.freeze({
  inputSize: 112,
  preprocess: 'arcface' as Preprocess,
  channelOrder: 'bgr' as const,
  modelId: 'faceplugin-fr_feature-512',
});

/** A loaded face embedder. */
export interface FaceNet {
  /** Embedding length D (e.g. 512 for the default model, 128 for FaceNet). Known after load. */
  readonly dimension: number;
  /** Side of the square aligned crop expected by {@link FaceNet.embed}, pixels. */
  readonly inputSize: number;
  /** Model identifier stored in galleries (see {@link FaceNetConfig.modelId}). */
  readonly modelId: string;
  /** The preprocessing in use. */
  readonly preprocess: Preprocess;
  /**
   * Embeds one aligned face crop.
   * @param crop `[inputSize, inputSize, 3]` uint8 RGB, from `alignFace` of `@eolgul/detector`.
   * @returns `Float32Array(D)` with L2 norm 1.
   * @throws {InvalidArgumentError} when the crop is not `inputSize` square.
   */
  embed(crop: RgbImage): Promise<Float32Array>;
  /**
   * Embeds several crops in one model call (batched where the model allows it).
   * @returns one unit vector per crop, `[N, D]` as an array of `Float32Array(D)`.
   */
  embedBatch(crops: readonly RgbImage[]): Promise<Float32Array[]>;
  /** Frees the model. */
  dispose(): Promise<void>;
}

/**
 * Fills `out` (starting at `offset`) with one preprocessed crop in the given layout.
 */
function writeInput(
  crop: RgbImage,
  out: Float32Array,
  offset: number,
  pre: Preprocess,
  bgr: boolean,
  nchw: boolean,
): void {
  const n = crop.width * crop.height;
  const d = crop.data;
  let mean = 0,
    scale = 1;
  if (pre === 'standardize') {
    let s = 0,
      s2 = 0;
    for (let i = 0; i < d.length; i++) {
      s += d[i];
      s2 += d[i] * d[i];
    }
    mean = s / d.length;
    const std = Math.sqrt(Math.max(s2 / d.length - mean * mean, 0));
    scale = 1 / Math.max(std, 1 / Math.sqrt(d.length));
  } else if (pre === 'arcface') {
    mean = 127.5;
    scale = 1 / 128;
  } else if (pre === 'minusOneOne') {
    mean = 127.5;
    scale = 1 / 127.5;
  } else if (pre === 'raw') {
    mean = 0;
    scale = 1;
  } else {
    mean = 0;
    scale = 1 / 255;
  }
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) {
      const v = (d[p * 3 + (bgr ? 2 - c : c)] - mean) * scale;
      out[offset + (nchw ? c * n + p : p * 3 + c)] = v;
    }
  }
}

/** Mirrors an image left–right. */
function mirror(img: RgbImage): RgbImage {
  const out = new Uint8Array(img.data.length);
  const { width: w, height: h, data } = img;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * 3,
        t = (y * w + (w - 1 - x)) * 3;
      out[t] = data[s];
      out[t + 1] = data[s + 1];
      out[t + 2] = data[s + 2];
    }
  }
  return { data: out, width: w, height: h };
}

/**
 * Creates a face embedder. The default is `fr_feature.onnx` of faceplugin-face-recognition-js@0.0.1 (MIT), an
 * ArcFace-style network on 112×112 crops aligned to the ArcFace 5-point template, 512-d output, BGR input,
 * run on ONNX Runtime; it scores 99.6 % on our LFW pairs. Bring your own model the same way, e.g. the seed's Keras
 * FaceNet after `tensorflowjs_converter`:
 * `createFaceNet({ model: 'facenet/model.json', inputSize: 160, preprocess: 'standardize', channelOrder: 'rgb' })`.
 * Outputs are always L2-normalised.
 * @throws {ModelLoadError} when the model cannot be loaded or its output is not a vector.
 * @throws {InvalidArgumentError} `precision` is not `'fp32'` or `'int8'`, or is `'int8'` with a `model` of your own.
 * @example
 * ```ts
 * const facenet = await createFaceNet();
 * const v = await facenet.embed(alignFace(image, face.landmarks, facenet.inputSize));
 * v.length; // 512
 * ```
 */
export async function createFaceNet(config: FaceNetConfig = {}): Promise<FaceNet> {
  const precision = config.precision ?? 'fp32';
  if (precision !== 'fp32' && precision !== 'int8')
    throw new InvalidArgumentError(`precision must be 'fp32' or 'int8', got ${JSON.stringify(precision)}`);
  if (precision === 'int8' && config.model !== undefined)
    throw new InvalidArgumentError(
      "precision 'int8' selects the bundled embedder's int8 file; a model of your own runs at its own precision (leave precision out)",
    );
  const source = config.model ?? modelPath(precision === 'int8' ? 'embedder-int8' : 'embedder');
  const model: InferenceModel = await loadModel(source, { backend: config.backend, threads: config.threads });
  const isDefault = config.model === undefined;
  const inputSize = config.inputSize ?? (isDefault || model.backend === 'onnx' ? 112 : 160);
  const preprocess =
    config.preprocess ?? (isDefault ? 'arcface' : model.backend === 'onnx' ? 'arcface' : 'standardize');
  const bgr = (config.channelOrder ?? (isDefault ? 'bgr' : 'rgb')) === 'bgr';
  const nchw = (config.layout ?? (model.backend === 'onnx' ? 'nchw' : 'nhwc')) === 'nchw';
  const modelId =
    config.modelId ??
    (isDefault
      ? DEFAULT_FACENET_CONFIG.modelId
      : String(typeof source === 'string' || source instanceof URL ? source : 'custom')
          .split(/[\\/]/)
          .slice(-2)
          .join('/'));
  const inputName = model.inputNames[0];
  let outputName = config.output ?? model.outputNames[0];
  if (config.output !== undefined && !model.outputNames.includes(config.output)) {
    await model.dispose();
    throw new ModelLoadError(
      String(source),
      `no output named ${config.output}; outputs: ${model.outputNames.join(', ')}`,
    );
  }
  const dims = (b: number) => (nchw ? [b, 3, inputSize, inputSize] : [b, inputSize, inputSize, 3]);
  const per = 3 * inputSize * inputSize;
  const flip = config.flip ?? false;

  let batchable = true;
  /** Raw model outputs for the crops, one model call when the model takes batches, else one call each. */
  async function raw(crops: readonly RgbImage[]): Promise<Float32Array[]> {
    const call = async (part: readonly RgbImage[]) => {
      const input = new Float32Array(per * part.length);
      part.forEach((c, i) => {
        writeInput(c, input, i * per, preprocess, bgr, nchw);
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
    const outs = await raw(flip ? [...crops, ...crops.map(mirror)] : crops);
    return crops.map((_, i) => {
      const v = outs[i];
      if (flip) for (let j = 0; j < v.length; j++) v[j] += outs[i + crops.length][j];
      return l2Normalize(v);
    });
  }

  // Probe once: learns D and warms the model up.
  let dimension: number;
  try {
    const blank = { data: new Uint8Array(per).fill(128), width: inputSize, height: inputSize };
    const input = new Float32Array(per);
    writeInput(blank, input, 0, preprocess, bgr, nchw);
    const outs = await model.run({ [inputName]: { data: input, dims: dims(1) } });
    if (config.output === undefined) {
      outputName = Object.keys(outs).reduce((a, b) => (outs[b].data.length > outs[a].data.length ? b : a));
    }
    dimension = outs[outputName].data.length;
  } catch (err) {
    await model.dispose();
    throw new ModelLoadError(String(source), `test run failed: ${(err as Error).message}`, { cause: err });
  }
  return {
    dimension,
    inputSize,
    modelId,
    preprocess,
    async embed(crop) {
      return (await run([crop]))[0];
    },
    async embedBatch(crops) {
      return crops.length === 0 ? [] : run(crops);
    },
    async dispose() {
      await model.dispose();
    },
  };
}

/**
 * Default L2 distance threshold of the bundled embedder: two faces at distance ≤ 1.10 are the same person.
 * Calibrated at FAR = 1e-3 on the 3000 mismatched pairs of our LFW View-2 subset with the default pipeline (detector
 * boxes, MTCNN ONet 5 points, ArcFace 112 alignment): 3 false accepts of 3000 at 1.10, 5 at 1.12; TAR 99.2 % there. On
 * 300,000 random impostor pairs of the same images, FAR at 1.10 is about 4e-4. The best 10-fold accuracy threshold is
 * higher, about 1.16 (see docs/benchmarks/accuracy.md). The seed project used 1.1 for its FaceNet.
 * Applies to the default model only: calibrate your own model with `eolgul lfw eval`.
 */
export const DEFAULT_THRESHOLD = 1.1;
