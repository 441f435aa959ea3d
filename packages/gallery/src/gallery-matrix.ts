import { euclideanDistance } from '@eolgul/core';
import type { IdentifyMode, IdentifyPer } from './gallery-types.js';
import {
  KERNEL_DATA_OFF,
  KERNEL_OUT_FLOATS,
  KERNEL_OUT_OFF,
  KERNEL_PROBE_BYTES,
  KERNEL_PROBE_OFF,
  KernelMemory,
} from './gallery-kernel.js';

/** Extra candidates the float32 SIMD kernel keeps before the exact float64 re-ranking (guards near-ties). */
const KERNEL_MARGIN = 8;

/**
 * The in-memory state of a gallery and its exact search: all embeddings in one contiguous row-major
 * `Float32Array [capacity, D]` (grown by doubling, so appends are amortised O(1)), the squared norm of each row,
 * the category (identity number) of each row, and the names and exclusions.
 *
 * Search is one pass over the array: for each row the key `‖x‖² − 2·p·x` (the squared L2 distance minus the constant
 * `‖p‖²`) is offered to a top-k selector; the exact distance of the winners is then recomputed as `‖p − x‖₂` in
 * float64. The dot products come from the WebAssembly SIMD kernel (`gallery-kernel.ts`: float32, 16 lanes; the matrix
 * lives in its memory; k + 8 candidates are kept and re-ranked exactly) or, where it cannot run, from a TypeScript
 * loop with eight float64 accumulators.
 * @module
 */

/** Internal search request (options already validated and resolved). */
export interface MatrixSearch {
  k: number;
  per: IdentifyPer;
  mode: IdentifyMode;
  /** 1 at category c = leave identity c out of this search; `null` = none. */
  catMask: Uint8Array | null;
}

/** A search hit before names are attached. */
export interface MatrixHit {
  row: number;
  category: number;
  distance: number;
}

/** Keeps the k smallest keys seen, sorted ascending. */
class TopK {
  readonly keys: Float64Array;
  readonly ids: Int32Array;
  n = 0;
  worst = Infinity;
  constructor(readonly k: number) {
    this.keys = new Float64Array(k);
    this.ids = new Int32Array(k);
  }
  offer(key: number, id: number): void {
    if (this.n === this.k && key >= this.worst) return;
    let i = this.n < this.k ? this.n++ : this.k - 1;
    while (i > 0 && this.keys[i - 1] > key) {
      this.keys[i] = this.keys[i - 1];
      this.ids[i] = this.ids[i - 1];
      i--;
    }
    this.keys[i] = key;
    this.ids[i] = id;
    if (this.n === this.k) this.worst = this.keys[this.k - 1];
  }
  result(): number[] {
    return Array.from(this.ids.subarray(0, this.n));
  }
}

/** Best key and row per category, for "k nearest identities". */
class PerCategoryBest {
  readonly keys: Float64Array;
  readonly rows: Int32Array;
  constructor(categories: number) {
    this.keys = new Float64Array(categories).fill(Infinity);
    this.rows = new Int32Array(categories).fill(-1);
  }
  offer(key: number, row: number, cat: number): void {
    if (key < this.keys[cat]) {
      this.keys[cat] = key;
      this.rows[cat] = row;
    }
  }
  /** Rows of the k best categories, nearest first. */
  result(k: number): number[] {
    const top = new TopK(k);
    for (let c = 0; c < this.keys.length; c++) if (this.rows[c] >= 0) top.offer(this.keys[c], c);
    return top.result().map((c) => this.rows[c]);
  }
}

/**
 * Dot product of `probe` with row `off / D` of `data`, in float64 with eight independent accumulators (so that the
 * loop is limited by loads, not by the latency of one chain of additions; measured 1.3–1.4× faster than four).
 */
function dot(data: Float32Array, off: number, probe: Float32Array, D: number): number {
  return dotAt(data, off, probe, 0, D);
}

