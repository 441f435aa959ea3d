import {
  EmbeddingDimensionError,
  InvalidArgumentError,
  InvalidEmbeddingError,
  UnknownIdentityError,
  euclideanDistance,
  validateEmbedding,
} from '@eolgul/core';
import { GalleryMatrix, type MatrixHit, type MatrixSearch } from './gallery-matrix.js';
import { validateEnrollBatch, validateLabel } from './gallery-names.js';
import { DirectoryBackend, type DirectoryChange, type DirectoryStoreOptions } from './gallery-store-npy.js';
import { readGalleryPair, writeGalleryPair } from './gallery-pair.js';
import { createGallerySession, DEFAULT_GALLERY_THRESHOLD } from './gallery-session.js';
import type { GalleryManifest, GallerySession, GalleryStore, IdentifyOptions, Match } from './gallery-types.js';

/** Options of {@link Gallery.open} and {@link Gallery.importPair}. */
export interface GalleryOpenOptions extends DirectoryStoreOptions {
  /** Create the directory and an empty gallery when it has none. Default false. */
  create?: boolean;
  /** Embedding length D. Needed to create; when opening, must equal the stored D ({@link @eolgul/core!GalleryMismatchError} otherwise). */
  dimension?: number;
  /** Embedding model id. Needed to create; when opening, must equal the stored one. */
  modelId?: string;
  /** Preprocessing description. Stored on create; when opening, must equal the stored one if both are set. */
  preprocess?: string;
  /** Default L2 threshold stored on create (default {@link DEFAULT_GALLERY_THRESHOLD}); ignored when opening. */
  defaultThreshold?: number;
}

/** Options of {@link Gallery.inMemory}. */
export interface GalleryMemoryOptions {
  /** Embedding length D, a positive integer. */
  dimension: number;
  /** Embedding model id. Default `'unspecified'`. */
  modelId?: string;
  /** Default L2 threshold. Default {@link DEFAULT_GALLERY_THRESHOLD}. */
  defaultThreshold?: number;
}

/** A planned change: validated against the current state, then written and applied. */
type Plan<T> = { result: T } & (
  | { kind: 'none' }
  | { kind: 'append'; values: Float32Array; imageIds: string[]; cats: number[]; newCats: Map<number, string> }
  | { kind: 'drop'; drop: Uint8Array }
  | { kind: 'rename'; cat: number; name: string }
  | { kind: 'merge'; from: number; to: number }
  | { kind: 'exclusions'; ids: Set<string> }
);

function checkThreshold(t: unknown, what = 'threshold'): number {
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) {
    throw new InvalidArgumentError(`${what} must be a finite L2 distance >= 0, got ${String(t)}`);
  }
  return t;
}

/**
 * A face gallery: enrolled embeddings of named identities, searched exactly (1:N, Euclidean) in one pass over a
 * contiguous `Float32Array`. In memory ({@link Gallery.inMemory}) or over a durable gallery directory
 * ({@link Gallery.open}; format and crash-safety argument in `gallery-store-npy.ts` and the package README).
 *
 * Searches are synchronous and read this process's copy; changes (`enroll`, `remove`, `rename`, `excludeImage`…) take
 * the directory's write lock, first catch up with what other processes committed, then write and fsync before they
 * resolve. Call {@link Gallery.refresh} to catch up without writing.
 *
 * @example
 * ```ts
 * const g = Gallery.inMemory({ dimension: 3 });
 * await g.enroll('Ada', [new Float32Array([1, 0, 0])], ['ada_1.jpg']);
 * g.identify(new Float32Array([0.8, 0.6, 0]));
 * // → [{ identity: 'Ada', distance: 0.632…, accepted: true, imageId: 'ada_1.jpg' }]
 * ```
 */
