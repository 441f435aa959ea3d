import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Gallery } from '../src/index.js';
import { oracle, oracleIdentities, rng, unitVector, type OracleRow } from './gallery-test-data.js';

/** Random galleries (seeded unit vectors), random k / per / exclusions: search = brute-force oracle. */
describe('exact search equals the brute-force oracle (fast-check)', () => {
  const arb = fc.record({
    seed: fc.integer({ min: 1, max: 1e6 }),
    D: fc.constantFrom(3, 4, 7, 16, 33),
    sizes: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }),
    k: fc.integer({ min: 1, max: 12 }),
    per: fc.constantFrom('identity' as const, 'image' as const),
    excludeIds: fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 3 }),
    excludeImages: fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 4 }),
    batch: fc.integer({ min: 1, max: 5 }),
  });

  it('identify and identifyMany: same identities, images and distances as the oracle', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async ({ seed, D, sizes, k, per, excludeIds, excludeImages, batch }) => {
        const r = rng(seed);
        const g = Gallery.inMemory({ dimension: D });
        const rows: OracleRow[] = [];
        for (const [i, n] of sizes.entries()) {
          const vs = Array.from({ length: n }, () => unitVector(D, r));
          const ids = vs.map((_, j) => `p${i}-${j}`);
          await g.enroll(`p${i}`, vs, ids);
          vs.forEach((v, j) => rows.push({ identity: `p${i}`, imageId: ids[j], vector: v }));
        }
        const excludedImages = new Set(excludeImages.filter((x) => x < rows.length).map((x) => rows[x].imageId));
        for (const id of excludedImages) await g.excludeImage(id);
        const exclude = excludeIds.map((i) => `p${i}`);
        const live = rows.filter((row) => !excludedImages.has(row.imageId) && !exclude.includes(row.identity));
        const probes = Array.from({ length: batch }, () => unitVector(D, r));
        const many = g.identifyMany(probes, { k, per, exclude, threshold: 1 });
        probes.forEach((probe, b) => {
          const want = per === 'image' ? oracle(live, probe).slice(0, k) : oracleIdentities(live, probe, k);
          for (const got of [g.identify(probe, { k, per, exclude, threshold: 1 }), many[b]]) {
            expect(got.map((m) => m.imageId)).toEqual(want.map((m) => m.imageId));
            got.forEach((m, i) => {
              expect(m.identity).toBe(want[i].identity);
              expect(Math.abs(m.distance - want[i].distance)).toBeLessThan(1e-9);
              expect(m.accepted).toBe(m.distance <= 1);
            });
          }
        });
      }),
      { numRuns: 150 },
    );
  });
});
