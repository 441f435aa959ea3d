import { euclideanDistance } from '@eolgul/core';
import type { ResolvedSearchMode } from './gallery-input.js';
import {
  KERNEL_DATA_OFF,
  KERNEL_OUT_FLOATS,
  KERNEL_OUT_OFF,
  KERNEL_PROBE_BYTES,
  KERNEL_PROBE_OFF,
  type KernelMemory,
} from './gallery-kernel.js';
import type { GalleryMatrix } from './gallery-matrix.js';
import type { IdentifyPer } from './gallery-types.js';

/**
 * Exact 1:N search over a {@link GalleryMatrix}: for each row the key `‖x‖² − 2·p·x` (the squared L2 distance minus
 * the constant `‖p‖²`) is offered to a top-k selector; the exact distance of the winners is then recomputed as
 * `‖p − x‖₂` in float64. The dot products come from the WebAssembly SIMD kernel (float32; k + 8 candidates are kept and
 * re-ranked exactly) or, where it cannot run, from a TypeScript loop with eight float64 accumulators.
 * @module
 */

/** Extra candidates the float32 SIMD kernel keeps before the exact float64 re-ranking (guards near-ties). */
const KERNEL_MARGIN = 8;

/** Internal search request (options already validated and resolved). */
export interface MatrixSearch {
  k: number;
  per: IdentifyPer;
  mode: ResolvedSearchMode;
  /** 1 at number c = leave identity c out of this search; `null` = none. */
  identityMask: Uint8Array | null;
}

