/**
 * Typed errors shared by every eolgul package. Each has a stable `code` string that scripts can switch on,
 * and a message that names the problem and the file or value involved.
 * @module
 */

/** Stable error codes, one per error class. */
export type EolgulErrorCode =
  | 'IMAGE_DECODE'
  | 'IMAGE_TOO_LARGE'
  | 'VIDEO_DECODE'
  | 'NO_FACE'
  | 'MULTIPLE_FACES'
  | 'EMBEDDING_DIMENSION'
  | 'INVALID_EMBEDDING'
  | 'EMBEDDING_NORM'
  | 'GALLERY_CORRUPT'
  | 'GALLERY_MISMATCH'
  | 'GALLERY_LOCKED'
  | 'GALLERY_READ_ONLY'
  | 'PERMISSION_DENIED'
  | 'DISK_FULL'
  | 'FILE_SYSTEM'
  | 'UNKNOWN_IDENTITY'
  | 'MODEL_LOAD'
  | 'NPY_FORMAT'
  | 'CSV_FORMAT'
  | 'PAIRS_FORMAT'
  | 'INVALID_ARGUMENT'
  | 'POOR_QUALITY'
  | 'PRESENTATION_ATTACK'
  | 'MODEL_DISPOSED';

/**
 * The class name of each code, set as `name` explicitly: bundlers that minify rename classes, so `new.target.name` would
 * print a browser app's errors as `t: cannot decode image …`.
 */
const ERROR_NAMES: Readonly<Record<EolgulErrorCode, string>> = Object.freeze({
  IMAGE_DECODE: 'ImageDecodeError',
  VIDEO_DECODE: 'VideoDecodeError',
  IMAGE_TOO_LARGE: 'ImageTooLargeError',
  NO_FACE: 'NoFaceError',
  MULTIPLE_FACES: 'MultipleFacesError',
  EMBEDDING_DIMENSION: 'EmbeddingDimensionError',
  INVALID_EMBEDDING: 'InvalidEmbeddingError',
  EMBEDDING_NORM: 'EmbeddingNormError',
  GALLERY_CORRUPT: 'GalleryCorruptError',
  GALLERY_MISMATCH: 'GalleryMismatchError',
  GALLERY_LOCKED: 'GalleryLockedError',
  GALLERY_READ_ONLY: 'GalleryReadOnlyError',
  PERMISSION_DENIED: 'PermissionDeniedError',
  DISK_FULL: 'DiskFullError',
  FILE_SYSTEM: 'FileSystemError',
  UNKNOWN_IDENTITY: 'UnknownIdentityError',
  MODEL_LOAD: 'ModelLoadError',
  NPY_FORMAT: 'NpyFormatError',
  CSV_FORMAT: 'CsvFormatError',
  PAIRS_FORMAT: 'PairsFormatError',
  INVALID_ARGUMENT: 'InvalidArgumentError',
  POOR_QUALITY: 'EnrollmentQualityError',
  PRESENTATION_ATTACK: 'PresentationAttackError',
  MODEL_DISPOSED: 'ModelDisposedError',
});

/** Base class of every error eolgul throws on purpose. `code` is stable across versions. */
export class EolgulError extends Error {
  /** Stable machine-readable code, e.g. `'NO_FACE'`. */
  readonly code: EolgulErrorCode;
  constructor(code: EolgulErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = ERROR_NAMES[code] ?? 'EolgulError';
  }
}

/** An image file or buffer could not be read or decoded (missing, empty, truncated, not an image, a directory). */
export class ImageDecodeError extends EolgulError {
  /** The path as given, or `'<buffer>'` for in-memory input. */
  readonly path: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super('IMAGE_DECODE', `cannot decode image ${path}: ${reason}`, options);
    this.path = path;
  }
}

/**
 * A video could not be opened or decoded: missing, not a regular file (a FIFO would block), a URL of an unsupported
 * kind, no video stream, or the decoder (ffmpeg) failed.
 */
export class VideoDecodeError extends EolgulError {
  /** The file path or URL as given. */
  readonly path: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super('VIDEO_DECODE', `cannot decode video ${path}: ${reason}`, options);
    this.path = path;
  }
}

