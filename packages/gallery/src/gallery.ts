import {
  type EmbeddingPair,
  EmbeddingDimensionError,
  GalleryReadOnlyError,
  InvalidArgumentError,
  euclideanDistance,
} from '@eolgul/core';
import { type GalleryBackend, memoryBackend } from './gallery-backend.js';
import {
  applyPlan,
  identityNumberOf,
  type Plan,
  planEnroll,
  planExclusion,
  planRemove,
  planRename,
  rowOfImageId,
} from './gallery-change.js';
import {
  checkEnrollBatch,
  checkEnrollRows,
  checkThreshold,
  checkUnitEmbedding,
  resolveIdentifyOptions,
} from './gallery-input.js';
import { manifestToCreate } from './gallery-manifest.js';
import {
  type EnrollPairResult,
  type GalleryMemoryOptions,
  type GalleryOpenOptions,
  nodeHooksFor,
} from './gallery-options.js';
import { GalleryMatrix } from './gallery-matrix.js';
import { normalizeLabel } from './gallery-names.js';
import { type MatrixHit, type MatrixSearch, search, searchMany } from './gallery-search.js';
import { createGallerySession } from './gallery-session.js';
import type {
  EnrollOptions,
  GalleryManifest,
  GallerySession,
  GalleryStore,
  IdentifyOptions,
  Match,
} from './gallery-types.js';

export {
  type EnrollPairResult,
  type GalleryMemoryOptions,
  type GalleryOpenOptions,
  installNodeGalleryHooks,
  type NodeGalleryHooks,
} from './gallery-options.js';

/**
 * A face gallery: enrolled embeddings of named identities, searched exactly (1:N, Euclidean) in one pass over a
 * contiguous `Float32Array`. In memory ({@link Gallery.inMemory}), in IndexedDB (`openIndexedDbGallery`), or over a
 * durable gallery directory (`openGallery` of `@eolgul/gallery/node`).
 *
 * Searches are synchronous and read this copy; changes (`enroll`, `remove`, `rename`, `excludeImage`…) run one at a
 * time as transactions of the store: they first catch up with what other processes or tabs stored, then write, and
 * resolve once the change is durable. Call {@link Gallery.refresh} to catch up without writing.
 *
 * Names and image ids are compared in Unicode NFC. Embeddings must be unit vectors (L2 norm 1 ± 1e-4), as the
 * embedders give them; pass `normalize: true` to scale others.
 *
 * @example
 * ```ts
 * const g = Gallery.inMemory({ dimension: 3, defaultThreshold: 1.1 });
 * await g.enroll('Ada', [new Float32Array([1, 0, 0])], ['ada_1.jpg']);
 * g.identify(new Float32Array([0.8, 0.6, 0]));
 * // → [{ identity: 'Ada', distance: 0.632…, accepted: true, imageId: 'ada_1.jpg' }]
 * ```
 */
export class Gallery implements GalleryStore {
  private matrix: GalleryMatrix;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Set when a failed change could not be undone in memory: every later call throws it. */
  private broken: unknown;
  private readonly backend: GalleryBackend;

  private constructor(backend: GalleryBackend, matrix: GalleryMatrix) {
    this.backend = backend;
    this.matrix = matrix;
  }

  /** A gallery over a store's backend and its loaded state. @internal */
  static over(backend: GalleryBackend, matrix: GalleryMatrix): Gallery {
    return new Gallery(backend, matrix);
  }

  /**
   * An in-memory gallery (tests, short-lived processes). Nothing is written anywhere.
   * @throws {InvalidArgumentError} no positive integer D, or no threshold (give `defaultThreshold` or an `embedder`).
   */
  static inMemory(options: GalleryMemoryOptions): Gallery {
    const manifest = manifestToCreate({
      ...options,
      modelId: options.modelId ?? options.embedder?.modelId ?? 'unspecified',
    });
    return new Gallery(memoryBackend(manifest), new GalleryMatrix(manifest.dimension));
  }

