import { InvalidArgumentError } from '@eolgul/core';

/**
 * Verification metrics over scored pairs: the LFW View-2 10-fold protocol (threshold chosen on the other folds, tested on
 * the held-out fold), ROC curve, ROC AUC and TAR at a fixed FAR.
 *
 * Conventions used everywhere in this module:
 * - a score is a **distance**: smaller = more likely the same person (eolgul uses raw Euclidean distance on unit vectors);
 * - a pair is **accepted** ("same person") when `distance <= threshold`;
 * - a pair whose distance is `null` (a face was not found in one of its images) counts as **answered wrong at every
 *   threshold**: a matched pair is treated as distance +∞ (always rejected), a mismatched pair as distance −∞ (always
 *   accepted). This is the pessimistic rule of the LFW protocol ("a pair with a missing face counts as answered wrong")
 *   applied consistently to accuracy, ROC, AUC and TAR at FAR.
 * @module
 */

/** One scored pair. */
export interface PairScore {
  /** Fold id (any integer; LFW View 2 uses 10 folds, 0-based in `parsePairs`). */
  fold: number;
  /** `true` when both images show the same person (ground truth). */
  same: boolean;
  /** Distance between the two faces (smaller = more similar), or `null` when a face is missing: the pair then counts as wrong. */
  distance: number | null;
}

/** One point of a ROC curve: accepting every pair with `distance <= threshold` gives this FAR and TAR. */
export interface RocPoint {
  /** False accept rate: accepted mismatched pairs / mismatched pairs, in [0, 1]. */
  far: number;
  /** True accept rate: accepted matched pairs / matched pairs, in [0, 1]. */
  tar: number;
  /** Distance threshold (same unit as the distances). */
  threshold: number;
}

/** The result of one fold of the cross-validation. */
export interface FoldResult {
  /** The fold id as given in the scores. */
  fold: number;
  /** Threshold chosen on the other folds (maximises their accuracy). */
  threshold: number;
  /** Accuracy of that threshold on this (held-out) fold, in [0, 1]; missing-face pairs count as wrong. */
  accuracy: number;
  /** Accuracy of that threshold on the other folds (the maximum reached there), in [0, 1]. */
  trainAccuracy: number;
  /** Number of pairs in this fold. */
  pairs: number;
}

/** The result of {@link evaluatePairs}. All rates are fractions in [0, 1], never NaN. */
export interface LfwEvaluation {
  /** Mean over folds of the held-out fold accuracy. */
  accuracy: number;
  /** Population standard deviation (divisor = number of folds, like `numpy.std` in facenet's and InsightFace's LFW evaluation) of the fold accuracies. */
  accuracyStd: number;
  /** Area under the ROC curve over all pairs, ties counted one half (Mann–Whitney U / (matched × mismatched)). */
  auc: number;
  /** Largest TAR over all pairs with FAR ≤ 1e-3 (0 when no threshold reaches FAR ≤ 1e-3). */
  tarAtFar1e3: number;
  /** The smallest threshold that reaches {@link LfwEvaluation.tarAtFar1e3} with FAR ≤ 1e-3 (a calibrated operating point). */
  thresholdAtFar1e3: number;
  /** Mean of the fold thresholds. */
  threshold: number;
  /** Number of pairs evaluated. */
  pairs: number;
  /** Number of pair images without a face, as given by the caller in `options.missingFaces` (default 0). */
  missingFaces: number;
  /** Number of pairs whose distance is `null` (counted as wrong). */
  missingPairs: number;
  /** Per-fold results, sorted by fold id. */
  folds: FoldResult[];
  /** ROC curve over all pairs, by increasing threshold; see {@link rocCurve}. */
  roc: RocPoint[];
}

interface Sample {
  d: number; // ±Infinity for a missing face
  same: boolean;
}