/** An image has more pixels than the documented limit (see `MAX_IMAGE_PIXELS` in `@eolgul/detector`). */
export class ImageTooLargeError extends EolgulError {
  readonly path: string;
  readonly pixels: number;
  readonly limit: number;
  constructor(path: string, pixels: number, limit: number) {
    super('IMAGE_TOO_LARGE', `image ${path} has ${pixels} pixels, more than the limit of ${limit}`);
    this.path = path;
    this.pixels = pixels;
    this.limit = limit;
  }
}

/** No face was found where one was required. */
export class NoFaceError extends EolgulError {
  readonly path: string;
  constructor(path: string) {
    super('NO_FACE', `no face found in ${path}`);
    this.path = path;
  }
}

/** More than one face was found where exactly one was required (enrollment). */
export class MultipleFacesError extends EolgulError {
  readonly path: string;
  readonly count: number;
  constructor(path: string, count: number) {
    super('MULTIPLE_FACES', `${count} faces found in ${path}; enrollment needs exactly one`);
    this.path = path;
    this.count = count;
  }
}

/** An embedding has the wrong number of dimensions for the gallery or model. */
export class EmbeddingDimensionError extends EolgulError {
  readonly expected: number;
  readonly got: number;
  constructor(expected: number, got: number) {
    super('EMBEDDING_DIMENSION', `embedding has ${got} dimensions, expected ${expected}`);
    this.expected = expected;
    this.got = got;
  }
}

/** An embedding holds NaN or infinite values, or has zero norm. */
export class InvalidEmbeddingError extends EolgulError {
  constructor(reason: string) {
    super('INVALID_EMBEDDING', `invalid embedding: ${reason}`);
  }
}

/**
 * An embedding whose L2 norm is not 1 within `tolerance`, where unit vectors are required (a gallery compares unit
 * vectors: a vector of norm 0.5 or 1e-6 would match at meaningless distances). Normalise it first, or pass the
 * operation's `normalize: true` option where it has one.
 */
export class EmbeddingNormError extends EolgulError {
  /** The vector's L2 norm. */
  readonly norm: number;
  /** The accepted distance of the norm from 1. */
  readonly tolerance: number;
  constructor(norm: number, tolerance: number, what = 'embedding') {
    super(
      'EMBEDDING_NORM',
      `${what} has L2 norm ${norm}, expected 1 ± ${tolerance}: normalise it first (or pass normalize: true)`,
    );
    this.norm = norm;
    this.tolerance = tolerance;
  }
}

/** Stored gallery files are unreadable or disagree with each other. */
export class GalleryCorruptError extends EolgulError {
  readonly path: string;
  readonly reason: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super('GALLERY_CORRUPT', `gallery ${path} is corrupt: ${reason}`, options);
    this.path = path;
    this.reason = reason;
  }
}

/** A gallery was opened with a model or embedding size other than the one it was built with. */
export class GalleryMismatchError extends EolgulError {
  readonly field: string;
  readonly stored: unknown;
  readonly requested: unknown;
  constructor(field: string, stored: unknown, requested: unknown) {
    super(
      'GALLERY_MISMATCH',
      `gallery was built with ${field} ${JSON.stringify(stored)}, but ${JSON.stringify(requested)} was requested`,
    );
    this.field = field;
    this.stored = stored;
    this.requested = requested;
  }
}

/** Another process holds the gallery's write lock and did not release it in time. */
export class GalleryLockedError extends EolgulError {
  readonly path: string;
  constructor(path: string, options?: { cause?: unknown }) {
    super('GALLERY_LOCKED', `gallery ${path} is locked by another writer`, options);
    this.path = path;
  }
}

/**
 * A change was asked of a gallery that cannot be written: opened with `readOnly: true`, or on a read-only file system
 * or mount (`reason` says which).
 */
export class GalleryReadOnlyError extends EolgulError {
  readonly path: string;
  readonly reason: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super('GALLERY_READ_ONLY', `gallery ${path} is read-only: ${reason}`, options);
    this.path = path;
    this.reason = reason;
  }
}

/** The operating system refused access to a file or folder (`EACCES`, `EPERM`). */
export class PermissionDeniedError extends EolgulError {
  readonly path: string;
  constructor(path: string, action: string, options?: { cause?: unknown }) {
    super('PERMISSION_DENIED', `permission denied: cannot ${action} ${path}`, options);
    this.path = path;
  }
}

/** A write failed because the disk or the user's quota is full (`ENOSPC`, `EDQUOT`). */
export class DiskFullError extends EolgulError {
  readonly path: string;
  constructor(path: string, action: string, options?: { cause?: unknown }) {
    super('DISK_FULL', `no space left: cannot ${action} ${path}`, options);
    this.path = path;
  }
}