/** Dot product of `a[ao, ao + D)` and `b[bo, bo + D)`, eight accumulators (the TypeScript kernel; {@link dot} is its form with the probe at offset 0). */
function dotAt(a: Float32Array, ao: number, b: Float32Array, bo: number, D: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let s5 = 0;
  let s6 = 0;
  let s7 = 0;
  let j = 0;
  for (; j + 7 < D; j += 8) {
    const x = ao + j;
    const y = bo + j;
    s0 += a[x] * b[y];
    s1 += a[x + 1] * b[y + 1];
    s2 += a[x + 2] * b[y + 2];
    s3 += a[x + 3] * b[y + 3];
    s4 += a[x + 4] * b[y + 4];
    s5 += a[x + 5] * b[y + 5];
    s6 += a[x + 6] * b[y + 6];
    s7 += a[x + 7] * b[y + 7];
  }
  for (; j < D; j++) s0 += a[ao + j] * b[bo + j];
  return s0 + s1 + (s2 + s3) + (s4 + s5 + (s6 + s7));
}

/** Squared L2 norm in float64. */
function sqNorm(v: Float32Array, off: number, D: number): number {
  let s = 0;
  for (let j = 0; j < D; j++) s += v[off + j] * v[off + j];
  return s;
}

/** The mutable in-memory gallery. Not exported from the package; {@link Gallery} owns one. */
export class GalleryMatrix {
  /** Row-major `[capacity, D]`; rows `[0, rows)` are live. */
  data: Float32Array;
  /** `‖row‖²` per row. */
  sqNorms: Float64Array;
  /** Category (identity number) per row. */
  cats: Int32Array;
  /** 1 where the row's image is excluded from searches. */
  excludedMask: Uint8Array;
  rows = 0;
  /** Image id per row. */
  imageIds: string[] = [];
  rowOfImage = new Map<string, number>();
  /** Name per category; `undefined` for numbers no longer in use. */
  names: (string | undefined)[] = [];
  catOfName = new Map<string, number>();
  /** Live rows per category. */
  catRows: number[] = [];
  /** Excluded image ids (all of them enrolled). */
  excluded = new Set<string>();
  /** Incremented on every change; keys the template cache. */
  version = 0;
  private templates: { version: number; cats: Int32Array; data: Float32Array; matrix: GalleryMatrix } | undefined;
  /** The SIMD kernel whose memory holds `data`, or null (plain TypeScript kernel). */
  private kernel: KernelMemory | null;

  constructor(
    readonly dimension: number,
    capacity = 16,
  ) {
    this.kernel = KernelMemory.create(capacity * dimension * 4, dimension);
    this.data = this.kernel
      ? this.kernel.f32(KERNEL_DATA_OFF, capacity * dimension)
      : new Float32Array(capacity * dimension);
    this.sqNorms = new Float64Array(capacity);
    this.cats = new Int32Array(capacity);
    this.excludedMask = new Uint8Array(capacity);
  }

  /** Which dot-product kernel searches use: `'wasm-simd'` or `'js'`. */
  get kernelName(): 'wasm-simd' | 'js' {
    return this.kernel ? 'wasm-simd' : 'js';
  }

  /** Number of category numbers allocated (used or not). */
  get categoryCount(): number {
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
    this.kernel = kernel;
    const norms = new Float64Array(next);
    norms.set(this.sqNorms.subarray(0, this.rows));
    const cats = new Int32Array(next);
    cats.set(this.cats.subarray(0, this.rows));
    const mask = new Uint8Array(next);
    mask.set(this.excludedMask.subarray(0, this.rows));
    this.data = data;
    this.sqNorms = norms;
    this.cats = cats;
    this.excludedMask = mask;
  }

  /** Sets the name of category `cat` (allocating numbers up to it). */
  setCategory(cat: number, name: string): void {
    while (this.names.length <= cat) {
      this.names.push(undefined);
      this.catRows.push(0);
    }
    const old = this.names[cat];
    if (old !== undefined && this.catOfName.get(old) === cat) this.catOfName.delete(old);
    this.names[cat] = name;
    this.catOfName.set(name, cat);
    this.version++;
  }

  /** The category number a new identity would get. */
  nextCategory(): number {
    return this.names.length;
  }