/** The largest double below `x` (for a threshold that accepts nothing at or above `x`). */
function nextDown(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  const f = new Float64Array([x]);
  const b = new BigInt64Array(f.buffer);
  b[0] += x > 0 ? -1n : 1n;
  return f[0];
}

function compare(a: Sample, b: Sample): number {
  return a.d < b.d ? -1 : a.d > b.d ? 1 : 0;
}

function toSamples(scores: readonly PairScore[]): Sample[] {
  return scores.map((s) => ({ d: s.distance === null ? (s.same ? Infinity : -Infinity) : s.distance, same: s.same }));
}

function validate(scores: readonly PairScore[]): void {
  if (!Array.isArray(scores) || scores.length === 0) throw new InvalidArgumentError('no scored pairs to evaluate');
  scores.forEach((s, i) => {
    if (s === null || typeof s !== 'object') throw new InvalidArgumentError(`score ${i} is not an object`);
    if (!Number.isSafeInteger(s.fold))
      throw new InvalidArgumentError(`score ${i}: fold ${String(s.fold)} is not an integer`);
    if (typeof s.same !== 'boolean')
      throw new InvalidArgumentError(`score ${i}: same must be a boolean, got ${String(s.same)}`);
    if (s.distance !== null && (typeof s.distance !== 'number' || !Number.isFinite(s.distance))) {
      throw new InvalidArgumentError(`score ${i}: distance must be a finite number or null, got ${String(s.distance)}`);
    }
  });
}

/**
 * Chooses the threshold that maximises accuracy on `samples`: candidates are a threshold below every distance (accept
 * none), the midpoints between consecutive distinct distances, and the largest distance (accept all); ties go to the
 * smallest candidate (like `numpy.argmax` over increasing thresholds in facenet's `calculate_roc`).
 */
function bestThreshold(samples: readonly Sample[]): { threshold: number; accuracy: number } {
  const finite = samples.filter((s) => Number.isFinite(s.d)).sort(compare);
  if (finite.length === 0)
    throw new InvalidArgumentError(
      'every pair of the training folds lacks a distance; nothing to choose a threshold on',
    );
  const diffFinite = finite.reduce((n, s) => n + (s.same ? 0 : 1), 0);
  // correct(t) = accepted matched + rejected finite mismatched; missing pairs are always wrong.
  let acceptedSame = 0;
  let acceptedDiff = 0;
  let best = diffFinite;
  let bestT = nextDown(finite[0].d);
  for (let i = 0; i < finite.length; ) {
    const d = finite[i].d;
    while (i < finite.length && finite[i].d === d) {
      if (finite[i].same) acceptedSame++;
      else acceptedDiff++;
      i++;
    }
    let t = d;
    if (i < finite.length) {
      const next = finite[i].d;
      t = d + (next - d) / 2;
      if (!(t < next)) t = d; // adjacent doubles: the midpoint rounded up onto `next`
    }
    const correct = acceptedSame + diffFinite - acceptedDiff;
    if (correct > best) {
      best = correct;
      bestT = t;
    }
  }
  return { threshold: bestT, accuracy: best / samples.length };
}

function accuracyAt(samples: readonly Sample[], threshold: number): number {
  let correct = 0;
  for (const s of samples) if (s.d <= threshold === s.same) correct++;
  return correct / samples.length;
}

function counts(samples: readonly Sample[]): { nSame: number; nDiff: number } {
  const nSame = samples.reduce((n, s) => n + (s.same ? 1 : 0), 0);
  return { nSame, nDiff: samples.length - nSame };
}

function needBothClasses(nSame: number, nDiff: number): void {
  if (nSame === 0 || nDiff === 0) {
    throw new InvalidArgumentError(
      `ROC needs matched and mismatched pairs; got ${nSame} matched and ${nDiff} mismatched`,
    );
  }
}