  /**
   * Opens the gallery directory `dir` (Node only).
   * @deprecated Use `openGallery(dir, options)` from `@eolgul/gallery/node`; this alias works in Node (the package's
   * `node` build) for one minor version, and in a browser throws `InvalidArgumentError`.
   */
  static open(dir: string, options: GalleryOpenOptions = {}): Promise<Gallery> {
    return nodeHooksFor('Gallery.open').open(dir, options);
  }

  /**
   * Imports an NPY + CSV pair into the gallery directory `dir` (Node only).
   * @deprecated Use `importEmbeddingPair(dir, npyPath, csvPath, options)` from `@eolgul/gallery/node`.
   */
  static importPair(dir: string, npyPath: string, csvPath: string, options: GalleryOpenOptions = {}): Promise<Gallery> {
    return nodeHooksFor('Gallery.importPair').importPair(dir, npyPath, csvPath, options);
  }

  /** What the stored embeddings are. */
  get manifest(): GalleryManifest {
    return this.backend.manifest;
  }
  /** Embedding length D. */
  get dimension(): number {
    return this.manifest.dimension;
  }
  /** Embedding model id. */
  get modelId(): string {
    return this.manifest.modelId;
  }
  /** L2 threshold used when `identify` gets none. */
  get defaultThreshold(): number {
    return this.manifest.defaultThreshold;
  }
  /** The directory of a directory gallery, `indexeddb:<name>` for IndexedDB, `undefined` in memory. */
  get directory(): string | undefined {
    return this.backend.location === 'memory' ? undefined : this.backend.location;
  }
  /** True when changes are refused (opened read-only, or on a read-only file system). */
  get readOnly(): boolean {
    return this.backend.readOnlyReason !== undefined;
  }
  /**
   * The search kernel in use: `'wasm-simd'` (WebAssembly SIMD, D a multiple of 16, matrix ≤ ~4 GB) or `'js'`
   * (TypeScript; `EOLGUL_GALLERY_KERNEL=js` forces it in Node). Both give the same matches.
   */
  get searchKernel(): 'wasm-simd' | 'js' {
    return this.matrix.kernelName;
  }
  /** Number of enrolled embeddings (rows), excluded ones included. */
  get size(): number {
    return this.matrix.rows;
  }
  /** Same as {@link Gallery.size} (the {@link GalleryStore} form). */
  count(): number {
    return this.matrix.rows;
  }
  /** Identity names with at least one embedding, sorted by UTF-16 code unit. */
  identities(): string[] {
    return this.matrix.identityNames();
  }
  /** Number of embeddings of `identity` (0 when unknown). */
  countOf(identity: string): number {
    const c = identityNumberOf(this.matrix, identity);
    return c === undefined ? 0 : this.matrix.rowCount[c];
  }
  /** Image ids of `identity`, in enrollment order. */
  imagesOf(identity: string): string[] {
    const c = identityNumberOf(this.matrix, identity);
    return c === undefined ? [] : this.matrix.rowsOf(c).map((r) => this.matrix.imageIds[r]);
  }
  /** Image ids currently excluded from searches, sorted. */
  excludedImages(): string[] {
    return [...this.matrix.excluded].sort();
  }

  private ensureOpen(): void {
    if (this.closed) throw new InvalidArgumentError('the gallery is closed');
    if (this.broken !== undefined) throw this.broken;
  }

