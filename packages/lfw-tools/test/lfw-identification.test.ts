import { describe, expect, it } from 'vitest';
import { EmbeddingDimensionError, InvalidArgumentError, InvalidEmbeddingError } from '@eolgul/core';
import { identificationRank1 } from '../src/index.js';

/*
 * Hand example in 2-D, enrollPerIdentity = 2, identities interleaved (E = enrolled, P = probe, by order of appearance):
 *   0 A (0,0) E   1 B (5,0) E   2 A (0,1) E   3 C (3,3) E   4 B (5,1) E
 *   5 A (0,2) P   6 B (3,1) P   7 C (3,2) E   8 B (5,2) P
 * C has 2 images: enrolled, no probe (a distractor).
 * Nearest image:
 *   probe 5 (0,2): A(0,1) at 1 → A ✓
 *   probe 6 (3,1): A(0,1) 3, B(5,1) 2, B(5,0) √5, C(3,2) 1, C(3,3) 2 → C ✗ (distance 1)
 *   probe 8 (5,2): B(5,1) at 1 → B ✓
 *   rank-1 = 2/3.
 * Identity mean (L2-normalised means): A (0,1), B (5,0.5)/5.0249 = (0.99504, 0.09950), C (3,2.5)/3.9051 = (0.76822, 0.64018)
 *   probe 5 (0,2): A 1, B 2.14, C 1.56 → A ✓
 *   probe 6 (3,1): A 3, B² = 2.00496² + 0.90050² = 4.8309, C² = 2.23178² + 0.35982² = 5.1104 → B ✓
 *   probe 8 (5,2): B² = 4.00496² + 1.90050² = 19.651, C² = 4.23178² + 1.35982² = 19.758, A² = 26 → B ✓
 *   rank-1 = 3/3.
 */
const V = [
  [0, 0],
  [5, 0],
  [0, 1],
  [3, 3],
  [5, 1],
  [0, 2],
  [3, 1],
  [3, 2],
  [5, 2],
].map((v) => Float32Array.from(v));
const L = ['A', 'B', 'A', 'C', 'B', 'A', 'B', 'C', 'B'];

describe('identificationRank1', () => {
  it('enrolls the first images of each identity and matches probes to the nearest enrolled image', () => {
    expect(identificationRank1(V, L, { enrollPerIdentity: 2 })).toEqual({
      rank1: 2 / 3,
      probes: 3,
      enrolled: 6,
      identities: 3,
      errors: [{ probe: 6, predicted: 'C', truth: 'B', distance: 1 }],
    });
  });

  it('can match against per-identity mean templates instead', () => {
    const r = identificationRank1(V, L, { enrollPerIdentity: 2, match: 'identity-mean' });
    expect(r.rank1).toBe(1);
    expect(r.probes).toBe(3);
    expect(r.errors).toEqual([]);
  });

  it('defaults to 5 enrolled images per identity', () => {
    const vs: Float32Array[] = [];
    const ls: string[] = [];
    for (let i = 0; i < 7; i++) {
      vs.push(Float32Array.of(1, i * 0.01));
      ls.push('P');
      vs.push(Float32Array.of(-1, i * 0.01));
      ls.push('Q');
    }
    const r = identificationRank1(vs, ls);
    expect(r).toMatchObject({ rank1: 1, probes: 4, enrolled: 10, identities: 2 });
  });

  it('refuses bad input with typed errors', () => {
    expect(() => identificationRank1(V, L.slice(1))).toThrow(InvalidArgumentError);
    expect(() => identificationRank1(V, L, { enrollPerIdentity: 0 })).toThrow(InvalidArgumentError);
    expect(() => identificationRank1(V, L, { enrollPerIdentity: 4 })).toThrow(/no probe/);
    expect(() =>
      identificationRank1([...V.slice(0, 8), Float32Array.of(1, 2, 3)], L, { enrollPerIdentity: 2 }),
    ).toThrow(EmbeddingDimensionError);
    expect(() => identificationRank1([...V.slice(0, 8), Float32Array.of(NaN, 1)], L, { enrollPerIdentity: 2 })).toThrow(
      InvalidEmbeddingError,
    );
    expect(() => identificationRank1(V, L, { enrollPerIdentity: 2, match: 'knn' as never })).toThrow(
      InvalidArgumentError,
    );
  });
});