/**
 * ROC curve over all pairs (folds ignored): one point below the smallest distance (accept none), then one point per
 * distinct finite distance `d` (accept every pair with `distance <= d`), by increasing threshold.
 * Pairs with a `null` distance are wrong at every threshold (see the module doc), so with missing faces the first point
 * may have FAR > 0 and the last point TAR < 1.
 * @param scores scored pairs; both matched and mismatched pairs are needed.
 * @returns points `{ far, tar, threshold }`, FAR and TAR non-decreasing.
 * @throws {InvalidArgumentError} no pairs, a distance that is NaN/±Infinity, no matched or no mismatched pair, or no
 *   pair with a distance.
 */
export function rocCurve(scores: readonly PairScore[]): RocPoint[] {
  validate(scores);
  return roc(toSamples(scores));
}

function roc(samples: readonly Sample[]): RocPoint[] {
  const { nSame, nDiff } = counts(samples);
  needBothClasses(nSame, nDiff);
  const finite = samples.filter((s) => Number.isFinite(s.d)).sort(compare);
  if (finite.length === 0) throw new InvalidArgumentError('every pair lacks a distance');
  let acceptedSame = 0;
  let acceptedDiff = samples.filter((s) => s.d === -Infinity).length;
  const points: RocPoint[] = [{ far: acceptedDiff / nDiff, tar: 0, threshold: nextDown(finite[0].d) }];
  for (let i = 0; i < finite.length; ) {
    const d = finite[i].d;
    while (i < finite.length && finite[i].d === d) {
      if (finite[i].same) acceptedSame++;
      else acceptedDiff++;
      i++;
    }
    points.push({ far: acceptedDiff / nDiff, tar: acceptedSame / nSame, threshold: d });
  }
  return points;
}

/**
 * Area under the ROC curve over all pairs: the probability that a random matched pair has a smaller distance than a
 * random mismatched pair, ties counted one half (Mann–Whitney U statistic / (matched × mismatched), the same value as
 * `sklearn.metrics.roc_auc_score(same, -distance)`). Missing-face pairs rank worst (see the module doc).
 * @returns AUC in [0, 1].
 * @throws {InvalidArgumentError} as {@link rocCurve}.
 */
export function rocAuc(scores: readonly PairScore[]): number {
  validate(scores);
  return auc(toSamples(scores));
}

function auc(samples: readonly Sample[]): number {
  const { nSame, nDiff } = counts(samples);
  needBothClasses(nSame, nDiff);
  const sorted = [...samples].sort(compare);
  let diffBefore = 0;
  let u = 0;
  for (let i = 0; i < sorted.length; ) {
    const d = sorted[i].d;
    let s = 0;
    let m = 0;
    while (i < sorted.length && sorted[i].d === d) {
      if (sorted[i].same) s++;
      else m++;
      i++;
    }
    u += s * (nDiff - diffBefore - m) + 0.5 * s * m;
    diffBefore += m;
  }
  return u / (nSame * nDiff);
}

/**
 * TAR at a target FAR over all pairs: the largest TAR of a ROC point whose FAR is at most `far`, and the smallest
 * threshold that reaches it (accept `distance <= threshold`). With 3000 mismatched pairs, FAR ≤ 1e-3 allows 3 false
 * accepts.
 * @param far target false accept rate in [0, 1], e.g. `1e-3`.
 * @returns `{ tar, far, threshold }` where `far` is the FAR reached at `threshold` (≤ the target). When no threshold
 *   reaches the target FAR (possible only when mismatched pairs miss a face, as those are accepted at every threshold),
 *   `tar` is 0, `threshold` the accept-none threshold and `far` its FAR, which is then above the target.
 * @throws {InvalidArgumentError} `far` outside [0, 1], or as {@link rocCurve}.
 */
export function tarAtFar(scores: readonly PairScore[], far: number): RocPoint {
  validate(scores);
  return tarAt(roc(toSamples(scores)), far);
}

