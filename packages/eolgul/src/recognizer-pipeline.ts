/**
 * The composed detect → align → embed (→ emotion) pipeline: the one place where the model packages are put together.
 * Platform-free: it takes decoded RGB images.
 * @module
 */
import type { FaceDetection, RgbImage } from '@eolgul/core';
import { alignFace, createFaceDetector, mainFaceIndex, type DetectOptions } from '@eolgul/detector';
import {
  createAttributeEstimator,
  faceSharpness,
  type AttributeEstimator,
  type FaceAttributes,
} from '@eolgul/attributes';
import { createEmotionClassifier, type EmotionClassifier, type EmotionResult } from '@eolgul/emotion';
import { DEFAULT_THRESHOLD, createFaceEmbedder, type FaceEmbedder } from '@eolgul/embedder';
import { createLivenessClassifier, type LivenessClassifier, type LivenessResult } from '@eolgul/liveness';
import type { ResolvedConfig } from './recognizer-config.js';

/** One analysed face, in the pixels of the image it was found in; no gallery match yet. */
export interface PipelineFace extends FaceDetection {
  /** Unit-norm embedding, `Float32Array(D)`; absent with `detectOnly`. */
  embedding?: Float32Array;
  /** Expression, when the pipeline classifies it. */
  emotion?: EmotionResult;
  /** Passive liveness, with `liveness` in the configuration. */
  liveness?: LivenessResult;
  /** Age, gender, head pose and eye state, with `attributes` (or `quality`) in the configuration. */
  attributes?: FaceAttributes;
  /** `faceSharpness` of `@eolgul/attributes`, with `quality` in the configuration. */
  sharpness?: number;
}

/** Per-image options of {@link Pipeline.analyse}. */
export interface PipelineAnalyseOptions {
  maxFaces?: number;
  minScore?: number;
  /**
   * Detect again at {@link RETRY_MIN_SCORE} when the first pass finds no face, then `'only'`: embed the main face alone;
   * `'find'`: embed every face. Default: one pass, every face.
   */
  mainFace?: 'only' | 'find';
  /** Faces already found on this image (its pixels): embed these instead of detecting. */
  faces?: readonly FaceDetection[];
  /** Detect only: no embedding, no emotion. */
  detectOnly?: boolean;
}

/** Faces of one image, each embedded, and which is the main one. */
export interface PipelineResult {
  /** Highest detector score first (with `mainFace: 'only'`, the main face alone). */
  faces: PipelineFace[];
  /** Index of the main face in `faces` (see `mainFaceIndex` of `@eolgul/detector`); -1 when there is no face. */
  main: number;
}

/**
 * Score at which detection runs again when the first pass finds no face and only the main face is wanted: faces that
 * the detector scores low in tight LFW-style crops are still real faces (measured on the LFW subset,
 * docs/benchmarks/accuracy.md).
 */
export const RETRY_MIN_SCORE = 0.2;

/** What the embedder and the alignment are, for galleries. */
export interface PipelineInfo {
  dimension: number;
  modelId: string;
  /** E.g. `'arcface, 5 points fr_detect+onet'`: the embedder's pixel preprocessing and the source of the 5 points. */
  preprocess: string;
  /** The embedder's calibrated L2 threshold (1.10 for the bundled model). */
  threshold: number;
}

/** The loaded models, composed. */
export interface Pipeline extends PipelineInfo {
  /** Faces of `image` (its pixels), each embedded (and classified). */
  analyse(image: RgbImage, options?: PipelineAnalyseOptions): Promise<PipelineResult>;
  dispose(): Promise<void>;
}

/**
 * Where the 5 alignment points come from, as galleries record it (the same strings as the `eolgul` command has
 * always written): `fr_detect+onet` (default), `fr_detect+68`, `mtcnn`, `<detector>+mesh`.
 */
export function pointsName(config: Pick<ResolvedConfig, 'detector' | 'landmarks'>): string {
  const detector = config.detector === 'mtcnn' ? 'mtcnn' : 'fr_detect';
  if (config.landmarks === 'mesh') return `${detector}+mesh`;
  if (detector === 'mtcnn') return 'mtcnn';
  return config.landmarks === 'onet' ? 'fr_detect+onet' : 'fr_detect+68';
}

