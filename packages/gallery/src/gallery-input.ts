import {
  EmbeddingDimensionError,
  EmbeddingNormError,
  InvalidArgumentError,
  InvalidEmbeddingError,
  UNIT_NORM_TOLERANCE,
  l2Norm,
  validateEmbedding,
} from '@eolgul/core';
import { describe, normalizeLabel, normalizeNameList } from './gallery-names.js';
import type { EnrollOptions, IdentifyOptions, IdentifyPer } from './gallery-types.js';

/**
 * The checks every gallery store makes on what it is given: embeddings (length, finite, unit norm), enrollment batches
 * and search options. Shared by `Gallery` and the PostgreSQL store so that they refuse the same things the same way.
 * @module
 */

/** Norms below this are refused even with `normalize: true`: such a vector has no direction worth comparing. */
const MIN_NORM = 1e-6;

/** The search mode after aliases are resolved. */
export type ResolvedSearchMode = 'identity-mean' | 'nearest-image';

/** Search options after checking, with defaults applied and names in NFC. */
export interface ResolvedIdentifyOptions {
  k: number;
  per: IdentifyPer;
  mode: ResolvedSearchMode;
  /** Identities to leave out, NFC. */
  exclude: string[];
  threshold: number;
  normalize: boolean;
}

/** A threshold: a finite L2 distance ≥ 0. @throws {InvalidArgumentError} otherwise. */
export function checkThreshold(t: unknown, what = 'threshold'): number {
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) {
    throw new InvalidArgumentError(`${what} must be a finite L2 distance >= 0, got ${String(t)}`);
  }
  return t;
}

/**
 * Checks one embedding: a `Float32Array` of length `dimension`, finite, of L2 norm 1 ± `UNIT_NORM_TOLERANCE`.
 * @param what names the vector in messages (`'probe'`, `'embedding 2 ("ada_3.jpg")'`).
 * @param normalize scale a vector of another norm to unit length instead of refusing it.
 * @returns `v`, or its normalised copy.
 * @throws {InvalidArgumentError} not a Float32Array (null, a list, a string…).
 * @throws {EmbeddingDimensionError} wrong length. @throws {InvalidEmbeddingError} NaN, ±Infinity, zero or near-zero norm.
 * @throws {EmbeddingNormError} a norm other than 1 without `normalize`.
 */
export function checkUnitEmbedding(v: unknown, dimension: number, what: string, normalize = false): Float32Array {
  if (!(v instanceof Float32Array))
    throw new InvalidArgumentError(`${what} must be a Float32Array [${dimension}], got ${describe(v)}`);
  try {
    validateEmbedding(v, dimension);
  } catch (err) {
    if (err instanceof InvalidEmbeddingError)
      throw new InvalidEmbeddingError(`${what}: ${err.message.replace(/^invalid embedding: /, '')}`);
    throw err;
  }
  const norm = l2Norm(v);
  if (Math.abs(norm - 1) <= UNIT_NORM_TOLERANCE) return v;
  if (norm < MIN_NORM) throw new InvalidEmbeddingError(`${what}: near-zero norm ${norm}`);
  if (!normalize) throw new EmbeddingNormError(norm, UNIT_NORM_TOLERANCE, what);
  return Float32Array.from(v, (x) => x / norm);
}

/** A batch to enroll after checking: NFC names and ids, unit vectors. */
export interface CheckedBatch {
  identity: string;
  embeddings: Float32Array[];
  imageIds: string[];
}

/**
 * Checks a batch to enroll: one identity, `n >= 1` unit embeddings of length `dimension`, `n` distinct image ids.
 * @returns the batch with the name and ids in NFC (and vectors normalised with `options.normalize`).
 * @throws {InvalidArgumentError} bad identity or image ids, not arrays, count mismatch, duplicate ids in the batch.
 * @throws {EmbeddingDimensionError} @throws {InvalidEmbeddingError} @throws {EmbeddingNormError} a bad vector (named).
 */
export function checkEnrollBatch(
  identity: unknown,
  embeddings: unknown,
  imageIds: unknown,
  dimension: number,
  options: EnrollOptions = {},
): CheckedBatch {
  const name = normalizeLabel(identity, 'identity');
  if (!Array.isArray(embeddings) || !Array.isArray(imageIds)) {
    throw new InvalidArgumentError('embeddings and imageIds must be arrays');
  }
  if (embeddings.length === 0) throw new InvalidArgumentError('nothing to enroll: embeddings is empty');
  if (embeddings.length !== imageIds.length) {
    throw new InvalidArgumentError(`${embeddings.length} embeddings but ${imageIds.length} image ids`);
  }
  const ids = imageIds.map((id) => normalizeLabel(id, 'image id'));
  const seen = new Set<string>();
  const vectors = embeddings.map((v, i) => {
    const out = checkUnitEmbedding(v, dimension, `embedding ${i} (${JSON.stringify(ids[i])})`, options.normalize);
    if (seen.has(ids[i]))
      throw new InvalidArgumentError(`image id ${JSON.stringify(ids[i])} appears twice in the batch`);
    seen.add(ids[i]);
    return out;
  });
  return { identity: name, embeddings: vectors, imageIds: ids };
}