function tarAt(points: readonly RocPoint[], far: number): RocPoint {
  if (!(far >= 0 && far <= 1)) throw new InvalidArgumentError(`target FAR must be in [0, 1], got ${far}`);
  let best: RocPoint = { tar: 0, far: points[0].far, threshold: points[0].threshold };
  for (const p of points) if (p.far <= far && p.tar > best.tar) best = p;
  return { ...best };
}

/**
 * The LFW View-2 protocol over scored pairs: k-fold cross-validated verification accuracy (for each fold, the threshold
 * that maximises accuracy on all the other folds, searched over the midpoints of their sorted distances, is tested on
 * the held-out fold), plus ROC curve, AUC and TAR at FAR = 1e-3 over all pairs.
 * Pairs with a `null` distance (missing face) count as wrong (see the module doc).
 * Accuracy is the mean of the fold accuracies; `accuracyStd` their population standard deviation (like `np.std` in
 * facenet's `lfw.evaluate`); `threshold` the mean of the fold thresholds.
 * @param scores one entry per pair (6000 for LFW View 2), each with its fold, ground truth and distance.
 * @param options `missingFaces`: number of pair images without a face, reported as is (default 0).
 * @returns see {@link LfwEvaluation}.
 * @throws {InvalidArgumentError} no pairs; fewer than 2 folds; a fold that is not an integer; a distance that is NaN or
 *   ±Infinity; no matched or no mismatched pair; no pair with a distance in some fold's training folds;
 *   `missingFaces` not a non-negative integer.
 * @example
 * ```ts
 * const r = evaluatePairs(pairs.map((p, i) => ({ fold: p.fold, same: p.same, distance: distances[i] })));
 * // { accuracy: 0.9962, accuracyStd: 0.0027, auc: 0.9993, tarAtFar1e3: 0.99, threshold: 1.18, ... }
 * ```
 */
export function evaluatePairs(scores: readonly PairScore[], options: { missingFaces?: number } = {}): LfwEvaluation {
  validate(scores);
  const missingFaces = options.missingFaces ?? 0;
  if (!Number.isSafeInteger(missingFaces) || missingFaces < 0) {
    throw new InvalidArgumentError(`missingFaces must be a non-negative integer, got ${missingFaces}`);
  }
  const samples = toSamples(scores);
  const byFold = new Map<number, Sample[]>();
  scores.forEach((s, i) => {
    let list = byFold.get(s.fold);
    if (!list) {
      list = [];
      byFold.set(s.fold, list);
    }
    list.push(samples[i]);
  });
  const foldIds = [...byFold.keys()].sort((a, b) => a - b);
  if (foldIds.length < 2)
    throw new InvalidArgumentError(`cross-validation needs at least 2 folds, got ${foldIds.length}`);
  const points = roc(samples); // validates both classes before the fold loop
  const folds: FoldResult[] = foldIds.map((fold) => {
    const test = byFold.get(fold)!;
    const train = foldIds.filter((f) => f !== fold).flatMap((f) => byFold.get(f)!);
    const { threshold, accuracy: trainAccuracy } = bestThreshold(train);
    return { fold, threshold, accuracy: accuracyAt(test, threshold), trainAccuracy, pairs: test.length };
  });
  const k = folds.length;
  const accuracy = folds.reduce((s, f) => s + f.accuracy, 0) / k;
  const accuracyStd = Math.sqrt(folds.reduce((s, f) => s + (f.accuracy - accuracy) ** 2, 0) / k);
  const at = tarAt(points, 1e-3);
  return {
    accuracy,
    accuracyStd,
    auc: auc(samples),
    tarAtFar1e3: at.tar,
    thresholdAtFar1e3: at.threshold,
    threshold: folds.reduce((s, f) => s + f.threshold, 0) / k,
    pairs: scores.length,
    missingFaces,
    missingPairs: scores.reduce((n, s) => n + (s.distance === null ? 1 : 0), 0),
    folds,
    roc: points,
  };
}
