import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NpyFormatError, decodeNpy, encodeNpy } from '@eolgul/core';
import { parsePairs, readEmbeddingPair, writeEmbeddingPair } from '../src/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** A shape of 0 to 3 dimensions (each 0..6) and float32 data of exactly that many values, including NaN, ±Infinity, -0 and subnormals. */
const arrayArb = fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 3 }).chain((shape) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return fc.tuple(fc.constant(shape), fc.float32Array({ minLength: n, maxLength: n }));
});

describe('NPY codec of @eolgul/core (property tests)', () => {
  it('decodeNpy(encodeNpy(x)) returns the same shape and the same float32 values', () => {
    fc.assert(
      fc.property(arrayArb, ([shape, data]) => {
        const buf = encodeNpy(data, shape);
        const header = buf.length - data.length * 4;
        expect(header % 64).toBe(0); // NPY spec: preamble + header padded to a multiple of 64 bytes
        const back = decodeNpy(buf);
        expect(back.shape).toEqual(shape);
        expect(back.data.length).toBe(data.length);
        for (let i = 0; i < data.length; i++) expect(Object.is(back.data[i], data[i])).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('decodes from a view that does not start at byte 0 of its buffer', () => {
    fc.assert(
      fc.property(arrayArb, fc.integer({ min: 1, max: 13 }), ([shape, data], pad) => {
        const buf = encodeNpy(data, shape);
        const big = new Uint8Array(buf.length + pad);
        big.set(buf, pad);
        const back = decodeNpy(big.subarray(pad));
        expect(back.shape).toEqual(shape);
        for (let i = 0; i < data.length; i++) expect(Object.is(back.data[i], data[i])).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('a truncated or corrupted file is an NpyFormatError, never another exception', () => {
    fc.assert(
      fc.property(
        arrayArb,
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        ([shape, data], cut, flips) => {
          const buf = encodeNpy(data, shape);
          const variants = [buf.subarray(0, cut % buf.length)];
          const corrupted = Uint8Array.from(buf);
          for (const [at, byte] of flips) corrupted[at % Math.min(corrupted.length, 128)] = byte; // header bytes
          variants.push(corrupted);
          for (const v of variants) {
            try {
              const r = decodeNpy(v);
              expect(r.data.length).toBe(r.shape.reduce((a, b) => a * b, 1));
            } catch (err) {
              expect(err).toBeInstanceOf(NpyFormatError);
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('round trips of this package (property tests)', () => {
  it('parsePairs reads back any well-formed pairs file', () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z_-]{0,8}$/);
    const fileArb = fc
      .record({ folds: fc.integer({ min: 1, max: 3 }), perFold: fc.integer({ min: 1, max: 4 }) })
      .chain(({ folds, perFold }) =>
        fc.tuple(
          fc.constant({ folds, perFold }),
          fc.array(
            fc
              .tuple(name, fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 600 }))
              .filter(([, a, b]) => a !== b),
            {
              minLength: folds * perFold,
              maxLength: folds * perFold,
            },
          ),
          fc.array(
            fc
              .tuple(name, fc.integer({ min: 1, max: 600 }), name, fc.integer({ min: 1, max: 600 }))
              .filter(([a, , b]) => a !== b),
            {
              minLength: folds * perFold,
              maxLength: folds * perFold,
            },
          ),
        ),
      );
    fc.assert(
      fc.property(fileArb, ([{ folds, perFold }, matched, mismatched]) => {
        const lines = [`${folds}\t${perFold}`];
        const expected: { fold: number; a: string; b: string; same: boolean }[] = [];
        const img = (n: string, k: number) => `${n}/${n}_${String(k).padStart(4, '0')}.jpg`;
        for (let f = 0; f < folds; f++) {
          for (const [n, a, b] of matched.slice(f * perFold, (f + 1) * perFold)) {
            lines.push(`${n}\t${a}\t${b}`);
            expected.push({ fold: f, a: img(n, a), b: img(n, b), same: true });
          }
          for (const [n1, a, n2, b] of mismatched.slice(f * perFold, (f + 1) * perFold)) {
            lines.push(`${n1}\t${a}\t${n2}\t${b}`);
            expected.push({ fold: f, a: img(n1, a), b: img(n2, b), same: false });
          }
        }
        expect(parsePairs(`${lines.join('\n')}\n`)).toEqual({ folds, perFold, pairs: expected });
      }),
      { numRuns: 200 },
    );
  });

  it('writeEmbeddingPair + readEmbeddingPair keep any image name and any finite values', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lfw-prop-'));
    try {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 5 }).chain((d) =>
            fc.array(
              fc.record({
                image: fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }),
                category: fc.nat(1000),
                v: fc.float32Array({ minLength: d, maxLength: d, noNaN: true, noDefaultInfinity: true }),
              }),
              { minLength: 1, maxLength: 8 },
            ),
          ),
          async (items) => {
            const prefix = path.join(dir, `p${run++}`);
            await writeEmbeddingPair(
              prefix,
              items.map((x) => x.v),
              items.map(({ image, category }) => ({ image, category })),
            );
            const back = await readEmbeddingPair(`${prefix}.npy`, `${prefix}.csv`);
            expect(back.rows).toEqual(items.map(({ image, category }) => ({ image, category })));
            back.embeddings.forEach((e, i) => {
              [...e].forEach((x, j) => {
                expect(Object.is(x, items[i].v[j])).toBe(true);
              });
            });
          },
        ),
        { numRuns: 100 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