/**
 * Checks a batch to enroll (as `checkEnrollBatch` does) without returning it.
 * @deprecated Use the store's `enroll`, which checks; kept for one minor version.
 */
export function validateEnrollBatch(
  identity: string,
  embeddings: readonly Float32Array[],
  imageIds: readonly string[],
  dimension: number,
): void {
  checkEnrollBatch(identity, embeddings, imageIds, dimension);
}

/**
 * Checks search options and applies the defaults (k 1, per identity, mode identity-mean, the store's threshold).
 * @throws {InvalidArgumentError} options that are not an object, bad k, threshold, mode or per, `exclude` that is not
 *   a list of names.
 */
export function resolveIdentifyOptions(options: unknown, defaultThreshold: number): ResolvedIdentifyOptions {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object')
    throw new InvalidArgumentError(`identify options must be an object, got ${describe(options)}`);
  const o = options as IdentifyOptions;
  const k = o.k ?? 1;
  if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError(`k must be a positive integer, got ${k}`);
  const threshold = checkThreshold(o.threshold ?? defaultThreshold);
  const m = o.mode ?? 'identity-mean';
  const mode = m === 'template' ? 'identity-mean' : m === 'image' ? 'nearest-image' : m;
  if (mode !== 'identity-mean' && mode !== 'nearest-image')
    throw new InvalidArgumentError(`mode must be 'identity-mean' or 'nearest-image', got ${String(m)}`);
  const per = o.per ?? 'identity';
  if (per !== 'identity' && per !== 'image')
    throw new InvalidArgumentError(`per must be 'identity' or 'image', got ${String(per)}`);
  const exclude = o.exclude === undefined ? [] : normalizeNameList(o.exclude, 'exclude');
  return { k, per, mode, exclude, threshold, normalize: o.normalize === true };
}

/**
 * Checks the rows of a bulk enrollment: row i of `embeddings` (`[n, D]`) belongs to `identities[i]` with id
 * `imageIds[i]`; names and ids in NFC, each row a unit vector (scaled with `normalize`), ids unique in the batch.
 * @returns the rows as the store takes them (a new `values` array).
 * @throws {EmbeddingDimensionError} length not n·D. @throws {InvalidEmbeddingError} @throws {EmbeddingNormError} a bad
 *   row (named). @throws {InvalidArgumentError} not arrays, counts differ, nothing to enroll, bad or repeated names or ids.
 */
export function checkEnrollRows(
  identities: readonly string[],
  embeddings: Float32Array,
  imageIds: readonly string[],
  D: number,
  options: EnrollOptions = {},
): { identities: string[]; values: Float32Array; imageIds: string[] } {
  if (!Array.isArray(identities) || !Array.isArray(imageIds))
    throw new InvalidArgumentError('identities and imageIds must be arrays');
  const n = identities.length;
  if (imageIds.length !== n) throw new InvalidArgumentError(`${n} identities but ${imageIds.length} image ids`);
  if (!(embeddings instanceof Float32Array)) throw new InvalidArgumentError('embeddings must be a Float32Array [n, D]');
  if (embeddings.length !== n * D) throw new EmbeddingDimensionError(n * D, embeddings.length);
  if (n === 0) throw new InvalidArgumentError('nothing to enroll');
  const values = new Float32Array(n * D);
  const names = identities.map((name) => normalizeLabel(name, 'identity'));
  const ids = imageIds.map((id) => normalizeLabel(id, 'image id'));
  const seen = new Set<string>();
  for (let r = 0; r < n; r++) {
    const what = `row ${r} (${JSON.stringify(ids[r])})`;
    values.set(checkUnitEmbedding(embeddings.subarray(r * D, (r + 1) * D), D, what, options.normalize), r * D);
    if (seen.has(ids[r])) throw new InvalidArgumentError(`image id ${JSON.stringify(ids[r])} appears twice`);
    seen.add(ids[r]);
  }
  return { identities: names, values, imageIds: ids };
}
