import { KERNEL_DATA_OFF, KernelMemory } from './gallery-kernel.js';

/**
 * The in-memory state of a gallery: all embeddings in one contiguous row-major `Float32Array [capacity, D]` (grown by
 * doubling, so appends are amortised O(1); inside the WebAssembly kernel's memory where it runs, so that the search
 * reads it in place), the squared norm of each row, the identity number of each row, and the names and exclusions.
 * Identity numbers are the `category` column of the stored files. The search over it is in `gallery-search.ts`.
 * @module
 */

/** Squared L2 norm in float64. */
function sqNorm(v: Float32Array, off: number, D: number): number {
  let s = 0;
  for (let j = 0; j < D; j++) s += v[off + j] * v[off + j];
  return s;
}

/** The mutable in-memory gallery. Not exported from the package; a `Gallery` owns one. */
export class GalleryMatrix {
  /** Row-major `[capacity, D]`; rows `[0, rows)` are live. */
  data: Float32Array;
  /** `‖row‖²` per row. */
  sqNorms: Float64Array;
  /** Identity number per row. */
  identityOf: Int32Array;
  /** 1 where the row's image is excluded from searches. */
  excludedMask: Uint8Array;
  rows = 0;
  /** Image id per row. */
  imageIds: string[] = [];
  rowOfImage = new Map<string, number>();
  /** Name per identity number; `undefined` for numbers no longer in use. */
  names: (string | undefined)[] = [];
  numberOfName = new Map<string, number>();
  /** Live rows per identity number. */
  rowCount: number[] = [];
  /** Excluded image ids (all of them enrolled). */
  excluded = new Set<string>();
  /** Incremented on every change; keys the template cache. */
  version = 0;
  private templates: { version: number; identityOf: Int32Array; data: Float32Array; matrix: GalleryMatrix } | undefined;
  /** The SIMD kernel whose memory holds `data`, or null (plain TypeScript kernel). */
  readonly kernel: KernelMemory | null;

  constructor(
    readonly dimension: number,
    capacity = 16,
  ) {
    this.kernel = KernelMemory.create(capacity * dimension * 4, dimension);
    this.data = this.kernel
      ? this.kernel.f32(KERNEL_DATA_OFF, capacity * dimension)
      : new Float32Array(capacity * dimension);
    this.sqNorms = new Float64Array(capacity);
    this.identityOf = new Int32Array(capacity);
    this.excludedMask = new Uint8Array(capacity);
  }

  /** Which dot-product kernel searches use: `'wasm-simd'` or `'js'`. */
  get kernelName(): 'wasm-simd' | 'js' {
    return this.kernel ? 'wasm-simd' : 'js';
  }

  /** Number of identity numbers allocated (used or not). */
  get identityCount(): number {
    return this.names.length;
  }

  /** Grows the arrays so that `n` rows fit (doubling). */
  ensureCapacity(n: number): void {
    const cap = this.sqNorms.length;
    if (n <= cap) return;
    let next = Math.max(16, cap);
    while (next < n) next *= 2;
    const D = this.dimension;
    const kernel = this.kernel ? KernelMemory.create(next * D * 4, D) : null;
    const data: Float32Array = kernel ? kernel.f32(KERNEL_DATA_OFF, next * D) : new Float32Array(next * D);
    data.set(this.data.subarray(0, this.rows * D));
    (this as { kernel: KernelMemory | null }).kernel = kernel;
    const norms = new Float64Array(next);
    norms.set(this.sqNorms.subarray(0, this.rows));
    const identityOf = new Int32Array(next);
    identityOf.set(this.identityOf.subarray(0, this.rows));
    const mask = new Uint8Array(next);
    mask.set(this.excludedMask.subarray(0, this.rows));
    this.data = data;
    this.sqNorms = norms;
    this.identityOf = identityOf;
    this.excludedMask = mask;
  }

  /** Sets the name of identity `id` (allocating numbers up to it). */
  setIdentity(id: number, name: string): void {
    while (this.names.length <= id) {
      this.names.push(undefined);
      this.rowCount.push(0);
    }
    const old = this.names[id];
    if (old !== undefined && this.numberOfName.get(old) === id) this.numberOfName.delete(old);
    this.names[id] = name;
    this.numberOfName.set(name, id);
    this.version++;
  }

  /** The identity number a new identity would get. */
  nextIdentityNumber(): number {
    return this.names.length;
  }

