import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InvalidArgumentError } from '@eolgul/core';
import { checkBox, cropSquare, resampleRgb } from './emotion-crop.js';

/** A width×height image whose red channel is given, green = 2×red, blue = 0. */
function img(width: number, height: number, red: number[]) {
  const data = new Uint8Array(width * height * 3);
  red.forEach((v, i) => {
    data[i * 3] = v;
    data[i * 3 + 1] = 2 * v;
  });
  return { data, width, height };
}
const reds = (a: Float32Array) => Array.from(a).filter((_, i) => i % 3 === 0);

describe('resampleRgb', () => {
  it('4×4 → 2×2 averages each 2×2 block', () => {
    // rows: 0 10 20 30 / 40 50 60 70 / ...
    const im = img(
      4,
      4,
      Array.from({ length: 16 }, (_, i) => i * 10),
    );
    const out = resampleRgb(im, { x: 0, y: 0, w: 4, h: 4 }, 2);
    expect(reds(out).map((v) => Math.round(v * 1000) / 1000)).toEqual([25, 45, 105, 125]);
    expect(out[1]).toBeCloseTo(50, 4); // green = 2 × red
  });

  it('identity size gives the pixels back, flip mirrors each row', () => {
    const im = img(3, 2, [1, 2, 3, 4, 5, 6]);
    expect(reds(resampleRgb(im, { x: 0, y: 0, w: 3, h: 2 }, 2)).length).toBe(4);
    const same = resampleRgb(img(2, 2, [1, 2, 3, 4]), { x: 0, y: 0, w: 2, h: 2 }, 2);
    expect(reds(same)).toEqual([1, 2, 3, 4]);
    const flipped = resampleRgb(img(2, 2, [1, 2, 3, 4]), { x: 0, y: 0, w: 2, h: 2 }, 2, true);
    expect(reds(flipped)).toEqual([2, 1, 4, 3]);
  });

  it('2×1 → 4×1 is bilinear with edge repeat', () => {
    const out = resampleRgb(img(2, 1, [0, 100]), { x: 0, y: 0, w: 2, h: 1 }, 4);
    // 4 columns × 4 rows; centres at x = 0.25, 0.75, 1.25, 1.75 → source 0 − .25 (clamped), .25, .75, 1.25 (clamped)
    expect(reds(out).slice(0, 4)).toEqual([0, 25, 75, 100]);
  });

  it('area outside the image repeats the edge pixel', () => {
    const out = resampleRgb(img(1, 1, [77]), { x: -5, y: -5, w: 11, h: 11 }, 3);
    expect(reds(out)).toEqual(Array(9).fill(77));
  });

  it('keeps values within the source range (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 20 }),
        fc.float({ min: -5, max: 5, noNaN: true }),
        fc.float({ min: Math.fround(0.5), max: 30, noNaN: true }),
        (w, h, size, x, side) => {
          const red = Array.from({ length: w * h }, (_, i) => (i * 37) % 128);
          const out = reds(resampleRgb(img(w, h, red), { x, y: x, w: side, h: side }, size));
          const lo = Math.min(...red),
            hi = Math.max(...red);
          return out.every((v) => v >= lo - 1e-3 && v <= hi + 1e-3);
        },
      ),
    );
  });
});

describe('cropSquare / checkBox', () => {
  it('centres a square of scale × the longer side on the box', () => {
    expect(cropSquare([10, 20, 40, 60], 1)).toEqual({ x: 0, y: 20, w: 60, h: 60 });
    expect(cropSquare([10, 20, 40, 60], 1.5)).toEqual({ x: -15, y: 5, w: 90, h: 90 });
  });
  it('accepts a box overlapping the image and rejects the rest', () => {
    expect(() => checkBox([-10, -10, 20, 20], 100, 100)).not.toThrow();
    expect(() => checkBox([100, 0, 10, 10], 100, 100)).toThrow(InvalidArgumentError);
    expect(() => checkBox([0, -10, 10, 10], 100, 100)).toThrow(InvalidArgumentError);
    expect(() => checkBox([0, 0, 0, 10], 100, 100)).toThrow(InvalidArgumentError);
  });
});