  /** Runs plans one at a time, each as one transaction of the store. */
  private mutate<T>(plan: (m: GalleryMatrix) => Plan<T>): Promise<T> {
    this.ensureOpen();
    const reason = this.backend.readOnlyReason;
    if (reason !== undefined) return Promise.reject(new GalleryReadOnlyError(this.backend.location, reason));
    const run = async (): Promise<T> => {
      let applied = false;
      try {
        const { matrix, result } = await this.backend.transact(this.matrix, (m) => {
          const p = plan(m);
          applied = true;
          return { ...applyPlan(m, p), result: p.result };
        });
        this.matrix = matrix;
        return result;
      } catch (err) {
        if (applied) {
          // The in-memory copy may hold a change that was not stored: reload what is.
          try {
            this.matrix = await this.backend.load();
          } catch (reloadErr) {
            this.broken = reloadErr;
          }
        }
        throw err;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Enrolls embeddings of one identity. Every vector is checked first (length D, finite, unit norm); nothing is stored
   * unless all pass. Resolves once the rows are stored (fsynced, for a directory).
   * @param identity any non-empty well-formed Unicode name (it is data, never a file name), stored in NFC.
   * @param embeddings `n >= 1` vectors, each `[D] float32` of L2 norm 1 (as the embedders give them).
   * @param imageIds one id per embedding, unique in the gallery (e.g. the image file name), stored in NFC.
   * @param options `normalize: true` scales vectors of another norm to 1 instead of refusing them.
   * @throws {EmbeddingDimensionError} wrong length. @throws {InvalidEmbeddingError} NaN, ±Infinity, zero or near-zero norm.
   * @throws {EmbeddingNormError} a norm other than 1 without `normalize`.
   * @throws {InvalidArgumentError} bad name or ids, count mismatch, an image id already enrolled, a closed gallery.
   * @throws {GalleryReadOnlyError} a read-only gallery. @throws {GalleryLockedError} another writer held the lock too long.
   * @throws {PermissionDeniedError} @throws {DiskFullError} @throws {FileSystemError} the write failed (the gallery
   *   keeps its previous state).
   */
  async enroll(
    identity: string,
    embeddings: readonly Float32Array[],
    imageIds: readonly string[],
    options: EnrollOptions = {},
  ): Promise<void> {
    this.ensureOpen();
    const batch = checkEnrollBatch(identity, embeddings, imageIds, this.dimension, options);
    const D = this.dimension;
    const values = new Float32Array(batch.embeddings.length * D);
    batch.embeddings.forEach((v, i) => {
      values.set(v, i * D);
    });
    await this.enrollRows(
      batch.embeddings.map(() => batch.identity),
      values,
      batch.imageIds,
    );
  }

  /**
   * Enrolls many rows of several identities in one transaction (bulk import): row i of `embeddings` belongs to
   * `identities[i]` and has id `imageIds[i]`. Checked like {@link Gallery.enroll}; all or nothing.
   * @param embeddings row-major `[n, D] float32`.
   * @throws {EmbeddingDimensionError} length not n·D. @throws {InvalidEmbeddingError} @throws {EmbeddingNormError} a
   *   bad row (named). @throws {InvalidArgumentError} counts differ, bad or repeated names or ids.
   */
  async enrollMany(
    identities: readonly string[],
    embeddings: Float32Array,
    imageIds: readonly string[],
    options: EnrollOptions = {},
  ): Promise<void> {
    this.ensureOpen();
    const rows = checkEnrollRows(identities, embeddings, imageIds, this.dimension, options);
    await this.enrollRows(rows.identities, rows.values, rows.imageIds);
  }

  /** Enrolls checked rows (NFC names and ids, unit vectors) in one transaction. */
  private enrollRows(identities: readonly string[], values: Float32Array, imageIds: readonly string[]): Promise<void> {
    return this.mutate((m) => planEnroll(m, identities, values, imageIds));
  }

  /**
   * Enrolls the rows of an embedding pair (e.g. decoded by `decodeEmbeddingPair` of `@eolgul/core`) in one transaction.
   * @param options `skipExisting: true` skips rows whose image id is already enrolled instead of refusing the pair;
   *   `normalize` as for {@link Gallery.enroll}.
   * @throws {EmbeddingDimensionError} the pair's D differs from the gallery's; and as {@link Gallery.enrollMany}.
   */
  async enrollPair(
    pair: EmbeddingPair,
    options: EnrollOptions & { skipExisting?: boolean } = {},
  ): Promise<EnrollPairResult> {
    this.ensureOpen();
    if (pair.dimension !== this.dimension) throw new EmbeddingDimensionError(this.dimension, pair.dimension);
    const D = this.dimension;
    const keep = pair.imageIds.map((id) => !(options.skipExisting && rowOfImageId(this.matrix, id) !== undefined));
    const rows = keep.flatMap((k, r) => (k ? [r] : []));
    const identities = [...new Set(rows.map((r) => pair.identities[r].normalize('NFC')))];
    if (rows.length > 0) {
      const values = new Float32Array(rows.length * D);
      rows.forEach((r, i) => {
        values.set(pair.embeddings.subarray(r * D, (r + 1) * D), i * D);
      });
      await this.enrollMany(
        rows.map((r) => pair.identities[r]),
        values,
        rows.map((r) => pair.imageIds[r]),
        options,
      );
    }
    return { added: rows.length, skipped: pair.imageIds.length - rows.length, identities };
  }

  private prepareSearch(probe: unknown, options: unknown): { s: MatrixSearch; threshold: number; probe: Float32Array } {
    this.ensureOpen();
    const o = resolveIdentifyOptions(options, this.defaultThreshold);
    const p = checkUnitEmbedding(probe, this.dimension, 'probe', o.normalize);
    let identityMask: Uint8Array | null = null;
    for (const name of o.exclude) {
      const c = identityNumberOf(this.matrix, name);
      if (c === undefined) continue;
      identityMask ??= new Uint8Array(this.matrix.identityCount);
      identityMask[c] = 1;
    }
    return { s: { k: o.k, per: o.per, mode: o.mode, identityMask }, threshold: o.threshold, probe: p };
  }

  private toMatches(hits: MatrixHit[], threshold: number): Match[] {
    return hits.map((h) => ({
      identity: this.matrix.names[h.identityNumber] as string,
      distance: h.distance,
      accepted: h.distance <= threshold,
      imageId: this.matrix.imageIds[h.row],
    }));
  }

  /**
   * The k nearest identities (or images, with `per: 'image'`) of `probe`, nearest first. Excluded images and the
   * identities in `options.exclude` are skipped. An empty gallery gives `[]`.
   * @param probe `[D] float32` of L2 norm 1, an embedding from the same model.
   * @returns matches with raw L2 distances (0–2 for unit vectors); `accepted` = distance ≤ threshold.
   * @throws {InvalidArgumentError} a probe that is not a Float32Array (null…), bad k, threshold, mode or per, `exclude`
   *   that is not a list of names. @throws {EmbeddingDimensionError} @throws {InvalidEmbeddingError}
   *   @throws {EmbeddingNormError} a bad probe.
   */
  identify(probe: Float32Array, options: IdentifyOptions = {}): Match[] {
    const { s, threshold, probe: p } = this.prepareSearch(probe, options);
    return this.toMatches(search(this.matrix, p, s), threshold);
  }

  /**
   * Searches a batch of probes at once (matrix × matrix: each gallery row is read from memory once for all probes).
   * Same results as calling {@link Gallery.identify} on each.
   * @param probes M vectors `[D] float32`.
   * @returns one match list per probe.
   */
  identifyMany(probes: readonly Float32Array[], options: IdentifyOptions = {}): Match[][] {
    this.ensureOpen();
    if (!Array.isArray(probes)) throw new InvalidArgumentError('probes must be an array of Float32Array');
    if (probes.length === 0) return [];
    const prepared = probes.map((p) => this.prepareSearch(p, options));
    const { s, threshold } = prepared[0];
    return searchMany(
      this.matrix,
      prepared.map((x) => x.probe),
      s,
    ).map((hits) => this.toMatches(hits, threshold));
  }

  /**
   * 1:1 verification: the L2 distance between two embeddings and whether it is within the threshold.
   * @param threshold L2 distance (default the gallery's `defaultThreshold`), or options with it and `normalize`.
   * @throws {InvalidArgumentError} @throws {EmbeddingDimensionError} @throws {InvalidEmbeddingError}
   *   @throws {EmbeddingNormError} a bad vector or threshold.
   */
  verify(
    a: Float32Array,
    b: Float32Array,
    threshold?: number | { threshold?: number; normalize?: boolean },
  ): { distance: number; same: boolean } {
    const o = typeof threshold === 'object' && threshold !== null ? threshold : { threshold };
    const va = checkUnitEmbedding(a, this.dimension, 'first embedding', o.normalize);
    const vb = checkUnitEmbedding(b, this.dimension, 'second embedding', o.normalize);
    const t = checkThreshold(o.threshold ?? this.defaultThreshold);
    const distance = euclideanDistance(va, vb);
    return { distance, same: distance <= t };
  }

  /**
   * Removes all embeddings of an identity or the one image with that id. The rows are erased from storage.
   * @param identityOrImageId an identity name or an image id.
   * @param options `kind: 'identity'` or `'image'` says which one is meant; without it, a string that is both an
   *   identity name and an image id is refused as ambiguous.
   * @returns the number of rows removed (≥ 1).
   * @throws {UnknownIdentityError} not an identity (or image id) of this gallery.
   * @throws {InvalidArgumentError} the string names both an identity and an image and `kind` is not given.
   */
  async remove(identityOrImageId: string, options: { kind?: 'identity' | 'image' } = {}): Promise<number> {
    this.ensureOpen();
    const key = normalizeLabel(identityOrImageId, 'identity');
    return this.mutate((m) => planRemove(m, key, options.kind));
  }

  /**
   * Renames an identity. Renaming onto a name that already exists merges the two identities under `newName`.
   * @throws {UnknownIdentityError} `oldName` is not enrolled. @throws {InvalidArgumentError} bad `newName`.
   */
  async rename(oldName: string, newName: string): Promise<void> {
    this.ensureOpen();
    const to = normalizeLabel(newName, 'identity');
    return this.mutate((m) => planRename(m, oldName, to));
  }

  /**
   * Leaves one enrolled image out of every search, persistently, until {@link Gallery.includeImage}. Use it when an
   * image of an identity keeps matching other people.
   * @throws {UnknownIdentityError} the image id is not enrolled.
   */
  async excludeImage(imageId: string): Promise<void> {
    this.ensureOpen();
    normalizeLabel(imageId, 'image id');
    return this.mutate((m) => planExclusion(m, imageId, true));
  }

  /**
   * Undoes {@link Gallery.excludeImage}. Including an image that is not excluded does nothing.
   * @throws {UnknownIdentityError} the image id is not enrolled.
   */
  async includeImage(imageId: string): Promise<void> {
    this.ensureOpen();
    normalizeLabel(imageId, 'image id');
    return this.mutate((m) => planExclusion(m, imageId, false));
  }

  /** A new "that is not me" session: rejected identities are left out of that session's following searches. */
  session(): GallerySession {
    return createGallerySession(this) as GallerySession;
  }

  /**
   * Catches up with changes that other processes (or tabs) stored. No-op in memory.
   * @returns true when something changed.
   * @throws {GalleryCorruptError} the stored state is damaged (this copy is kept).
   */
  async refresh(): Promise<boolean> {
    this.ensureOpen();
    const run = async () => {
      const { matrix, changed } = await this.backend.refresh(this.matrix);
      this.matrix = matrix;
      return changed;
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * The whole gallery as an embedding pair (rows in storage order; excluded images included), for
   * `encodeEmbeddingPair` of `@eolgul/core` (browser) or `writeEmbeddingPairFiles` of `@eolgul/core/node`.
   */
  toPair(): EmbeddingPair {
    this.ensureOpen();
    const m = this.matrix;
    return {
      dimension: m.dimension,
      embeddings: m.data.slice(0, m.rows * m.dimension),
      imageIds: m.imageIds.slice(0, m.rows),
      identities: Array.from(m.identityOf.subarray(0, m.rows), (c) => m.names[c] as string),
    };
  }

  /**
   * Writes the gallery as an NPY + CSV pair plus `<csv name>.identities.csv` (Node only).
   * @deprecated Use `writeEmbeddingPairFiles(npyPath, csvPath, gallery.toPair())` from `@eolgul/core/node`.
   */
  exportPair(npyPath: string, csvPath: string): Promise<void> {
    return nodeHooksFor('Gallery.exportPair').exportPair(this, npyPath, csvPath);
  }

  /** Waits for pending changes and closes the gallery; later calls throw {@link InvalidArgumentError}. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue;
    this.closed = true;
    await this.backend.close();
  }
}
