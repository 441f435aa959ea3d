import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InvalidArgumentError } from '@eolgul/core';
import { evaluatePairs, rocAuc, rocCurve, tarAtFar, type PairScore } from '../src/index.js';

/*
 * Hand-computed example: 3 folds of 4 pairs (2 matched S, 2 mismatched D). Integer distances so that every midpoint is
 * exact in binary. One matched pair of fold 2 has a missing face (null): always wrong.
 *
 *   fold 0: S 2, S 5,    D 4, D 9
 *   fold 1: S 3, S 7,    D 6, D 10
 *   fold 2: S 1, S null, D 8, D 3
 *
 * Accept "same" when distance <= t. Training accuracy = (accepted S + rejected D) / 8; the null pair is always wrong.
 * Candidates: below the smallest distance (accept none), midpoints of consecutive distinct distances, the largest.
 * Ties go to the smallest threshold.
 *
 * Test fold 0, train on folds 1+2: S 3,7,1,null  D 6,10,8,3. Sorted distinct: 1S | 3S,3D | 6D | 7S | 8D | 10D
 *   none 0+4=4, t=2: 1+4=5, t=4.5: 2+3=5, t=6.5: 2+2=4, t=7.5: 3+2=5, t=9: 3+1=4, t=10: 3+0=3  → best 5/8 at t=2
 *   held-out: S2 (2<=2 ✓), S5 ✗, D4 ✓, D9 ✓ → 3/4
 * Test fold 1, train on folds 0+2: S 2,5,1,null  D 4,9,8,3. Sorted: 1S 2S 3D 4D 5S 8D 9D
 *   none 4, 1.5: 5, 2.5: 6, 3.5: 5, 4.5: 4, 6.5: 5, 8.5: 4, 9: 3                               → best 6/8 at t=2.5
 *   held-out: S3 ✗, S7 ✗, D6 ✓, D10 ✓ → 2/4
 * Test fold 2, train on folds 0+1: S 2,5,3,7  D 4,9,6,10. Sorted: 2S 3S 4D 5S 6D 7S 9D 10D
 *   none 4, 2.5: 5, 3.5: 6, 4.5: 5, 5.5: 6, 6.5: 5, 8: 6, 9.5: 5, 10: 4     → best 6/8, tie 3.5/5.5/8 → t=3.5
 *   held-out: S1 ✓, S null ✗, D8 ✓, D3 (3<=3.5, accepted) ✗ → 2/4
 * accuracy = (0.75 + 0.5 + 0.5) / 3 = 7/12; population std = sqrt(((1/6)² + 2·(1/12)²) / 3) = sqrt(1/72)
 * threshold = (2 + 2.5 + 3.5) / 3 = 8/3
 *
 * AUC over all 12 pairs: S = {1,2,3,5,7,+∞(null)}, D = {3,4,6,8,9,10}; count S < D (+½ per tie):
 *   S1: 6, S2: 6, S3: 5 + ½, S5: 4, S7: 3, S∞: 0 → 24.5 / 36
 * ROC: t=1 TAR 1/6 FAR 0; t=2 TAR 2/6 FAR 0; t=3 TAR 3/6 FAR 1/6 → TAR@FAR≤1e-3 = 1/3 at threshold 2.
 */
const HAND: PairScore[] = [
  { fold: 0, same: true, distance: 2 },
  { fold: 0, same: true, distance: 5 },
  { fold: 0, same: false, distance: 4 },
  { fold: 0, same: false, distance: 9 },
  { fold: 1, same: true, distance: 3 },
  { fold: 1, same: true, distance: 7 },
  { fold: 1, same: false, distance: 6 },
  { fold: 1, same: false, distance: 10 },
  { fold: 2, same: true, distance: 1 },
  { fold: 2, same: true, distance: null },
  { fold: 2, same: false, distance: 8 },
  { fold: 2, same: false, distance: 3 },
];

/** Brute-force AUC: every (matched, mismatched) combination, null = wrong (matched +∞, mismatched −∞). */
function bruteAuc(scores: PairScore[]): number {
  const value = (s: PairScore) => (s.distance === null ? (s.same ? Infinity : -Infinity) : s.distance);
  const S = scores.filter((s) => s.same).map(value);
  const D = scores.filter((s) => !s.same).map(value);
  let u = 0;
  for (const s of S) for (const d of D) u += s < d ? 1 : s === d ? 0.5 : 0;
  return u / (S.length * D.length);
}

/** Brute-force accuracy of a threshold on a set of pairs (null = wrong). */
function bruteAccuracy(scores: PairScore[], t: number): number {
  return scores.filter((s) => s.distance !== null && s.distance <= t === s.same).length / scores.length;
}

