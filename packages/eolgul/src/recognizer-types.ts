/**
 * Public types of `eolgul`: the recognizer's configuration, its inputs and its answers. The same on every platform; the
 * browser input types are structural, so these declarations need neither the DOM nor Node's types.
 * @module
 */
import type { Box, FaceDetection, Point, RgbImage } from '@eolgul/core';
import type { EmotionResult } from '@eolgul/emotion';
import type {
  FaceAttributes,
  HeadPose,
  EyeState,
  QualityRules,
  QualityProblem,
  QualityReason,
} from '@eolgul/attributes';
import type { Gallery, GalleryStore, IdentifyOptions, Match } from '@eolgul/gallery';
import type { LivenessResult } from '@eolgul/liveness';

export type {
  Box,
  Point,
  RgbImage,
  Match,
  EmotionResult,
  Gallery,
  GalleryStore,
  LivenessResult,
  FaceAttributes,
  HeadPose,
  EyeState,
  QualityRules,
  QualityProblem,
  QualityReason,
};

/** Load progress of one model file: bytes `loaded` of `total` (`total` is 0 when the size is not known). */
export interface ModelLoadProgress {
  /** File name, e.g. `'fr_feature.onnx'`. */
  file: string;
  /** Bytes loaded so far. */
  loaded: number;
  /** Size of the file in bytes (0 when unknown). */
  total: number;
}

/** Which face detector finds the boxes. */
export type DetectorName = 'rfb320' | 'mtcnn';
/** Which model places the 5 alignment points. */
export type LandmarksName = 'onet' | 'landmarks68' | 'mesh';
/**
 * Numeric precision of the embedder: `'fp32'` (`fr_feature.onnx`) or `'int8'` (`fr_feature.int8.onnx`, made from it by
 * `@eolgul/models`' build: uint8 activations, int8 per-channel weights, calibrated on faces that are not in LFW).
 */
export type EmbedderPrecision = 'fp32' | 'int8';
/** Which expression model: `'fast'` (64×64 grey, tfjs), `'accurate'` (the mean of it and a 224×224 ONNX model). */
export type EmotionChoice = 'fast' | 'accurate';

