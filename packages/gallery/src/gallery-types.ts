/**
 * Public types of `@eolgul/gallery`: matches, search options, the manifest and the storage interface that every store
 * (in memory, IndexedDB, NPY directory, PostgreSQL + pgvector) implements.
 * @module
 */

/** One search result. */
export interface Match {
  /** The enrolled identity (any Unicode string, as given to `enroll`). */
  identity: string;
  /**
   * Raw Euclidean (L2) distance between the probe and the matched embedding (or the identity's mean template in
   * `mode: 'identity-mean'`). Unit vectors give a range of 0–2; it is never remapped to a "similarity".
   */
  distance: number;
  /** `distance <= threshold`: the match is good enough to name the face. */
  accepted: boolean;
  /** The enrolled image this match came from (in `mode: 'identity-mean'`: the identity's nearest image). */
  imageId: string;
}

/**
 * What a search compares the probe with:
 * - `'identity-mean'` (default): one template per identity, the L2-normalised mean of its (not excluded) embeddings;
 *   the match reports the distance to that template and the identity's nearest image.
 * - `'nearest-image'`: every enrolled embedding; an identity's distance is that of its nearest image.
 *
 * `'template'` and `'image'` are the deprecated names of the same two modes (accepted for one minor version).
 * Which is better on real faces is measured in docs/benchmarks/accuracy.md.
 */
export type SearchMode = 'identity-mean' | 'nearest-image' | 'template' | 'image';

/** @deprecated Renamed {@link SearchMode}. */
export type IdentifyMode = SearchMode;

/**
 * How `k` counts results:
 * - `'identity'` (default): the k nearest identities, each once, with its nearest image.
 * - `'image'`: the k nearest enrolled images; one identity may appear several times.
 */
export type IdentifyPer = 'identity' | 'image';

/** Per-call options of `identify`. */
export interface IdentifyOptions {
  /** L2 distance at or below which a match is `accepted`. Default: the gallery's `defaultThreshold`. Range [0, ∞). */
  threshold?: number;
  /** Number of results, a positive integer. Default 1. Fewer come back when the gallery has fewer candidates. */
  k?: number;
  /** Identities to leave out of this search (e.g. those the user said "that is not me" to): a list, not a string. */
  exclude?: Iterable<string>;
  /** Compare with each identity's mean template (`'identity-mean'`, default) or each enrolled image. */
  mode?: SearchMode;
  /** Count k in distinct identities (default) or in images. */
  per?: IdentifyPer;
  /**
   * Scale a probe whose L2 norm is not 1 to unit length instead of refusing it with `EmbeddingNormError`.
   * Default false: distances between vectors that are not unit length mean nothing against the threshold.
   */
  normalize?: boolean;
}

/** Options of `enroll` / `enrollMany`. */
export interface EnrollOptions {
  /**
   * Scale embeddings whose L2 norm is not 1 to unit length instead of refusing them with `EmbeddingNormError`
   * (vectors of zero or non-finite norm are refused either way). Default false.
   */
  normalize?: boolean;
}

/**
 * What a gallery needs to know of the embedding model that fills it; an embedder object from `@eolgul/embedder`
 * (or `@eolgul/facenet`) has these fields, so `{ embedder }` can be passed where a gallery is created.
 */
export interface EmbedderInfo {
  /** Embedding length D. */
  readonly dimension: number;
  /** Identifier of the model, stored with the gallery and checked when it is opened. */
  readonly modelId: string;
  /** The model's calibrated L2 distance threshold: the gallery's default. */
  readonly threshold: number;
}

/** What the stored embeddings are (a gallery directory's `manifest.json`, an IndexedDB gallery's manifest record). */
export interface GalleryManifest {
  /** Manifest format version; this package writes and reads version 1. */
  formatVersion: 1;
  /** Embedding length D, e.g. 128 or 512. */
  dimension: number;
  /** Identifier of the embedding model the vectors come from, e.g. `'faceplugin-fr_feature-512'`. */
  modelId: string;
  /** Free-form description of the preprocessing (alignment template, crop size, normalisation). */
  preprocess?: string;
  /** L2 distance threshold used when `identify` is called without one. */
  defaultThreshold: number;
}

/** A value or a promise of it: the in-memory gallery answers synchronously, a database store asynchronously. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * The one interface of a stored, searchable gallery. `Gallery` (in memory, in IndexedDB, or over a directory with
 * `@eolgul/gallery/node`) and `PgVectorGalleryStore` (`@eolgul/gallery/pg`) implement it, and one conformance suite
 * tests them all.
 * Identity names and image ids are data: any well-formed Unicode string except the empty string, compared in Unicode
 * NFC (a name typed in NFC and in NFD is one name); they never become file names.
 */
export interface GalleryStore {
  /** Embedding length D. */
  readonly dimension: number;
  /** Embedding model id stored with the gallery. */
  readonly modelId: string;
  /** Threshold used when a search passes none (L2 distance). */
  readonly defaultThreshold: number;
  /** Number of enrolled embeddings (rows). */
  count(): MaybePromise<number>;
  /** Names of the identities that have at least one embedding, sorted by code unit. */
  identities(): MaybePromise<string[]>;
  /**
   * Adds embeddings `[n][D] float32` of one identity, with one image id each (unique in the gallery).
   * Validates everything first; all or nothing; durable before it resolves.
   */
  enroll(
    identity: string,
    embeddings: readonly Float32Array[],
    imageIds: readonly string[],
    options?: EnrollOptions,
  ): Promise<void>;
  /** The nearest enrolled embeddings of `probe` (`[D] float32`), sorted by distance, nearest first. */
  identify(probe: Float32Array, options?: IdentifyOptions): MaybePromise<Match[]>;
  /** Removes an identity (all its rows) or, if no identity has that name, one image. Resolves to the rows removed. */
  remove(identityOrImageId: string): Promise<number>;
  /** Renames an identity; renaming onto an existing name merges the two. */
  rename(oldName: string, newName: string): Promise<void>;
  /** Leaves one enrolled image out of every search until {@link GalleryStore.includeImage}. Persists. */
  excludeImage(imageId: string): Promise<void>;
  /** Undoes {@link GalleryStore.excludeImage}. */
  includeImage(imageId: string): Promise<void>;
  /** Image ids currently excluded, sorted. */
  excludedImages(): MaybePromise<string[]>;
  /** A per-session "that is not me" list over this store. */
  session(): GalleryStoreSession;
  /** Releases files, locks or connections. */
  close(): Promise<void>;
}

/**
 * A per-session false-match list over any {@link GalleryStore}: after `reject(identity)` ("that is not me"), that
 * identity is left out of this session's following searches. Nothing is stored; other sessions are not affected.
 */
export interface GalleryStoreSession {
  /** Leaves `identity` out of this session's following searches. Unknown names are accepted (no-op for search). */
  reject(identity: string): void;
  /** Identities rejected so far, in the order rejected. */
  rejected(): string[];
  /** Same as the store's `identify`, minus the rejected identities (added to `options.exclude`). */
  identify(probe: Float32Array, options?: IdentifyOptions): MaybePromise<Match[]>;
}

/** The session of a `Gallery`: like {@link GalleryStoreSession}, answering synchronously. */
export interface GallerySession extends GalleryStoreSession {
  identify(probe: Float32Array, options?: IdentifyOptions): Match[];
}