/** Any other file system failure (`EIO`, `EROFS`, `EMFILE`, …); `errno` is the system's code. */
export class FileSystemError extends EolgulError {
  readonly path: string;
  readonly errno: string;
  constructor(path: string, action: string, errno: string, options?: { cause?: unknown }) {
    super('FILE_SYSTEM', `cannot ${action} ${path}: ${errno}`, options);
    this.path = path;
    this.errno = errno;
  }
}

/** An identity or image id that is not in the gallery. */
export class UnknownIdentityError extends EolgulError {
  readonly identity: string;
  constructor(identity: string) {
    super('UNKNOWN_IDENTITY', `unknown identity or image: ${JSON.stringify(identity)}`);
    this.identity = identity;
  }
}

/** A model could not be found or loaded. */
export class ModelLoadError extends EolgulError {
  readonly source: string;
  constructor(source: string, reason: string, options?: { cause?: unknown }) {
    super('MODEL_LOAD', `cannot load model ${source}: ${reason}`, options);
    this.source = source;
  }
}

/** A `.npy` file is malformed or uses a layout eolgul does not read. */
export class NpyFormatError extends EolgulError {
  readonly path: string;
  constructor(path: string, reason: string) {
    super('NPY_FORMAT', `bad NPY ${path}: ${reason}`);
    this.path = path;
  }
}

/** A CSV file is malformed (missing header, wrong columns, duplicate rows). */
export class CsvFormatError extends EolgulError {
  readonly path: string;
  constructor(path: string, reason: string) {
    super('CSV_FORMAT', `bad CSV ${path}: ${reason}`);
    this.path = path;
  }
}

/** An LFW `pairs.txt` file is malformed. */
export class PairsFormatError extends EolgulError {
  readonly path: string;
  constructor(path: string, reason: string) {
    super('PAIRS_FORMAT', `bad pairs file ${path}: ${reason}`);
    this.path = path;
  }
}

/** An argument is out of its documented range. */
export class InvalidArgumentError extends EolgulError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

/** One reason a photo failed the enrollment quality gate (see `checkEnrollmentQuality` of `@eolgul/attributes`). */
export interface QualityProblemLike {
  reason: string;
  message: string;
  value?: number;
  limit?: number;
}

/** A photo was refused for enrollment by the quality gate: no face or several, small, blurred, turned, eyes closed, a near-copy. */
export class EnrollmentQualityError extends EolgulError {
  /** The photo as given (a path, or a description of an in-memory input). */
  readonly path: string;
  /** Every reason, each with the measured value and the limit. */
  readonly problems: readonly QualityProblemLike[];
  constructor(path: string, problems: readonly QualityProblemLike[]) {
    super('POOR_QUALITY', `${path} cannot be enrolled: ${problems.map((p) => p.message).join('; ')}`);
    this.path = path;
    this.problems = problems;
  }
}

/** Passive liveness judged a face to be a presentation attack (a printed photo held to the camera), where a live person was required. */
export class PresentationAttackError extends EolgulError {
  readonly path: string;
  /** The liveness score, in [0, 1] (higher = more live). */
  readonly score: number;
  /** The threshold it fell below. */
  readonly threshold: number;
  constructor(path: string, score: number, threshold: number) {
    super(
      'PRESENTATION_ATTACK',
      `${path} looks like a photo of a face, not a live person (liveness ${score.toFixed(3)}, below ${threshold})`,
    );
    this.path = path;
    this.score = score;
    this.threshold = threshold;
  }
}

/**
 * A model object (detector, embedder, emotion classifier…) was used after its `dispose()`: calls already running when
 * `dispose()` was called finish, later ones reject with this error. A subclass of {@link InvalidArgumentError} (using a
 * disposed object is a misuse of the API), with its own code `'MODEL_DISPOSED'`.
 */
export class ModelDisposedError extends InvalidArgumentError {
  /** What was disposed, e.g. `'face detector'`. */
  readonly model: string;
  constructor(model: string) {
    super(`this ${model} was disposed; create a new one`);
    (this as { code: EolgulErrorCode }).code = 'MODEL_DISPOSED';
    this.name = ERROR_NAMES.MODEL_DISPOSED;
    this.model = model;
  }
}