/** A search hit before names are attached. */
export interface MatrixHit {
  row: number;
  identityNumber: number;
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

/** Best key and row per identity number, for "k nearest identities". */
class PerIdentityBest {
  readonly keys: Float64Array;
  readonly rows: Int32Array;
  constructor(categories: number) {
    this.keys = new Float64Array(categories).fill(Infinity);
    this.rows = new Int32Array(categories).fill(-1);
  }
  offer(key: number, row: number, id: number): void {
    if (key < this.keys[id]) {
      this.keys[id] = key;
      this.rows[id] = row;
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

/** Exact search. `probe` is validated by the caller. Hits sorted by distance, nearest first. */
export function search(m: GalleryMatrix, probe: Float32Array, s: MatrixSearch): MatrixHit[] {
  if (m.rows === 0 || s.k <= 0) return [];
  if (s.mode === 'identity-mean') return searchTemplates(m, probe, s);
  if (m.kernel) return hitsOfRows(m, probe, searchRowsKernel(m, probe, s)).slice(0, s.k);
  return hitsOfRows(m, probe, searchRows(m, probe, s));
}

/** Exact distances of the chosen rows, sorted. */
export function hitsOfRows(m: GalleryMatrix, probe: Float32Array, rows: readonly number[]): MatrixHit[] {
  const D = m.dimension;
  return rows
    .map((row) => ({
      row,
      identityNumber: m.identityOf[row],
      distance: euclideanDistance(probe, m.data.subarray(row * D, (row + 1) * D)),
    }))
    .sort((a, b) => a.distance - b.distance || a.row - b.row);
}

/** `searchRows` with the SIMD kernel: k + margin candidates by float32 keys. */
function searchRowsKernel(m: GalleryMatrix, probe: Float32Array, s: MatrixSearch): number[] {
  const K = m.kernel as KernelMemory;
  const D = m.dimension;
  const { sqNorms, identityOf, excludedMask, rows } = m;
  K.f32(KERNEL_PROBE_OFF, D).set(probe);
  const out = K.f32(KERNEL_OUT_OFF, KERNEL_OUT_FLOATS);
  const identityMask = s.identityMask;
  const anyExcluded = m.excluded.size > 0;
  const perCat = s.per === 'identity' && s.k > 1;
  const top = new TopK(s.k + KERNEL_MARGIN);
  const best = perCat ? new PerIdentityBest(m.identityCount) : null;
  for (let start = 0; start < rows; start += KERNEL_OUT_FLOATS) {
    const n = Math.min(KERNEL_OUT_FLOATS, rows - start);
    K.dots(KERNEL_DATA_OFF + start * D * 4, n, D, KERNEL_PROBE_OFF, KERNEL_OUT_OFF);
    if (!identityMask && !anyExcluded && !best) {
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
      if ((anyExcluded && excludedMask[r]) || identityMask?.[identityOf[r]]) continue;
      const key = sqNorms[r] - 2 * out[i];
      if (best) best.offer(key, r, identityOf[r]);
      else top.offer(key, r);
    }
  }
  return best ? best.result(s.k + KERNEL_MARGIN) : top.result();
}

function searchRows(m: GalleryMatrix, probe: Float32Array, s: MatrixSearch): number[] {
  const { data, sqNorms, identityOf, excludedMask, rows } = m;
  const D = m.dimension;
  const identityMask = s.identityMask;
  const anyExcluded = m.excluded.size > 0;
  if (s.k === 1 && !identityMask && !anyExcluded) {
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
      if ((anyExcluded && excludedMask[r]) || identityMask?.[identityOf[r]]) continue;
      top.offer(sqNorms[r] - 2 * dot(data, off, probe, D), r);
    }
    return top.result();
  }
  const best = new PerIdentityBest(m.identityCount);
  for (let r = 0, off = 0; r < rows; r++, off += D) {
    if ((anyExcluded && excludedMask[r]) || identityMask?.[identityOf[r]]) continue;
    best.offer(sqNorms[r] - 2 * dot(data, off, probe, D), r, identityOf[r]);
  }
  return best.result(s.k);
}

function searchTemplates(m: GalleryMatrix, probe: Float32Array, s: MatrixSearch): MatrixHit[] {
  const { matrix } = m.templateMatrix();
  const D = m.dimension;
  // Each chosen identity is reported at the template's distance, with its nearest (non-excluded) image.
  return search(matrix, probe, { ...s, mode: 'nearest-image', per: 'identity' })
    .map((h) => {
      const c = h.identityNumber;
      let bestRow = -1;
      let best = Infinity;
      for (let r = 0; r < m.rows; r++) {
        if (m.identityOf[r] !== c || m.excludedMask[r]) continue;
        const key = m.sqNorms[r] - 2 * dot(m.data, r * D, probe, D);
        if (key < best) {
          best = key;
          bestRow = r;
        }
      }
      return { row: bestRow, identityNumber: c, distance: h.distance };
    })
    .sort((a, b) => a.distance - b.distance || a.row - b.row);
}

/**
 * Batch search (matrix × matrix): each gallery row is read once and compared with all M probes while it is in cache.
 * Same results as M calls of {@link search} in `mode: 'nearest-image'`.
 */
export function searchMany(g: GalleryMatrix, probes: readonly Float32Array[], s: MatrixSearch): MatrixHit[][] {
  const M = probes.length;
  if (M === 0) return [];
  if (g.rows === 0 || s.k <= 0) return probes.map(() => []);
  if (s.mode === 'identity-mean') return probes.map((p) => searchTemplates(g, p, s));
  if (g.kernel) return searchManyKernel(g, probes, s);
  const { data, sqNorms, identityOf, excludedMask, rows } = g;
  const D = g.dimension;
  const P = new Float32Array(M * D);
  probes.forEach((p, m) => {
    P.set(p, m * D);
  });
  const identityMask = s.identityMask;
  const anyExcluded = g.excluded.size > 0;
  const perCat = s.per === 'identity' && s.k > 1;
  const tops = perCat ? [] : probes.map(() => new TopK(s.k));
  const bests = perCat ? probes.map(() => new PerIdentityBest(g.identityCount)) : [];
  for (let r = 0, off = 0; r < rows; r++, off += D) {
    if ((anyExcluded && excludedMask[r]) || identityMask?.[identityOf[r]]) continue;
    const n = sqNorms[r];
    for (let m = 0; m < M; m++) {
      const key = n - 2 * dotAt(P, m * D, data, off, D);
      if (perCat) bests[m].offer(key, r, identityOf[r]);
      else tops[m].offer(key, r);
    }
  }
  return probes.map((p, m) => hitsOfRows(g, p, perCat ? bests[m].result(s.k) : tops[m].result()));
}

/**
 * Batch search with the SIMD kernel: the matrix is read in blocks of about 128 KiB, and each block is compared with
 * every probe of the group while it is in cache, so memory traffic is divided by the number of probes.
 */
function searchManyKernel(g: GalleryMatrix, probes: readonly Float32Array[], s: MatrixSearch): MatrixHit[][] {
  const K = g.kernel as KernelMemory;
  const D = g.dimension;
  const { sqNorms, identityOf, excludedMask, rows } = g;
  const group = Math.max(1, Math.min(probes.length, Math.floor(KERNEL_PROBE_BYTES / (4 * D))));
  const results: MatrixHit[][] = [];
  const identityMask = s.identityMask;
  const anyExcluded = g.excluded.size > 0;
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
    const bests = perCat ? ps.map(() => new PerIdentityBest(g.identityCount)) : [];
    for (let start = 0; start < rows; start += block) {
      const n = Math.min(block, rows - start);
      for (let m = 0; m < M; m++)
        K.dots(KERNEL_DATA_OFF + start * D * 4, n, D, KERNEL_PROBE_OFF + m * D * 4, KERNEL_OUT_OFF + m * n * 4);
      for (let m = 0; m < M; m++) {
        const o = m * n;
        for (let i = 0; i < n; i++) {
          const r = start + i;
          if ((anyExcluded && excludedMask[r]) || identityMask?.[identityOf[r]]) continue;
          const key = sqNorms[r] - 2 * out[o + i];
          if (perCat) bests[m].offer(key, r, identityOf[r]);
          else tops[m].offer(key, r);
        }
      }
    }
    ps.forEach((p, m) => {
      const picked = perCat ? bests[m].result(s.k + KERNEL_MARGIN) : tops[m].result();
      results.push(hitsOfRows(g, p, picked).slice(0, s.k));
    });
  }
  return results;
}