/** Load-time configuration of `createFaceRecognizer`. Every field is optional. */
export interface FaceRecognizerConfig {
  /**
   * Where the model files are: a folder path or URL. Node default: the `@eolgul/models` package's own folder. Browser
   * default: `'models/'` resolved against `document.baseURI` (copy the files there with `npx eolgul-models <dir>`).
   * In the browser, onnxruntime-web's wasm is loaded from `<modelBasePath>ort/` unless the app set
   * `ort.env.wasm.wasmPaths` itself.
   */
  modelBasePath?: string | URL;
  /**
   * The gallery that `analyse` matches against and `enroll` writes to. A string is the platform's durable store,
   * created when missing: in Node a gallery directory, in the browser an IndexedDB database of that name. A
   * `GalleryStore` is used as given (and not closed by `dispose`).
   * Default: a gallery in memory.
   */
  gallery?: string | GalleryStore;
  /**
   * Face detector: `'rfb320'` (default; `fr_detect.onnx`, whole image at 320×240, about 4 ms per image on one thread)
   * or `'mtcnn'` (the MTCNN cascade and its own 5 points; about 16 ms per 250 px image, finds smaller background faces).
   */
  detector?: DetectorName;
  /**
   * Which model places the 5 alignment points (default `'onet'`: MTCNN's ONet on each box, about 1 ms per face;
   * `'landmarks68'`: the 68-point model's points, 0.2 ms; `'mesh'`: MediaPipe FaceMesh, about 12 ms, TensorFlow.js).
   * With `detector: 'mtcnn'` the points are MTCNN's own unless `'mesh'`. Enroll and identify with the same setting: a
   * durable gallery records it and refuses another (`GALLERY_MISMATCH`).
   */
  landmarks?: LandmarksName;
  /**
   * Precision of the embedder (default `'fp32'`). `'int8'` runs the int8 copy of the bundled embedder: about 3× faster
   * (a whole image about 1.6×) on CPUs with 8-bit dot-product instructions (AVX-512 VNNI, AVX-VNNI), the same LFW
   * accuracy to within 0.05 pt (docs/benchmarks/pipeline.md). The two give embeddings at a mean cosine of 0.995 on LFW
   * and share the gallery id, so a gallery enrolled at one precision can be searched at the other. Detection and
   * landmarks are the same. In the browser keep `'fp32'`: onnxruntime-web's WebAssembly build ran the int8 model slower
   * than the FP32 one.
   */
  precision?: EmbedderPrecision;
  /** Classify each face's expression (default false; `true` = `'accurate'`). */
  emotion?: boolean | EmotionChoice;
  /**
   * Passive liveness of each face (default false): `liveness: { live, score, model }`, from one frame — a printed
   * photo held to the camera scores low (`@eolgul/liveness`). With it, `enroll` refuses a face that is not live
   * (`PresentationAttackError`).
   */
  liveness?: boolean;
  /** Age, gender, head pose and eye state of each face (default false): `attributes` (`@eolgul/attributes`). */
  attributes?: boolean;
  /**
   * The enrollment quality gate (default false): `enroll` refuses a photo whose face is small, blurred, turned, with
   * eyes closed, or a near-copy of another photo of the same enrollment (`EnrollmentQualityError` naming the photo and
   * every reason). `true` = `DEFAULT_QUALITY_RULES`; an object overrides single limits. Each face then also carries
   * `attributes` and `sharpness`, so an app can check a camera frame with `checkEnrollmentQuality` before taking it.
   */
  quality?: boolean | Partial<QualityRules>;
  /**
   * L2 distance at or below which a match is accepted. Default: the gallery's threshold, which for a new gallery is the
   * embedder's calibrated threshold (1.10 for the bundled model: FAR = 1e-3 on the LFW mismatched pairs).
   */
  threshold?: number;
  /** ONNX Runtime intra-op threads per model, an integer from 0 (one per core) to 1024 (default 1). */
  threads?: number;
  /**
   * Node only: worker threads that analyse images in parallel, each with its own copy of the models (default 0 =
   * this thread). The gallery stays in the calling thread. Answers are the same as in this thread.
   */
  workers?: number;
  /** Called as model files load, per file. */
  onProgress?: (progress: ModelLoadProgress) => void;
}

/**
 * An RGBA image as canvas `getImageData` returns it: `[height, width, 4]` uint8 (the DOM's `ImageData`, typed
 * structurally).
 */
