import { EmbeddingDimensionError, InvalidEmbeddingError } from './errors.js';

/**
 * Euclidean (L2) distance between two vectors of the same length.
 * For unit vectors the range is [0, 2]; `d² = 2 − 2·cos`.
 * @throws {EmbeddingDimensionError} when the lengths differ.
 */
export function euclideanDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new EmbeddingDimensionError(a.length, b.length);
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return Math.sqrt(s);
}

/** The L2 norm of a vector. */
export function l2Norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/**
 * Checks that an embedding is finite, non-zero and (when `dimension` is given) of that length.
 * @throws {EmbeddingDimensionError} wrong length. @throws {InvalidEmbeddingError} NaN, ±Infinity or zero norm.
 */
export function validateEmbedding(v: ArrayLike<number>, dimension?: number): void {
  if (dimension !== undefined && v.length !== dimension) throw new EmbeddingDimensionError(dimension, v.length);
  if (v.length === 0) throw new InvalidEmbeddingError('empty vector');
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) throw new InvalidEmbeddingError(`value ${v[i]} at index ${i} is not finite`);
  }
  if (l2Norm(v) === 0) throw new InvalidEmbeddingError('zero norm');
}

/**
 * Returns a new Float32Array scaled to unit L2 norm.
 * @throws {InvalidEmbeddingError} when the vector is not finite or has zero norm.
 */
export function l2Normalize(v: ArrayLike<number>): Float32Array {
  validateEmbedding(v);
  const n = l2Norm(v);
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] / n;
  return out;
}