  /**
   * Appends rows `values` (`[n, D]` row-major, n = imageIds.length) of identity `id` (which must have a name).
   * Callers validate first.
   */
  appendRows(values: Float32Array, imageIds: readonly string[], id: number): void {
    const D = this.dimension;
    const n = imageIds.length;
    this.ensureCapacity(this.rows + n);
    this.data.set(values.subarray(0, n * D), this.rows * D);
    for (let i = 0; i < n; i++) {
      const r = this.rows + i;
      this.sqNorms[r] = sqNorm(this.data, r * D, D);
      this.identityOf[r] = id;
      this.excludedMask[r] = 0;
      this.imageIds[r] = imageIds[i];
      this.rowOfImage.set(imageIds[i], r);
    }
    this.rows += n;
    this.rowCount[id] += n;
    this.version++;
  }

  /** Marks image ids excluded (they must be enrolled). */
  setExcluded(ids: Iterable<string>): void {
    this.excluded = new Set();
    this.excludedMask.fill(0);
    for (const id of ids) {
      const r = this.rowOfImage.get(id);
      if (r === undefined) continue;
      this.excluded.add(id);
      this.excludedMask[r] = 1;
    }
    this.version++;
  }

  /** A copy without the rows where `drop[row]` is 1 (identity numbers kept; names of emptied identities dropped). */
  without(drop: Uint8Array): GalleryMatrix {
    const D = this.dimension;
    let keep = 0;
    for (let r = 0; r < this.rows; r++) if (!drop[r]) keep++;
    const out = new GalleryMatrix(D, Math.max(16, keep));
    out.names = this.names.slice();
    out.numberOfName = new Map(this.numberOfName);
    out.rowCount = new Array(this.names.length).fill(0);
    let w = 0;
    for (let r = 0; r < this.rows; r++) {
      if (drop[r]) continue;
      out.data.set(this.data.subarray(r * D, (r + 1) * D), w * D);
      out.sqNorms[w] = this.sqNorms[r];
      out.identityOf[w] = this.identityOf[r];
      out.excludedMask[w] = this.excludedMask[r];
      out.imageIds[w] = this.imageIds[r];
      out.rowOfImage.set(this.imageIds[r], w);
      out.rowCount[this.identityOf[r]]++;
      if (this.excludedMask[r]) out.excluded.add(this.imageIds[r]);
      w++;
    }
    out.rows = w;
    out.names.forEach((name, c) => {
      if (name !== undefined && out.rowCount[c] === 0) {
        out.names[c] = undefined;
        out.numberOfName.delete(name);
      }
    });
    out.version = this.version + 1;
    return out;
  }

  /** Live identity names, sorted by code unit. */
  identityNames(): string[] {
    const out: string[] = [];
    this.names.forEach((n, c) => {
      if (n !== undefined && this.rowCount[c] > 0) out.push(n);
    });
    return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Rows `[n, D]` of one category, as a list of row numbers. */
  rowsOf(id: number): number[] {
    const out: number[] = [];
    for (let r = 0; r < this.rows; r++) if (this.identityOf[r] === id) out.push(r);
    return out;
  }

  /**
   * Per-identity templates: the L2-normalised mean of each identity's non-excluded rows, cached until the next change.
   * @returns `identityOf[t]` = identity number of template t, `data` = `[T, D]` row-major.
   */
  templateMatrix(): { identityOf: Int32Array; data: Float32Array; matrix: GalleryMatrix } {
    if (this.templates && this.templates.version === this.version) return this.templates;
    const D = this.dimension;
    const C = this.identityCount;
    const sums = new Float64Array(C * D);
    const counts = new Int32Array(C);
    for (let r = 0; r < this.rows; r++) {
      if (this.excludedMask[r]) continue;
      const c = this.identityOf[r];
      counts[c]++;
      const off = r * D;
      const so = c * D;
      for (let j = 0; j < D; j++) sums[so + j] += this.data[off + j];
    }
    const live: number[] = [];
    for (let c = 0; c < C; c++) if (counts[c] > 0) live.push(c);
    const data = new Float32Array(live.length * D);
    live.forEach((c, t) => {
      let n = 0;
      for (let j = 0; j < D; j++) n += sums[c * D + j] * sums[c * D + j];
      n = Math.sqrt(n);
      // A mean of opposite unit vectors can be ~0; fall back to the raw mean direction scaled to 1 where possible.
      const scale = n > 0 ? 1 / n : 0;
      for (let j = 0; j < D; j++) data[t * D + j] = sums[c * D + j] * scale;
    });
    // The templates as a matrix of their own (one row per identity, same identity numbers), so template searches use
    // the same exact kernel (WebAssembly SIMD where available) as image searches.
    const matrix = new GalleryMatrix(D, Math.max(16, live.length));
    live.forEach((c, t) => {
      matrix.setIdentity(c, `#${c}`);
      matrix.appendRows(data.subarray(t * D, (t + 1) * D), [`#${c}`], c);
    });
    this.templates = { version: this.version, identityOf: Int32Array.from(live), data, matrix };
    return this.templates;
  }
}