export class Gallery implements GalleryStore {
  private matrix: GalleryMatrix;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    /** What the stored embeddings are. */
    readonly manifest: GalleryManifest,
    matrix: GalleryMatrix,
    private readonly backend?: DirectoryBackend,
  ) {
    this.matrix = matrix;
  }

  /**
   * Opens the gallery directory `dir` (or, with `create: true`, creates it when it holds no gallery).
   * Waits for the write lock (other writers) while loading.
   * @throws {GalleryMismatchError} stored `dimension`, `modelId` or `preprocess` differs from the requested one (`field` names it).
   * @throws {GalleryCorruptError} not a gallery directory, or files that disagree. @throws {GalleryLockedError} lock timeout.
   * @throws {InvalidArgumentError} creating without `dimension` or `modelId`, or a bad `defaultThreshold`.
   */
  static async open(dir: string, options: GalleryOpenOptions = {}): Promise<Gallery> {
    const defaultThreshold = checkThreshold(options.defaultThreshold ?? DEFAULT_GALLERY_THRESHOLD, 'defaultThreshold');
    const { backend, matrix } = await DirectoryBackend.open(dir, options, { ...options, defaultThreshold });
    return new Gallery(backend.manifest, matrix, backend);
  }

  /**
   * An in-memory gallery (browsers, tests, short-lived processes). Nothing is written anywhere.
   * @throws {InvalidArgumentError} bad dimension or threshold.
   */
  static inMemory(options: GalleryMemoryOptions): Gallery {
    if (!Number.isInteger(options.dimension) || options.dimension <= 0) {
      throw new InvalidArgumentError(`dimension must be a positive integer, got ${options.dimension}`);
    }
    const manifest: GalleryManifest = {
      formatVersion: 1,
      dimension: options.dimension,
      modelId: options.modelId ?? 'unspecified',
      defaultThreshold: checkThreshold(options.defaultThreshold ?? DEFAULT_GALLERY_THRESHOLD, 'defaultThreshold'),
    };
    return new Gallery(manifest, new GalleryMatrix(options.dimension));
  }

  /**
   * Imports an NPY + CSV pair in the seed's layout (see `readGalleryPair`) into the gallery directory `dir`,
   * creating it when `options.create` is set (D defaults to the NPY's). All rows are committed in one transaction.
   * @throws {NpyFormatError} @throws {CsvFormatError} @throws {InvalidEmbeddingError} bad pair files.
   * @throws {GalleryMismatchError} the gallery has another D or model. @throws {InvalidArgumentError} an image id already enrolled.
   */
  static async importPair(
    dir: string,
    npyPath: string,
    csvPath: string,
    options: GalleryOpenOptions = {},
  ): Promise<Gallery> {
    const pair = await readGalleryPair(npyPath, csvPath);
    const g = await Gallery.open(dir, { ...options, dimension: options.dimension ?? pair.dimension });
    try {
      if (g.dimension !== pair.dimension)
        throw new InvalidArgumentError(`${npyPath} has D = ${pair.dimension}, the gallery ${g.dimension}`);
      await g.enrollRows(pair.identities, pair.embeddings, pair.imageIds);
    } catch (err) {
      await g.close();
      throw err;
    }
    return g;
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
  /** The directory, or `undefined` for an in-memory gallery. */
  get directory(): string | undefined {
    return this.backend?.dir;
  }
  /**
   * The search kernel in use: `'wasm-simd'` (WebAssembly SIMD, D a multiple of 16, matrix ≤ ~4 GB) or `'js'`
   * (TypeScript; `EOLGUL_GALLERY_KERNEL=js` forces it). Both give the same matches.
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
    const c = this.matrix.catOfName.get(identity);
    return c === undefined ? 0 : this.matrix.catRows[c];
  }
  /** Image ids of `identity`, in enrollment order. */
  imagesOf(identity: string): string[] {
    const c = this.matrix.catOfName.get(identity);
    return c === undefined ? [] : this.matrix.rowsOf(c).map((r) => this.matrix.imageIds[r]);
  }
  /** Image ids currently excluded from searches, sorted. */
  excludedImages(): string[] {
    return [...this.matrix.excluded].sort();
  }

  private ensureOpen(): void {
    if (this.closed) throw new InvalidArgumentError('the gallery is closed');
  }

  /** Runs plans one at a time; under the directory lock with a refreshed state when there is a directory. */
  private mutate<T>(plan: (m: GalleryMatrix) => Plan<T>): Promise<T> {
    this.ensureOpen();
    const run = async (): Promise<T> => {
      const backend = this.backend;
      if (!backend) {
        const p = plan(this.matrix);
        this.matrix = this.apply(this.matrix, p);
        return p.result;
      }
      return backend.withLock(async () => {
        this.matrix = await backend.refresh(this.matrix);
        const p = plan(this.matrix);
        if (p.kind === 'none') return p.result;
        const before = this.matrix.rows;
        const next = this.apply(this.matrix, p);
        try {
          await backend.write(next, this.changeOf(p, before));
        } catch (err) {
          // The in-memory copy may be ahead of the disk: reload what is committed.
          this.matrix = await backend.load();
          throw err;
        }
        this.matrix = next;
        return p.result;
      });
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private changeOf(p: Plan<unknown>, fromRow: number): DirectoryChange {
    switch (p.kind) {
      case 'append':
        return { kind: 'append', fromRow, newCats: [...p.newCats.keys()] };
      case 'drop':
        return { kind: 'replace', files: ['embeddings.npy', 'index.csv', 'identities.csv', 'excluded-images.csv'] };
      case 'rename':
        return { kind: 'replace', files: ['identities.csv'] };
      case 'merge':
        return { kind: 'replace', files: ['index.csv', 'identities.csv'] };
      default:
        return { kind: 'replace', files: ['excluded-images.csv'] };
    }
  }

  /** Applies a plan to `m` (in place where possible) and returns the new state. */
  private apply(m: GalleryMatrix, p: Plan<unknown>): GalleryMatrix {
    switch (p.kind) {
      case 'none':
        return m;
      case 'append': {
        for (const [c, name] of p.newCats) m.setCategory(c, name);
        const D = m.dimension;
        let start = 0;
        // Consecutive rows of one category are appended together.
        for (let i = 1; i <= p.cats.length; i++) {
          if (i === p.cats.length || p.cats[i] !== p.cats[start]) {
            m.appendRows(p.values.subarray(start * D, i * D), p.imageIds.slice(start, i), p.cats[start]);
            start = i;
          }
        }
        return m;
      }
      case 'drop':
        return m.without(p.drop);
      case 'rename':
        m.setCategory(p.cat, p.name);
        return m;
      case 'merge': {
        for (let r = 0; r < m.rows; r++) if (m.cats[r] === p.from) m.cats[r] = p.to;
        m.catRows[p.to] += m.catRows[p.from];
        m.catRows[p.from] = 0;
        const old = m.names[p.from] as string;
        m.names[p.from] = undefined;
        if (m.catOfName.get(old) === p.from) m.catOfName.delete(old);
        m.version++;
        return m;
      }
      case 'exclusions':
        m.setExcluded(p.ids);
        return m;
    }
  }

  /**
   * Enrolls embeddings of one identity. Every vector is checked first (length D, finite, non-zero norm); nothing is
   * stored unless all pass. On a directory gallery the rows are appended and fsynced before this resolves.
   * @param identity any non-empty well-formed Unicode name (it is data, never a file name).
   * @param embeddings `n >= 1` vectors, each `[D] float32` (L2-normalised by the embedder).
   * @param imageIds one id per embedding, unique in the gallery (e.g. the image file name).
   * @throws {EmbeddingDimensionError} wrong length. @throws {InvalidEmbeddingError} NaN, ±Infinity or zero norm.
   * @throws {InvalidArgumentError} bad name or ids, count mismatch, an image id already enrolled.
   * @throws {GalleryLockedError} another writer held the lock past `lockTimeoutMs`.
   */
  async enroll(identity: string, embeddings: readonly Float32Array[], imageIds: readonly string[]): Promise<void> {
    validateEnrollBatch(identity, embeddings, imageIds, this.dimension);
    const D = this.dimension;
    const values = new Float32Array(embeddings.length * D);
    embeddings.forEach((v, i) => {
      values.set(v, i * D);
    });
    await this.enrollRows(
      embeddings.map(() => identity),
      values,
      imageIds.slice(),
    );
  }

  /**
   * Enrolls many rows of several identities in one transaction (bulk import): row i of `embeddings` belongs to
   * `identities[i]` and has id `imageIds[i]`. Checked like {@link Gallery.enroll}; all or nothing.
   * @param embeddings row-major `[n, D] float32`.
   * @throws {EmbeddingDimensionError} length not n·D. @throws {InvalidEmbeddingError} a row not finite or of zero norm (named).
   * @throws {InvalidArgumentError} counts differ, bad or repeated names or ids.
   */
  async enrollMany(
    identities: readonly string[],
    embeddings: Float32Array,
    imageIds: readonly string[],
  ): Promise<void> {
    const D = this.dimension;
    const n = identities.length;
    if (imageIds.length !== n) throw new InvalidArgumentError(`${n} identities but ${imageIds.length} image ids`);
    if (!(embeddings instanceof Float32Array))
      throw new InvalidArgumentError('embeddings must be a Float32Array [n, D]');
    if (embeddings.length !== n * D) throw new EmbeddingDimensionError(n * D, embeddings.length);
    if (n === 0) throw new InvalidArgumentError('nothing to enroll');
    for (let r = 0; r < n; r++) {
      try {
        validateEmbedding(embeddings.subarray(r * D, (r + 1) * D), D);
      } catch (err) {
        throw new InvalidEmbeddingError(
          `row ${r} (${JSON.stringify(imageIds[r])}): ${(err as Error).message.replace(/^invalid embedding: /, '')}`,
        );
      }
    }
    await this.enrollRows(identities, embeddings, imageIds);
  }

  /** Enrolls rows of several identities in one transaction. `values` is `[n, D]` row-major; checked by the caller. */
  private enrollRows(identities: readonly string[], values: Float32Array, imageIds: readonly string[]): Promise<void> {
    const seen = new Set<string>();
    for (const id of imageIds) {
      validateLabel(id, 'image id');
      if (seen.has(id)) throw new InvalidArgumentError(`image id ${JSON.stringify(id)} appears twice`);
      seen.add(id);
    }
    identities.forEach((n) => {
      validateLabel(n, 'identity');
    });
    return this.mutate((m) => {
      for (const id of imageIds) {
        if (m.rowOfImage.has(id)) throw new InvalidArgumentError(`image id ${JSON.stringify(id)} is already enrolled`);
      }
      const newCats = new Map<number, string>();
      const catOf = new Map<string, number>();
      let next = m.nextCategory();
      const cats = identities.map((name) => {
        let c = catOf.get(name) ?? m.catOfName.get(name);
        if (c === undefined) {
          c = next++;
          newCats.set(c, name);
        }
        catOf.set(name, c);
        return c;
      });
      // Rows of one identity go in runs (stable regrouping, only when interleaved).
      let grouped = true;
      const firstSeen = new Map<number, number>();
      for (let i = 0; i < cats.length && grouped; i++) {
        if (i > 0 && cats[i] !== cats[i - 1] && firstSeen.has(cats[i])) grouped = false;
        firstSeen.set(cats[i], i);
      }
      if (grouped) return { kind: 'append', values, imageIds: imageIds.slice(), cats, newCats, result: undefined };
      const order = cats.map((_, i) => i).sort((a, b) => cats[a] - cats[b] || a - b);
      const D = m.dimension;
      const sorted = new Float32Array(values.length);
      order.forEach((src, dst) => {
        sorted.set(values.subarray(src * D, (src + 1) * D), dst * D);
      });
      return {
        kind: 'append',
        values: sorted,
        imageIds: order.map((i) => imageIds[i]),
        cats: order.map((i) => cats[i]),
        newCats,
        result: undefined,
      };
    });
  }

  private resolveSearch(probe: Float32Array, options: IdentifyOptions): { s: MatrixSearch; threshold: number } {
    this.ensureOpen();
    validateEmbedding(probe, this.dimension);
    const k = options.k ?? 1;
    if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError(`k must be a positive integer, got ${k}`);
    const threshold = checkThreshold(options.threshold ?? this.defaultThreshold);
    const mode = options.mode ?? 'template';
    if (mode !== 'image' && mode !== 'template')
      throw new InvalidArgumentError(`mode must be 'image' or 'template', got ${String(mode)}`);
    const per = options.per ?? 'identity';
    if (per !== 'identity' && per !== 'image')
      throw new InvalidArgumentError(`per must be 'identity' or 'image', got ${String(per)}`);
    let catMask: Uint8Array | null = null;
    for (const name of options.exclude ?? []) {
      const c = this.matrix.catOfName.get(name);
      if (c === undefined) continue;
      catMask ??= new Uint8Array(this.matrix.categoryCount);
      catMask[c] = 1;
    }
    return { s: { k, per, mode, catMask }, threshold };
  }

  private toMatches(hits: MatrixHit[], threshold: number): Match[] {
    return hits.map((h) => ({
      identity: this.matrix.names[h.category] as string,
      distance: h.distance,
      accepted: h.distance <= threshold,
      imageId: this.matrix.imageIds[h.row],
    }));
  }

  /**
   * The k nearest identities (or images, with `per: 'image'`) of `probe`, nearest first. Excluded images and the
   * identities in `options.exclude` are skipped. An empty gallery gives `[]`.
   * @param probe `[D] float32`, an embedding from the same model.
   * @returns matches with raw L2 distances (0–2 for unit vectors); `accepted` = distance ≤ threshold.
   * @throws {EmbeddingDimensionError} @throws {InvalidEmbeddingError} bad probe. @throws {InvalidArgumentError} bad k, threshold, mode.
   */
  identify(probe: Float32Array, options: IdentifyOptions = {}): Match[] {
    const { s, threshold } = this.resolveSearch(probe, options);
    return this.toMatches(this.matrix.search(probe, s), threshold);
  }

  /**
   * Searches a batch of probes at once (matrix × matrix: each gallery row is read from memory once for all probes).
   * Same results as calling {@link Gallery.identify} on each.
   * @param probes M vectors `[D] float32`.
   * @returns one match list per probe.
   */
  identifyMany(probes: readonly Float32Array[], options: IdentifyOptions = {}): Match[][] {
    if (probes.length === 0) return [];
    const resolved = probes.map((p) => this.resolveSearch(p, options));
    const { s, threshold } = resolved[0];
    return this.matrix.searchMany(probes, s).map((hits) => this.toMatches(hits, threshold));
  }

  /**
   * 1:1 verification: the L2 distance between two embeddings and whether it is within the threshold.
   * @param threshold L2 distance; default the gallery's `defaultThreshold`.
   * @throws {EmbeddingDimensionError} @throws {InvalidEmbeddingError} bad vector. @throws {InvalidArgumentError} bad threshold.
   */
  verify(a: Float32Array, b: Float32Array, threshold?: number): { distance: number; same: boolean } {
    validateEmbedding(a, this.dimension);
    validateEmbedding(b, this.dimension);
    const t = checkThreshold(threshold ?? this.defaultThreshold);
    const distance = euclideanDistance(a, b);
    return { distance, same: distance <= t };
  }

  /**
   * Removes all embeddings of an identity or the one image with that id.
   * The rows are erased from the files (the directory's embeddings file is rewritten without them).
   * @param identityOrImageId an identity name or an image id.
   * @param options `kind: 'identity'` or `'image'` says which one is meant; without it, a string that is both an
   *   identity name and an image id is refused as ambiguous.
   * @returns the number of rows removed (≥ 1).
   * @throws {UnknownIdentityError} not an identity (or image id) of this gallery.
   * @throws {InvalidArgumentError} the string names both an identity and an image and `kind` is not given.
   */
  async remove(identityOrImageId: string, options: { kind?: 'identity' | 'image' } = {}): Promise<number> {
    return this.mutate((m) => {
      const drop = new Uint8Array(m.rows);
      let n = 0;
      let c = m.catOfName.get(identityOrImageId);
      if (c !== undefined && m.catRows[c] === 0) c = undefined;
      const isImage = m.rowOfImage.has(identityOrImageId);
      if (options.kind === undefined && c !== undefined && isImage) {
        throw new InvalidArgumentError(
          `${JSON.stringify(identityOrImageId)} is both an identity and an image id: say which (kind: 'identity' | 'image')`,
        );
      }
      if (options.kind === 'image') c = undefined;
      if (options.kind === 'identity' && c === undefined) throw new UnknownIdentityError(identityOrImageId);
      if (c !== undefined) {
        for (let r = 0; r < m.rows; r++) {
          if (m.cats[r] === c) {
            drop[r] = 1;
            n++;
          }
        }
      } else {
        const r = m.rowOfImage.get(identityOrImageId);
        if (r === undefined) throw new UnknownIdentityError(identityOrImageId);
        drop[r] = 1;
        n = 1;
      }
      return { kind: 'drop', drop, result: n };
    });
  }

  /**
   * Renames an identity. Renaming onto a name that already exists merges the two identities under `newName`.
   * @throws {UnknownIdentityError} `oldName` is not enrolled. @throws {InvalidArgumentError} bad `newName`.
   */
  async rename(oldName: string, newName: string): Promise<void> {
    validateLabel(newName, 'identity');
    return this.mutate((m) => {
      const from = m.catOfName.get(oldName);
      if (from === undefined || m.catRows[from] === 0) throw new UnknownIdentityError(oldName);
      if (oldName === newName) return { kind: 'none', result: undefined };
      const to = m.catOfName.get(newName);
      if (to !== undefined && m.catRows[to] > 0) return { kind: 'merge', from, to, result: undefined };
      return { kind: 'rename', cat: from, name: newName, result: undefined };
    });
  }

  /**
   * Leaves one enrolled image out of every search (the seed's false-image list), persistently, until
   * {@link Gallery.includeImage}. Use it when an image of an identity keeps matching other people.
   * @throws {UnknownIdentityError} the image id is not enrolled.
   */
  async excludeImage(imageId: string): Promise<void> {
    return this.mutate((m) => {
      if (!m.rowOfImage.has(imageId)) throw new UnknownIdentityError(imageId);
      if (m.excluded.has(imageId)) return { kind: 'none', result: undefined };
      return { kind: 'exclusions', ids: new Set([...m.excluded, imageId]), result: undefined };
    });
  }

  /**
   * Undoes {@link Gallery.excludeImage}. Including an image that is not excluded does nothing.
   * @throws {UnknownIdentityError} the image id is not enrolled.
   */
  async includeImage(imageId: string): Promise<void> {
    return this.mutate((m) => {
      if (!m.rowOfImage.has(imageId)) throw new UnknownIdentityError(imageId);
      if (!m.excluded.has(imageId)) return { kind: 'none', result: undefined };
      const ids = new Set(m.excluded);
      ids.delete(imageId);
      return { kind: 'exclusions', ids, result: undefined };
    });
  }

  /** A new "that is not me" session: rejected identities are left out of that session's following searches. */
  session(): GallerySession {
    return createGallerySession(this) as GallerySession;
  }

  /**
   * Catches up with changes other processes committed to the directory (no-op in memory).
   * @returns true when something changed.
   */
  async refresh(): Promise<boolean> {
    this.ensureOpen();
    const backend = this.backend;
    if (!backend) return false;
    const run = () =>
      backend.withLock(async () => {
        const before = backend.generation;
        this.matrix = await backend.refresh(this.matrix);
        return backend.generation !== before;
      });
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Writes the gallery as an NPY + CSV pair in the seed's layout (`float32 [N, D]` + `image,category`), plus
   * `<csv>.identities.csv` (`category,name`) so that {@link Gallery.importPair} restores the names exactly.
   */
  async exportPair(npyPath: string, csvPath: string): Promise<void> {
    this.ensureOpen();
    const m = this.matrix;
    const names = new Map<number, string>();
    m.names.forEach((n, c) => {
      if (n !== undefined) names.set(c, n);
    });
    await writeGalleryPair(npyPath, csvPath, {
      dimension: m.dimension,
      embeddings: m.data.subarray(0, m.rows * m.dimension),
      imageIds: m.imageIds.slice(0, m.rows),
      categories: m.cats.subarray(0, m.rows),
      names,
    });
  }

  /** Waits for pending changes and closes the gallery; later calls throw {@link InvalidArgumentError}. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue;
    this.closed = true;
  }
}

export { createGallerySession, DEFAULT_GALLERY_THRESHOLD };