  /**
   * Appends rows `values` (`[n, D]` row-major, n = imageIds.length) of category `cat` (which must have a name).
   * Callers validate first.
   */
  appendRows(values: Float32Array, imageIds: readonly string[], cat: number): void {
    const D = this.dimension;
    const n = imageIds.length;
    this.ensureCapacity(this.rows + n);
    this.data.set(values.subarray(0, n * D), this.rows * D);
    for (let i = 0; i < n; i++) {
      const r = this.rows + i;
      this.sqNorms[r] = sqNorm(this.data, r * D, D);
      this.cats[r] = cat;
      this.excludedMask[r] = 0;
      this.imageIds[r] = imageIds[i];
      this.rowOfImage.set(imageIds[i], r);
    }
    this.rows += n;
    this.catRows[cat] += n;
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

  /** A copy without the rows where `drop[row]` is 1 (category numbers kept; names of emptied categories dropped). */
  without(drop: Uint8Array): GalleryMatrix {
    const D = this.dimension;
    let keep = 0;
    for (let r = 0; r < this.rows; r++) if (!drop[r]) keep++;
    const out = new GalleryMatrix(D, Math.max(16, keep));
    out.names = this.names.slice();
    out.catOfName = new Map(this.catOfName);
    out.catRows = new Array(this.names.length).fill(0);
    let w = 0;
    for (let r = 0; r < this.rows; r++) {
      if (drop[r]) continue;
      out.data.set(this.data.subarray(r * D, (r + 1) * D), w * D);
      out.sqNorms[w] = this.sqNorms[r];
      out.cats[w] = this.cats[r];
      out.excludedMask[w] = this.excludedMask[r];
      out.imageIds[w] = this.imageIds[r];
      out.rowOfImage.set(this.imageIds[r], w);
      out.catRows[this.cats[r]]++;
      if (this.excludedMask[r]) out.excluded.add(this.imageIds[r]);
      w++;
    }
    out.rows = w;
    out.names.forEach((name, c) => {
      if (name !== undefined && out.catRows[c] === 0) {
        out.names[c] = undefined;
        out.catOfName.delete(name);
      }
    });
    out.version = this.version + 1;
    return out;
  }

  /** Live identity names, sorted by code unit. */
  identityNames(): string[] {
    const out: string[] = [];
    this.names.forEach((n, c) => {
      if (n !== undefined && this.catRows[c] > 0) out.push(n);
    });
    return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Rows `[n, D]` of one category, as a list of row numbers. */
  rowsOf(cat: number): number[] {
    const out: number[] = [];
    for (let r = 0; r < this.rows; r++) if (this.cats[r] === cat) out.push(r);
    return out;
  }

  /** Exact search. `probe` is validated by the caller. Hits sorted by distance, nearest first. */
  search(probe: Float32Array, s: MatrixSearch): MatrixHit[] {
    if (this.rows === 0 || s.k <= 0) return [];
    if (s.mode === 'template') return this.searchTemplates(probe, s);
    if (this.kernel) return this.hitsOfRows(probe, this.searchRowsKernel(probe, s)).slice(0, s.k);
    return this.hitsOfRows(probe, this.searchRows(probe, s));
  }

  /** Exact distances of the chosen rows, sorted. */
  hitsOfRows(probe: Float32Array, rows: readonly number[]): MatrixHit[] {
    const D = this.dimension;
    return rows
      .map((row) => ({
        row,
        category: this.cats[row],
        distance: euclideanDistance(probe, this.data.subarray(row * D, (row + 1) * D)),
      }))
      .sort((a, b) => a.distance - b.distance || a.row - b.row);
  }

  /** {@link GalleryMatrix.searchRows} with the SIMD kernel: k + margin candidates by float32 keys. */
  private searchRowsKernel(probe: Float32Array, s: MatrixSearch): number[] {
    const K = this.kernel as KernelMemory;
    const D = this.dimension;
    const { sqNorms, cats, excludedMask, rows } = this;
    K.f32(KERNEL_PROBE_OFF, D).set(probe);
    const out = K.f32(KERNEL_OUT_OFF, KERNEL_OUT_FLOATS);
    const catMask = s.catMask;
    const anyExcluded = this.excluded.size > 0;
    const perCat = s.per === 'identity' && s.k > 1;
    const top = new TopK(s.k + KERNEL_MARGIN);
    const best = perCat ? new PerCategoryBest(this.categoryCount) : null;
    for (let start = 0; start < rows; start += KERNEL_OUT_FLOATS) {
      const n = Math.min(KERNEL_OUT_FLOATS, rows - start);
      K.dots(KERNEL_DATA_OFF + start * D * 4, n, D, KERNEL_PROBE_OFF, KERNEL_OUT_OFF);
      if (!catMask && !anyExcluded && !best) {
        let worst = top.worst;
        for (let i = 0; i < n; i++) {
          const key = sqNorms[start + i] - 2 * out[i];
          if (key < worst) {
            top.offer(key, start + i);
            worst = top.worst;
          }
        }
        continue;
      }
      for (let i = 0; i < n; i++) {
        const r = start + i;
        if ((anyExcluded && excludedMask[r]) || catMask?.[cats[r]]) continue;
        const key = sqNorms[r] - 2 * out[i];
        if (best) best.offer(key, r, cats[r]);
        else top.offer(key, r);
      }
    }
    return best ? best.result(s.k + KERNEL_MARGIN) : top.result();
  }

  private searchRows(probe: Float32Array, s: MatrixSearch): number[] {
    const { data, sqNorms, cats, excludedMask, rows } = this;
    const D = this.dimension;
    const catMask = s.catMask;
    const anyExcluded = this.excluded.size > 0;
    if (s.k === 1 && !catMask && !anyExcluded) {
      // Fast path: nearest row (= nearest identity for k = 1), no masks.
      let best = Infinity;
      let bestRow = -1;
      for (let r = 0, off = 0; r < rows; r++, off += D) {
        const key = sqNorms[r] - 2 * dot(data, off, probe, D);
        if (key < best) {
          best = key;
          bestRow = r;
        }
      }
      return bestRow >= 0 ? [bestRow] : [];
    }
    if (s.per === 'image' || s.k === 1) {
      const top = new TopK(s.k);
      for (let r = 0, off = 0; r < rows; r++, off += D) {
        if ((anyExcluded && excludedMask[r]) || catMask?.[cats[r]]) continue;
        top.offer(sqNorms[r] - 2 * dot(data, off, probe, D), r);
      }
      return top.result();
    }
    const best = new PerCategoryBest(this.categoryCount);
    for (let r = 0, off = 0; r < rows; r++, off += D) {
      if ((anyExcluded && excludedMask[r]) || catMask?.[cats[r]]) continue;
      best.offer(sqNorms[r] - 2 * dot(data, off, probe, D), r, cats[r]);
    }
    return best.result(s.k);
  }

  /**
   * Per-identity templates: the L2-normalised mean of each identity's non-excluded rows, cached until the next change.
   * @returns `cats[t]` = category of template t, `data` = `[T, D]` row-major.
   */
  templateMatrix(): { cats: Int32Array; data: Float32Array; matrix: GalleryMatrix } {
    if (this.templates && this.templates.version === this.version) return this.templates;
    const D = this.dimension;
    const C = this.categoryCount;
    const sums = new Float64Array(C * D);
    const counts = new Int32Array(C);
    for (let r = 0; r < this.rows; r++) {
      if (this.excludedMask[r]) continue;
      const c = this.cats[r];
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
    // The templates as a matrix of their own (one row per identity, same category numbers), so template searches use
    // the same exact kernel (WebAssembly SIMD where available) as image searches.
    const matrix = new GalleryMatrix(D, Math.max(16, live.length));
    live.forEach((c, t) => {
      matrix.setCategory(c, `#${c}`);
      matrix.appendRows(data.subarray(t * D, (t + 1) * D), [`#${c}`], c);
    });
    this.templates = { version: this.version, cats: Int32Array.from(live), data, matrix };
    return this.templates;
  }

  private searchTemplates(probe: Float32Array, s: MatrixSearch): MatrixHit[] {
    const { matrix } = this.templateMatrix();
    const D = this.dimension;
    // Each chosen identity is reported at the template's distance, with its nearest (non-excluded) image.
    return matrix
      .search(probe, { ...s, mode: 'image', per: 'identity' })
      .map((h) => {
        const c = h.category;
        let bestRow = -1;
        let best = Infinity;
        for (let r = 0; r < this.rows; r++) {
          if (this.cats[r] !== c || this.excludedMask[r]) continue;
          const key = this.sqNorms[r] - 2 * dot(this.data, r * D, probe, D);
          if (key < best) {
            best = key;
            bestRow = r;
          }
        }
        return { row: bestRow, category: c, distance: h.distance };
      })
      .sort((a, b) => a.distance - b.distance || a.row - b.row);
  }

  /**
   * Batch search (matrix × matrix): each gallery row is read once and compared with all M probes while it is in cache.
   * Same results as M calls of {@link GalleryMatrix.search} in `mode: 'image'`.
   */
  searchMany(probes: readonly Float32Array[], s: MatrixSearch): MatrixHit[][] {
    const M = probes.length;
    if (M === 0) return [];
    if (this.rows === 0 || s.k <= 0) return probes.map(() => []);
    if (s.mode === 'template') return probes.map((p) => this.searchTemplates(p, s));
    if (this.kernel) return this.searchManyKernel(probes, s);
    const { data, sqNorms, cats, excludedMask, rows } = this;
    const D = this.dimension;
    const P = new Float32Array(M * D);
    probes.forEach((p, m) => {
      P.set(p, m * D);
    });
    const catMask = s.catMask;
    const anyExcluded = this.excluded.size > 0;
    const perCat = s.per === 'identity' && s.k > 1;
    const tops = perCat ? [] : probes.map(() => new TopK(s.k));
    const bests = perCat ? probes.map(() => new PerCategoryBest(this.categoryCount)) : [];
    for (let r = 0, off = 0; r < rows; r++, off += D) {
      if ((anyExcluded && excludedMask[r]) || catMask?.[cats[r]]) continue;
      const n = sqNorms[r];
      for (let m = 0; m < M; m++) {
        const key = n - 2 * dotAt(P, m * D, data, off, D);
        if (perCat) bests[m].offer(key, r, cats[r]);
        else tops[m].offer(key, r);
      }
    }
    return probes.map((p, m) => this.hitsOfRows(p, perCat ? bests[m].result(s.k) : tops[m].result()));
  }

  /**
   * Batch search with the SIMD kernel: the matrix is read in blocks of about 128 KiB, and each block is compared with
   * every probe of the group while it is in cache, so memory traffic is divided by the number of probes.
   */
  private searchManyKernel(probes: readonly Float32Array[], s: MatrixSearch): MatrixHit[][] {
    const K = this.kernel as KernelMemory;
    const D = this.dimension;
    const { sqNorms, cats, excludedMask, rows } = this;
    const group = Math.max(1, Math.min(probes.length, Math.floor(KERNEL_PROBE_BYTES / (4 * D))));
    const results: MatrixHit[][] = [];
    const catMask = s.catMask;
    const anyExcluded = this.excluded.size > 0;
    const perCat = s.per === 'identity' && s.k > 1;
    for (let g0 = 0; g0 < probes.length; g0 += group) {
      const ps = probes.slice(g0, g0 + group);
      const M = ps.length;
      ps.forEach((p, m) => {
        K.f32(KERNEL_PROBE_OFF + m * D * 4, D).set(p);
      });
      const block = Math.max(1, Math.min(Math.floor(KERNEL_OUT_FLOATS / M), Math.floor((128 * 1024) / (4 * D))));
      const out = K.f32(KERNEL_OUT_OFF, KERNEL_OUT_FLOATS);
      const tops = ps.map(() => new TopK(s.k + KERNEL_MARGIN));
      const bests = perCat ? ps.map(() => new PerCategoryBest(this.categoryCount)) : [];
      for (let start = 0; start < rows; start += block) {
        const n = Math.min(block, rows - start);
        for (let m = 0; m < M; m++)
          K.dots(KERNEL_DATA_OFF + start * D * 4, n, D, KERNEL_PROBE_OFF + m * D * 4, KERNEL_OUT_OFF + m * n * 4);
        for (let m = 0; m < M; m++) {
          const o = m * n;
          for (let i = 0; i < n; i++) {
            const r = start + i;
            if ((anyExcluded && excludedMask[r]) || catMask?.[cats[r]]) continue;
            const key = sqNorms[r] - 2 * out[o + i];
            if (perCat) bests[m].offer(key, r, cats[r]);
            else tops[m].offer(key, r);
          }
        }
      }
      ps.forEach((p, m) => {
        const picked = perCat ? bests[m].result(s.k + KERNEL_MARGIN) : tops[m].result();
        results.push(this.hitsOfRows(p, picked).slice(0, s.k));
      });
    }
    return results;
  }
}
