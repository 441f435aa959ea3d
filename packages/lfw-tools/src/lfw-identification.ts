import { EmbeddingDimensionError, InvalidArgumentError, InvalidEmbeddingError, l2Normalize } from '@eolgul/core';

/**
 * Closed-set 1:N identification accuracy (rank-1) over labelled embeddings, the measure of the accuracy issue:
 * the first images of each person are enrolled, the rest are probes.
 * @module
 */

/** How a probe is matched against the enrolled images. */
export type IdentificationMatch =
  /** Nearest enrolled image (Euclidean distance); the identity of that image wins. */
  | 'nearest-image'
  /** Nearest identity template: the L2-normalised mean of the identity's enrolled embeddings. */
  | 'identity-mean';

/** One wrongly identified probe. */
export interface IdentificationError {
  /** Index of the probe in the input arrays. */
  probe: number;
  /** The identity the probe was matched to. */
  predicted: string;
  /** The probe's true identity. */
  truth: string;
  /** Euclidean distance from the probe to the matched enrolled image or template. */
  distance: number;
}

/** The result of {@link identificationRank1}. */
export interface IdentificationResult {
  /** Fraction of probes whose nearest match has their identity, in [0, 1]. */
  rank1: number;
  /** Number of probes. */
  probes: number;
  /** Number of enrolled images. */
  enrolled: number;
  /** Number of enrolled identities (including those with no probe, which act as distractors). */
  identities: number;
  /** Every wrong probe, in input order. */
  errors: IdentificationError[];
}

/**
 * Rank-1 closed-set identification: for each identity, its first `enrollPerIdentity` images (in the given order) are
 * enrolled; every later image of that identity is a probe, matched to the nearest enrolled image by Euclidean distance
 * (ties: the earliest enrolled image). Identities with at most `enrollPerIdentity` images are enrolled without probes.
 * No threshold: the nearest match is always taken.
 * @param embeddings N embeddings of the same length D (unit vectors in eolgul, but any finite vectors work).
 * @param labels N identity labels, same order.
 * @param options `enrollPerIdentity`: images enrolled per identity, a positive integer (default 5, as in the accuracy
 *   issue); `match`: `'nearest-image'` (default) or `'identity-mean'` (see {@link IdentificationMatch}).
 * @returns rank-1 accuracy, counts and the wrong probes.
 * @throws {InvalidArgumentError} `embeddings` and `labels` differ in length, `enrollPerIdentity` is not a positive
 *   integer, or there is no probe (every identity has at most `enrollPerIdentity` images).
 * @throws {EmbeddingDimensionError} the embeddings differ in length.
 * @throws {InvalidEmbeddingError} an embedding holds NaN or ±Infinity (or, for `'identity-mean'`, a mean is zero).
 * @example
 * ```ts
 * const { rank1, probes, errors } = identificationRank1(embeddings, rows.map((r) => String(r.category)));
 * // rank1 0.998, probes 2754 on lfw-subset (118 people, 3344 images)
 * ```
 */
export function identificationRank1(
  embeddings: readonly Float32Array[],
  labels: readonly string[],
  options: { enrollPerIdentity?: number; match?: IdentificationMatch } = {},
): IdentificationResult {
  const k = options.enrollPerIdentity ?? 5;
  const match = options.match ?? 'nearest-image';
  if (!Number.isSafeInteger(k) || k < 1)
    throw new InvalidArgumentError(`enrollPerIdentity must be a positive integer, got ${k}`);
  if (match !== 'nearest-image' && match !== 'identity-mean')
    throw new InvalidArgumentError(`unknown match rule ${String(match)}`);
  if (embeddings.length !== labels.length) {
    throw new InvalidArgumentError(`${embeddings.length} embeddings but ${labels.length} labels`);
  }
  const d = embeddings.length > 0 ? embeddings[0].length : 0;
  embeddings.forEach((e, i) => {
    if (e.length !== d) throw new EmbeddingDimensionError(d, e.length);
    for (let j = 0; j < d; j++)
      if (!Number.isFinite(e[j])) throw new InvalidEmbeddingError(`embedding ${i} holds ${e[j]} at index ${j}`);
  });
  const seen = new Map<string, number>();
  const gallery: { vector: Float32Array; label: string }[] = [];
  const members = new Map<string, Float32Array[]>();
  const probes: number[] = [];
  labels.forEach((label, i) => {
    const n = seen.get(label) ?? 0;
    seen.set(label, n + 1);
    if (n < k) {
      if (match === 'nearest-image') gallery.push({ vector: embeddings[i], label });
      else {
        if (!members.has(label)) members.set(label, []);
        members.get(label)!.push(embeddings[i]);
      }
    } else probes.push(i);
  });
  if (match === 'identity-mean') {
    for (const [label, list] of members) {
      const mean = new Float64Array(d);
      for (const v of list) for (let j = 0; j < d; j++) mean[j] += v[j];
      gallery.push({ vector: l2Normalize(mean), label });
    }
  }
  if (probes.length === 0) {
    throw new InvalidArgumentError(`no probe: every identity has at most ${k} images, all of them enrolled`);
  }
  const errors: IdentificationError[] = [];
  for (const p of probes) {
    const q = embeddings[p];
    let best = Infinity;
    let bestLabel = '';
    for (const g of gallery) {
      const v = g.vector;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = q[j] - v[j];
        s += t * t;
      }
      if (s < best) {
        best = s;
        bestLabel = g.label;
      }
    }
    if (bestLabel !== labels[p])
      errors.push({ probe: p, predicted: bestLabel, truth: labels[p], distance: Math.sqrt(best) });
  }
  return {
    rank1: (probes.length - errors.length) / probes.length,
    probes: probes.length,
    enrolled: labels.length - probes.length,
    identities: seen.size,
    errors,
  };
}