describe('evaluatePairs on the hand-computed example', () => {
  const r = evaluatePairs(HAND, { missingFaces: 1 });

  it('chooses each fold threshold on the other folds', () => {
    expect(r.folds.map((f) => f.fold)).toEqual([0, 1, 2]);
    expect(r.folds.map((f) => f.threshold)).toEqual([2, 2.5, 3.5]);
    expect(r.folds.map((f) => f.trainAccuracy)).toEqual([5 / 8, 6 / 8, 6 / 8]);
    expect(r.folds.map((f) => f.accuracy)).toEqual([0.75, 0.5, 0.5]);
    expect(r.folds.map((f) => f.pairs)).toEqual([4, 4, 4]);
  });

  it('reports mean accuracy, population std and mean threshold', () => {
    expect(r.accuracy).toBeCloseTo(7 / 12, 12);
    expect(r.accuracyStd).toBeCloseTo(Math.sqrt(1 / 72), 12);
    expect(r.threshold).toBeCloseTo(8 / 3, 12);
  });

  it('reports AUC with ties counted one half, equal to the brute-force count', () => {
    expect(r.auc).toBeCloseTo(24.5 / 36, 12);
    expect(r.auc).toBeCloseTo(bruteAuc(HAND), 12);
  });

  it('reports TAR at FAR = 1e-3 and its threshold', () => {
    expect(r.tarAtFar1e3).toBeCloseTo(1 / 3, 12);
    expect(r.thresholdAtFar1e3).toBe(2);
  });

  it('counts pairs and missing faces', () => {
    expect(r.pairs).toBe(12);
    expect(r.missingFaces).toBe(1);
    expect(r.missingPairs).toBe(1);
  });

  it('builds the ROC curve point by point', () => {
    expect(r.roc[0]).toMatchObject({ far: 0, tar: 0 });
    expect(r.roc[0].threshold).toBeLessThan(1);
    expect(r.roc.slice(1).map((p) => p.threshold)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(r.roc.slice(1).map((p) => [p.tar * 6, p.far * 6].map((x) => Math.round(x)))).toEqual([
      [1, 0],
      [2, 0],
      [3, 1],
      [3, 2],
      [4, 2],
      [4, 3],
      [5, 3],
      [5, 4],
      [5, 5],
      [5, 6],
    ]);
  });
});

describe('evaluatePairs conventions', () => {
  it('is perfect on separable data and puts the thresholds between the classes', () => {
    const scores: PairScore[] = [];
    for (let f = 0; f < 10; f++) {
      for (let i = 0; i < 5; i++) scores.push({ fold: f, same: true, distance: 0.5 + 0.01 * i + 0.001 * f });
      for (let i = 0; i < 5; i++) scores.push({ fold: f, same: false, distance: 1.5 + 0.01 * i + 0.001 * f });
    }
    const r = evaluatePairs(scores);
    expect(r.accuracy).toBe(1);
    expect(r.accuracyStd).toBe(0);
    expect(r.auc).toBe(1);
    expect(r.tarAtFar1e3).toBe(1);
    for (const f of r.folds) {
      expect(f.threshold).toBeGreaterThan(0.55);
      expect(f.threshold).toBeLessThan(1.5);
    }
  });

  it('counts a missing face in a mismatched pair as a false accept at every threshold', () => {
    const scores: PairScore[] = [
      { fold: 0, same: true, distance: 0.1 },
      { fold: 0, same: false, distance: null },
      { fold: 1, same: true, distance: 0.2 },
      { fold: 1, same: false, distance: 1.0 },
    ];
    const r = evaluatePairs(scores);
    expect(r.roc[0].far).toBe(0.5); // accept-none still accepts the missing mismatched pair
    expect(r.tarAtFar1e3).toBe(0); // FAR can never go under 1/2
    expect(r.folds[0].accuracy).toBe(0.5);
    expect(r.auc).toBeCloseTo(bruteAuc(scores), 12);
  });

  it('accepts a distance equal to the threshold (distance <= threshold means same)', () => {
    // Fold 1 trains on fold 0 alone: S 1, D 3 → threshold 2. Fold 1 holds an S at exactly 2.
    const r = evaluatePairs([
      { fold: 0, same: true, distance: 1 },
      { fold: 0, same: false, distance: 3 },
      { fold: 1, same: true, distance: 2 },
      { fold: 1, same: false, distance: 4 },
    ]);
    expect(r.folds[1].threshold).toBe(2);
    expect(r.folds[1].accuracy).toBe(1);
  });

  it('rejects bad input with typed errors, never NaN', () => {
    const ok: PairScore = { fold: 0, same: true, distance: 1 };
    const bad: [string, unknown][] = [
      ['empty', []],
      ['one fold', [ok, { fold: 0, same: false, distance: 2 }]],
      ['NaN distance', [ok, { fold: 1, same: false, distance: NaN }]],
      ['infinite distance', [ok, { fold: 1, same: false, distance: Infinity }]],
      ['non-integer fold', [ok, { fold: 0.5, same: false, distance: 1 }]],
      ['no mismatched pair', [ok, { fold: 1, same: true, distance: 2 }]],
      ['same not boolean', [ok, { fold: 1, same: 'no', distance: 2 }]],
      [
        'all missing',
        [
          { fold: 0, same: true, distance: null },
          { fold: 1, same: false, distance: null },
        ],
      ],
    ];
    for (const [what, scores] of bad) {
      expect(() => evaluatePairs(scores as PairScore[]), what).toThrow(InvalidArgumentError);
    }
    expect(() => evaluatePairs(HAND, { missingFaces: -1 })).toThrow(InvalidArgumentError);
    expect(() => tarAtFar(HAND, 2)).toThrow(InvalidArgumentError);
  });
});

const scoreArb = fc.record({
  fold: fc.integer({ min: 0, max: 3 }),
  same: fc.boolean(),
  // small integer range to force ties; some missing faces
  distance: fc.oneof(
    { weight: 9, arbitrary: fc.integer({ min: 0, max: 12 }).map((x) => x / 4) },
    { weight: 1, arbitrary: fc.constant(null) },
  ),
});
const scoresArb = fc
  .array(scoreArb, { minLength: 4, maxLength: 60 })
  .filter((s) => s.some((x) => x.same) && s.some((x) => !x.same) && new Set(s.map((x) => x.fold)).size >= 2)
  .filter((s) => {
    const folds = [...new Set(s.map((x) => x.fold))];
    return folds.every((f) => s.some((x) => x.fold !== f && x.distance !== null));
  });

describe('evaluatePairs properties (fast-check)', () => {
  it('AUC equals the brute-force pairwise count', () => {
    fc.assert(
      fc.property(scoresArb, (s) => Math.abs(rocAuc(s) - bruteAuc(s)) < 1e-12),
      { numRuns: 300 },
    );
  });

  it('each fold threshold maximises training accuracy over every possible threshold', () => {
    fc.assert(
      fc.property(scoresArb, (s) => {
        const r = evaluatePairs(s);
        for (const f of r.folds) {
          const train = s.filter((x) => x.fold !== f.fold);
          const test = s.filter((x) => x.fold === f.fold);
          expect(bruteAccuracy(train, f.threshold)).toBeCloseTo(f.trainAccuracy, 12);
          expect(bruteAccuracy(test, f.threshold)).toBeCloseTo(f.accuracy, 12);
          // every distance value and every point between them, plus below and above all
          for (let t = -0.125; t <= 3.125; t += 0.125)
            expect(bruteAccuracy(train, t)).toBeLessThanOrEqual(f.trainAccuracy + 1e-12);
        }
        expect(Number.isFinite(r.accuracy) && Number.isFinite(r.accuracyStd) && Number.isFinite(r.threshold)).toBe(
          true,
        );
      }),
      { numRuns: 200 },
    );
  });

  it('TAR at FAR is the best TAR of any threshold whose FAR is within the target', () => {
    fc.assert(
      fc.property(scoresArb, fc.constantFrom(0, 0.1, 0.25, 0.5, 1), (s, target) => {
        const at = tarAtFar(s, target);
        const value = (x: PairScore) => (x.distance === null ? (x.same ? Infinity : -Infinity) : x.distance);
        const nS = s.filter((x) => x.same).length;
        const nD = s.length - nS;
        let best = 0;
        for (let t = -0.125; t <= 3.125; t += 0.125) {
          const far = s.filter((x) => !x.same && value(x) <= t).length / nD;
          const tar = s.filter((x) => x.same && value(x) <= t).length / nS;
          if (far <= target) best = Math.max(best, tar);
        }
        expect(at.tar).toBeCloseTo(best, 12);
        const roc = rocCurve(s);
        if (roc[0].far <= target) expect(at.far).toBeLessThanOrEqual(target);
        else expect(at).toEqual({ tar: 0, far: roc[0].far, threshold: roc[0].threshold });
        for (let i = 1; i < roc.length; i++) {
          expect(roc[i].far).toBeGreaterThanOrEqual(roc[i - 1].far);
          expect(roc[i].tar).toBeGreaterThanOrEqual(roc[i - 1].tar);
        }
      }),
      { numRuns: 200 },
    );
  });
});