export interface ImageDataLike {
  readonly data: Uint8ClampedArray | Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** An `<img>` element (`HTMLImageElement`), typed structurally. It must have loaded (`complete`, `naturalWidth` > 0). */
export interface ImageElementLike {
  readonly naturalWidth: number;
  readonly naturalHeight: number;
  readonly complete: boolean;
}

/** A `<video>` element (`HTMLVideoElement`), typed structurally: its current frame is analysed. */
export interface VideoElementLike {
  readonly videoWidth: number;
  readonly videoHeight: number;
  readonly readyState: number;
}

/** An `HTMLCanvasElement` or `OffscreenCanvas`, typed structurally. */
export interface CanvasLike {
  readonly width: number;
  readonly height: number;
  getContext(contextId: '2d', options?: unknown): unknown;
}

/** An `ImageBitmap`, typed structurally. */
export interface ImageBitmapLike {
  readonly width: number;
  readonly height: number;
  close(): void;
}

/** A `Blob` or `File` holding an encoded image (JPEG, PNG, WebP…), typed structurally. */
export interface BlobLike {
  readonly size: number;
  readonly type: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * What the recognizer analyses:
 * - everywhere: an {@link RgbImage} (`[height, width, 3]` uint8), an {@link ImageDataLike} (RGBA), encoded image bytes
 *   (`Uint8Array`, `ArrayBuffer`, a Node `Buffer`) or a {@link BlobLike};
 * - in Node: a file path (`string`); decoded with sharp, EXIF orientation applied;
 * - in the browser: `HTMLImageElement`, `HTMLVideoElement`, `HTMLCanvasElement`, `OffscreenCanvas`, `ImageBitmap`.
 */
export type ImageInput =
  | string
  | RgbImage
  | ImageDataLike
  | Uint8Array
  | ArrayBuffer
  | BlobLike
  | ImageElementLike
  | VideoElementLike
  | CanvasLike
  | ImageBitmapLike;

/** One face found by `analyse`. Coordinates are pixels of the input as displayed (EXIF orientation applied). */
export interface RecognizedFace extends FaceDetection {
  /** Face box `[x, y, width, height]`, pixels, clamped to the image. */
  box: Box;
  /** Detector confidence in [0, 1]. */
  score: number;
  /** 5 points: left eye, right eye, nose tip, left and right mouth corners (pixels). */
  landmarks: Point[];
  /** The face's embedding, `Float32Array(D)` (D = 512 for the bundled model), L2 norm 1. */
  embedding: Float32Array;
  /**
   * The nearest enrolled identity: `accepted` when its L2 `distance` is at or below the threshold; null when the
   * gallery is empty (or every identity was excluded).
   */
  match: Match | null;
  /** Expression, when the recognizer was created with `emotion`. */
  emotion?: EmotionResult;
  /** Passive liveness, when the recognizer was created with `liveness`. */
  liveness?: LivenessResult;
  /** Age, gender, head pose (degrees) and eye state, when created with `attributes` or `quality`. */
  attributes?: FaceAttributes;
  /** Sharpness of the face (`faceSharpness` of `@eolgul/attributes`), when created with `quality`. */
  sharpness?: number;
}

/** What `analyse` returns. */
export interface AnalysisResult {
  /** Width of the input as displayed, pixels. */
  width: number;
  /** Height of the input as displayed, pixels. */
  height: number;
  /** Every face, highest detector score first (with `mainFace`, at most the main one). */
  faces: RecognizedFace[];
}

/** Per-call options of `analyse` and `identify`. */
export interface AnalyseOptions {
  /** Identities to leave out of the match (e.g. those the user said "that is not me" to). */
  exclude?: Iterable<string>;
  /** At most this many faces, highest score first (a positive integer; default 100). */
  maxFaces?: number;
  /** Minimum detector score in [0, 1] (default 0.5; with `detector: 'mtcnn'`, ONet's probability, default 0.7). */
  minScore?: number;
  /**
   * Only the main face: the face whose box holds the image centre (the largest such), else the one nearest the centre;
   * when none is found at `minScore`, detection runs again at 0.2 (low-scored faces in tight crops are still faces).
   * Cheaper when only one face matters (embedding a photo collection, verification). Default false.
   */
  mainFace?: boolean;
  /**
   * Faces already found on this same input by `detect` (their `box`, `score` and 5 `landmarks`): embed, classify and
   * match these instead of detecting again. For video: detect every frame, and embed a tracked face only now and then.
   */
  faces?: readonly DetectedFace[];
}

/** One face found by `detect`: where it is, without embedding. Pixels of the input as displayed. */
export interface DetectedFace {
  /** Face box `[x, y, width, height]`, pixels, clamped to the image. */
  box: Box;
  /** Detector confidence in [0, 1]. */
  score: number;
  /** 5 points: left eye, right eye, nose tip, left and right mouth corners (pixels). */
  landmarks: Point[];
}

/** What `detect` returns. */
export interface DetectionResult {
  /** Width of the input as displayed, pixels. */
  width: number;
  /** Height of the input as displayed, pixels. */
  height: number;
  /** Every face, highest detector score first. */
  faces: DetectedFace[];
}

/** Per-call options of `detect`. */
export type DetectOptions = Pick<AnalyseOptions, 'maxFaces' | 'minScore'>;

/** Options of `enroll`. */
export interface EnrollOptions {
  /**
   * One id per input, unique in the gallery (e.g. a file name). Default: a path's file name; for other inputs
   * `<identity>#<time>-<i>`.
   */
  imageIds?: readonly string[];
}

/** What `enroll` returns. */
export interface EnrollResult {
  /** The identity as stored (Unicode NFC, outer white space removed). */
  identity: string;
  /** The image ids enrolled, one per input. */
  imageIds: string[];
}

/** Which face of an image `verify` compared. */
export interface VerifiedFace {
  /** Index of the face among the image's faces (highest score first). */
  index: number;
  /** Its box, pixels. */
  box: Box;
  /** How many faces the image holds. */
  faces: number;
}

/** Options of `verify`: which face of each image to compare (default: each image's main face). */
export interface VerifyOptions {
  /** Index of the face of `a` to compare (among its faces, highest score first). */
  faceA?: number;
  /** Index of the face of `b` to compare. */
  faceB?: number;
}

/** What `verify` returns. */
export interface VerifyResult {
  /** L2 distance between the two faces' embeddings (0–2). */
  distance: number;
  /** `distance <= threshold`: the same person. */
  same: boolean;
  /** The threshold used (L2 distance). */
  threshold: number;
  /** The face of `a` that was compared. */
  faceA: VerifiedFace;
  /** The face of `b` that was compared. */
  faceB: VerifiedFace;
}

/** A "that is not me" session: identities rejected in it are left out of its matches. Nothing is stored. */
export interface RecognizerSession {
  /** Leaves `identity` out of this session's following matches. */
  reject(identity: string): void;
  /** Identities rejected so far, in order. */
  rejected(): string[];
  /** `analyse` without the rejected identities. */
  analyse(input: ImageInput, options?: AnalyseOptions): Promise<AnalysisResult>;
  /** `identify` without the rejected identities. */
  identify(input: ImageInput, options?: AnalyseOptions): Promise<RecognizedFace[]>;
}

/** A loaded face recognizer: models loaded once, a gallery, one call per task. */
export interface FaceRecognizer {
  /**
   * Detects every face of `input`, embeds it, matches it against the gallery (and classifies its expression when asked).
   * @throws {ImageDecodeError} an unreadable input (names it). @throws {InvalidArgumentError} a malformed input or option.
   * @throws {ModelDisposedError} after `dispose`.
   */
  analyse(input: ImageInput, options?: AnalyseOptions): Promise<AnalysisResult>;
  /**
   * Finds the faces of `input` (box, score, 5 landmarks) without embedding them: a few milliseconds less per face. Pass
   * some of them to `analyse(input, { faces })` to embed and match those.
   * @throws as `analyse`.
   */
  detect(input: ImageInput, options?: DetectOptions): Promise<DetectionResult>;
  /** The faces of `analyse`. */
  identify(input: ImageInput, options?: AnalyseOptions): Promise<RecognizedFace[]>;
  /**
   * Enrolls `identity` from photos that each hold exactly one face. All or nothing: every input is analysed before
   * anything is stored.
   * @throws {NoFaceError} / {MultipleFacesError} naming the input. @throws {InvalidArgumentError} a blank name, no
   *   input, a duplicate or already enrolled image id.
   */
  enroll(identity: string, inputs: readonly ImageInput[], options?: EnrollOptions): Promise<EnrollResult>;
  /**
   * Compares a face of `a` with a face of `b` (default: each image's main face).
   * @throws {NoFaceError} an image without a face. @throws {InvalidArgumentError} a face index out of range.
   */
  verify(a: ImageInput, b: ImageInput, options?: VerifyOptions): Promise<VerifyResult>;
  /** A new "that is not me" session. */
  session(): RecognizerSession;
  /** The gallery (list, remove, rename, export…). */
  readonly gallery: GalleryStore;
  /** Embedding length D. */
  readonly dimension: number;
  /** The embedder's id, stored in galleries. */
  readonly modelId: string;
  /** The embedder's preprocessing and where the 5 points come from, recorded in durable galleries. */
  readonly preprocess: string;
  /** The threshold in use (L2 distance). */
  readonly threshold: number;
  /**
   * Waits for the calls already running, then frees the models, the worker threads and a gallery the recognizer opened
   * itself. Later calls reject with `ModelDisposedError`. Calling it again returns the same promise.
   */
  dispose(): Promise<void>;
}

/** Per-search options the recognizer passes to the gallery. */
export type MatchOptions = Pick<IdentifyOptions, 'exclude' | 'threshold'>;
