import type { FaceDetection, RgbImage } from '@eolgul/core';
import { NoFaceError } from '@eolgul/core';
import {
  DETECTION_MAX_SIDE,
  alignFace,
  createFaceDetector,
  mainFaceIndex,
  readImage,
  type DecodedImage,
  type DetectOptions,
  type FaceDetector,
  type FaceDetectorConfig,
} from '@eolgul/detector';
import { createFaceNet, type FaceNet, type FaceNetConfig } from '@eolgul/facenet';
import {
  createEmotionClassifier,
  type EmotionClassifier,
  type EmotionClassifierConfig,
  type EmotionResult,
} from '@eolgul/emotion';

/** One analysed face: detection + embedding (+ emotion when asked). */
export interface AnalysedFace extends FaceDetection {
  /** Unit-norm embedding, `Float32Array(D)`. */
  embedding: Float32Array;
  /** Expression, when the pipeline was asked for it. */
  emotion?: EmotionResult;
}

/** Options of {@link createPipeline}. */
export interface PipelineOptions {
  /**
   * Load the emotion classifier too (default false): `true` for the default (most accurate) classifier, or its
   * configuration, e.g. `{ model: 'human-emotion' }` for the 5× faster single model used by `eolgul watch`.
   */
  emotion?: boolean | EmotionClassifierConfig;
  /** Embedder configuration (default: the bundled model). */
  facenet?: FaceNetConfig;
  /** Detection options for every call. */
  detect?: DetectOptions;
  /** Which face detector (see `FaceDetectorConfig.detector`; default `'fr_detect'`). */
  detector?: FaceDetectorConfig['detector'];
  /** ONNX Runtime threads per model (default 1). */
  threads?: number;
}

/**
 * Score under which the CLI retries detection when the default pass finds no face (faces in LFW-style crops that the
 * detector scores low are still real faces; measured on the LFW subset, see docs/benchmarks/accuracy.md).
 */
export const RETRY_MIN_SCORE = 0.2;

/** The composed detect → align → embed (→ emotion) pipeline used by the CLI and the examples. */
export interface Pipeline {
  readonly detector: FaceDetector;
  readonly facenet: FaceNet;
  readonly emotion?: EmotionClassifier;
  /** Every face of the image, each embedded (and classified when emotion is on), highest detector score first. */
  analyse(image: RgbImage): Promise<AnalysedFace[]>;
  /**
   * The main face of an image (see `mainFaceIndex`), detected again at {@link RETRY_MIN_SCORE} when the default pass
   * finds none.
   * @throws {NoFaceError} when no face is found.
   */
  mainFace(image: RgbImage, path: string): Promise<AnalysedFace>;
  /** Reads an image file (sharp) and returns all its faces. @throws {ImageDecodeError} */
  analyseFile(path: string): Promise<{ image: DecodedImage; faces: AnalysedFace[] }>;
  dispose(): Promise<void>;
}

/**
 * Reads an image for the CLI: `readImage` downscaled so its longest side is at most `DETECTION_MAX_SIDE` (4096 px), so
 * a huge photo never sits in memory at full size. Boxes found on it are mapped back to the file's pixels with
 * `toSourcePixels` before they are printed.
 * @throws {ImageDecodeError} @throws {ImageTooLargeError}
 */
export function readForDetection(path: string): Promise<DecodedImage> {
  return readImage(path, { maxSide: DETECTION_MAX_SIDE });
}

/** Loads the models once and returns the composed pipeline. @throws {ModelLoadError} */
export async function createPipeline(options: PipelineOptions = {}): Promise<Pipeline> {
  const detector = await createFaceDetector({ threads: options.threads, detector: options.detector });
  const facenet = await createFaceNet({ threads: options.threads, ...options.facenet });
  const emotion = options.emotion
    ? await createEmotionClassifier(options.emotion === true ? undefined : options.emotion)
    : undefined;

  async function complete(image: RgbImage, faces: FaceDetection[]): Promise<AnalysedFace[]> {
    const crops = faces.map((f) => alignFace(image, f.landmarks, facenet.inputSize));
    const embeddings = await facenet.embedBatch(crops);
    const out: AnalysedFace[] = [];
    for (let i = 0; i < faces.length; i++) {
      const face: AnalysedFace = { ...faces[i], embedding: embeddings[i] };
      if (emotion) face.emotion = await emotion.classify(image, faces[i]);
      out.push(face);
    }
    return out;
  }

  return {
    detector,
    facenet,
    emotion,
    async analyse(image) {
      return complete(image, await detector.detect(image, options.detect));
    },
    async mainFace(image, path) {
      let faces = await detector.detect(image, options.detect);
      if (faces.length === 0) faces = await detector.detect(image, { ...options.detect, minScore: RETRY_MIN_SCORE });
      if (faces.length === 0) throw new NoFaceError(path);
      const [face] = await complete(image, [faces[mainFaceIndex(faces, image)]]);
      return face;
    },
    async analyseFile(path) {
      const image = await readForDetection(path);
      return { image, faces: await complete(image, await detector.detect(image, options.detect)) };
    },
    async dispose() {
      await detector.dispose();
      await facenet.dispose();
      await emotion?.dispose();
    },
  };
}