/** The emotion package's models for an `emotion` choice: the 64×64 grey model alone, or its mean with the 224×224 one. */
const EMOTION_MODELS = { fast: 'human-emotion', accurate: ['human-emotion', 'faceplugin-expression'] } as const;

/**
 * Loads the models a configuration needs, once, from `config.modelBasePath` (the model packages' default when unset:
 * `@eolgul/models`' folder in Node, `models/` beside the page in the browser).
 * @throws {ModelLoadError} a model cannot be loaded.
 */
export async function createPipeline(config: ResolvedConfig): Promise<Pipeline> {
  const { threads, modelBasePath, onProgress } = config;
  const common = { threads, modelBasePath, onProgress };
  const detector = await createFaceDetector({ ...common, detector: config.detector, landmarks: config.landmarks });
  let embedder: FaceEmbedder | undefined;
  let emotion: EmotionClassifier | undefined;
  let liveness: LivenessClassifier | undefined;
  let attributes: AttributeEstimator | undefined;
  try {
    embedder = await createFaceEmbedder({ ...common, precision: config.precision });
    if (config.emotion) emotion = await createEmotionClassifier({ ...common, model: EMOTION_MODELS[config.emotion] });
    if (config.liveness) liveness = await createLivenessClassifier(common);
    // The quality gate reads the head pose and the eyes.
    if (config.attributes || config.quality) attributes = await createAttributeEstimator(common);
  } catch (err) {
    await Promise.all([
      embedder?.dispose(),
      emotion?.dispose(),
      liveness?.dispose(),
      attributes?.dispose(),
      detector.dispose(),
    ]);
    throw err;
  }
  const loadedEmbedder = embedder;

  async function complete(image: RgbImage, faces: readonly FaceDetection[]): Promise<PipelineFace[]> {
    const crops = faces.map((f) => alignFace(image, f.landmarks, loadedEmbedder.inputSize));
    const embeddings = await loadedEmbedder.embedBatch(crops);
    const out: PipelineFace[] = [];
    for (let i = 0; i < faces.length; i++) {
      const face: PipelineFace = { ...faces[i], embedding: embeddings[i] };
      if (emotion) face.emotion = await emotion.classify(image, faces[i]);
      if (liveness) face.liveness = await liveness.classify(image, faces[i]);
      if (attributes) face.attributes = await attributes.estimate(image, faces[i]);
      if (config.quality) face.sharpness = faceSharpness(image, faces[i]);
      out.push(face);
    }
    return out;
  }

  return {
    dimension: loadedEmbedder.dimension,
    modelId: loadedEmbedder.modelId,
    preprocess: `${loadedEmbedder.preprocess}, 5 points ${pointsName(config)}`,
    threshold: loadedEmbedder.threshold ?? DEFAULT_THRESHOLD,
    async analyse(image, options = {}) {
      if (options.faces) return { faces: await complete(image, options.faces), main: -1 };
      // The main face alone: the other boxes need no landmarks.
      const given: DetectOptions = {
        maxFaces: options.maxFaces,
        minScore: options.minScore,
        mainFaceOnly: options.mainFace === 'only' && !options.detectOnly,
      };
      let faces = await detector.detect(image, given);
      if (options.mainFace && faces.length === 0) {
        faces = await detector.detect(image, { ...given, minScore: RETRY_MIN_SCORE });
      }
      const main = faces.length > 0 ? mainFaceIndex(faces, image) : -1;
      if (options.detectOnly) return { faces, main };
      if (options.mainFace === 'only' && main >= 0) return { faces: await complete(image, [faces[main]]), main: 0 };
      return { faces: await complete(image, faces), main };
    },
    async dispose() {
      await detector.dispose();
      await loadedEmbedder.dispose();
      await emotion?.dispose();
      await liveness?.dispose();
      await attributes?.dispose();
    },
  };
}
