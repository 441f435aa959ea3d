import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Gallery } from '../src/index.js';
import { oracle, oracleIdentities, rng, unitVector, type OracleRow } from './gallery-test-data.js';

/** Random galleries (seeded unit vectors), random k / per / exclusions: search = brute-force oracle. */
describe('exact search equals the brute-force oracle (fast-check)', () => {
  const arb = fc.record({
    seed: fc.integer({ min: 1, max: 1e6 }),
    D: fc.constantFrom(3, 4, 7, 16, 32, 33, 48, 128),
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
        const g = Gallery.inMemory({ dimension: D, defaultThreshold: 1 });
        const rows: OracleRow[] = [];
        for (const [i, n] of sizes.entries()) {
          const vs = Array.from({ length: n }, () => unitVector(D, r));
          const ids = vs.map((_, j) => `p${i}-${j}`);
          await g.enroll(`p${i}`, vs, ids);
          vs.forEach((v, j) => {
            rows.push({ identity: `p${i}`, imageId: ids[j], vector: v });
          });
        }
        const excludedImages = new Set(excludeImages.filter((x) => x < rows.length).map((x) => rows[x].imageId));
        for (const id of excludedImages) await g.excludeImage(id);
        const exclude = excludeIds.map((i) => `p${i}`);
        const live = rows.filter((row) => !excludedImages.has(row.imageId) && !exclude.includes(row.identity));
        const probes = Array.from({ length: batch }, () => unitVector(D, r));
        const many = g.identifyMany(probes, { mode: 'nearest-image', k, per, exclude, threshold: 1 });
        probes.forEach((probe, b) => {
          const want = per === 'image' ? oracle(live, probe).slice(0, k) : oracleIdentities(live, probe, k);
          for (const got of [g.identify(probe, { mode: 'nearest-image', k, per, exclude, threshold: 1 }), many[b]]) {
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

describe('enrollMany', () => {
  it('interleaved identities: same gallery as one enroll per identity; bad rows refused, nothing stored', async () => {
    const r = rng(77);
    const D = 12;
    const names = ['b', 'a', 'b', 'c', 'a', 'b'];
    const vs = names.map(() => unitVector(D, r));
    const flat = new Float32Array(names.length * D);
    vs.forEach((v, i) => {
      flat.set(v, i * D);
    });
    const ids = names.map((n, i) => `${n}-${i}`);
    const bulk = Gallery.inMemory({ dimension: D, defaultThreshold: 1 });
    await bulk.enrollMany(names, flat, ids);
    const one = Gallery.inMemory({ dimension: D, defaultThreshold: 1 });
    for (const n of ['b', 'a', 'c']) {
      const idx = names.map((x, i) => (x === n ? i : -1)).filter((i) => i >= 0);
      await one.enroll(
        n,
        idx.map((i) => vs[i]),
        idx.map((i) => ids[i]),
      );
    }
    expect(bulk.identities()).toEqual(['a', 'b', 'c']);
    expect(bulk.imagesOf('b')).toEqual(['b-0', 'b-2', 'b-5']);
    for (let q = 0; q < 10; q++) {
      const p = unitVector(D, r);
      expect(bulk.identify(p, { mode: 'nearest-image', k: 3, per: 'image' })).toEqual(
        one.identify(p, { mode: 'nearest-image', k: 3, per: 'image' }),
      );
    }
    const bad = flat.slice();
    bad[D * 4 + 3] = NaN;
    await expect(Gallery.inMemory({ dimension: D, defaultThreshold: 1 }).enrollMany(names, bad, ids)).rejects.toThrow(
      /row 4/,
    );
    const g = Gallery.inMemory({ dimension: D, defaultThreshold: 1 });
    await expect(g.enrollMany(names, flat.subarray(1), ids)).rejects.toMatchObject({ code: 'EMBEDDING_DIMENSION' });
    await expect(g.enrollMany(names, flat, ids.slice(1))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(g.size).toBe(0);
  });
});

describe('search kernels', () => {
  it('WebAssembly SIMD for D multiple of 16, TypeScript otherwise; both agree with the oracle at 5000 rows', async () => {
    for (const [D, kernel] of [
      [128, 'wasm-simd'],
      [130, 'js'],
    ] as const) {
      const g = Gallery.inMemory({ dimension: D, defaultThreshold: 1 });
      expect(g.searchKernel).toBe(kernel);
      const r = rng(D);
      const rows: OracleRow[] = [];
      const flat = new Float32Array(5000 * D);
      const ids: string[] = [];
      const names: string[] = [];
      for (let i = 0; i < 5000; i++) {
        const v = unitVector(D, r);
        flat.set(v, i * D);
        ids.push(`i${i}`);
        names.push(`p${i % 700}`);
        rows.push({ identity: `p${i % 700}`, imageId: `i${i}`, vector: v });
      }
      await g.enrollMany(names, flat, ids);
      expect(g.searchKernel).toBe(kernel); // still after growing 16 → 8192 rows
      for (let q = 0; q < 5; q++) {
        const p = unitVector(D, r);
        const want = oracle(rows, p).slice(0, 5);
        const got = g.identify(p, { mode: 'nearest-image', k: 5, per: 'image' });
        expect(got.map((m) => m.imageId)).toEqual(want.map((m) => m.imageId));
        got.forEach((m, i) => {
          expect(Math.abs(m.distance - want[i].distance)).toBeLessThan(1e-9);
        });
        expect(g.identifyMany([p, p], { mode: 'nearest-image', k: 3 })[1]).toEqual(
          g.identify(p, { mode: 'nearest-image', k: 3 }),
        );
      }
    }
  });
});
