import { describe, expect, it } from 'vitest';
import {
  ARCFACE_TEMPLATE_112,
  alignFace,
  applyAffine,
  invertAffine,
  resizeImage,
  similarityTransform,
  templateForSize,
  warpAffine,
} from '@eolgul/detector';
import { InvalidArgumentError, type Point } from '@eolgul/core';

const close = (a: Point, b: Point, eps = 1e-9) => {
  expect(a.x).toBeCloseTo(b.x, 6);
  expect(a.y).toBeCloseTo(b.y, 6);
  void eps;
};

describe('similarityTransform (Umeyama, 2-D)', () => {
  it('recovers a hand-made rotation by 90°, scale 2 and shift (3, 4)', () => {
    // dst = 2 · R(90°) · src + (3, 4);  R(90°)(x, y) = (−y, x)
    const src = [
      { x: 0, y: 0 },
      { x: 1, y: 0 },
      { x: 0, y: 1 },
      { x: 2, y: 3 },
    ];
    const dst = src.map((p) => ({ x: -2 * p.y + 3, y: 2 * p.x + 4 }));
    const m = similarityTransform(src, dst);
    expect(m[0]).toBeCloseTo(0, 12); // a = s·cos = 0
    expect(m[3]).toBeCloseTo(2, 12); // b = s·sin = 2
    expect(m[2]).toBeCloseTo(3, 12);
    expect(m[5]).toBeCloseTo(4, 12);
    src.forEach((p, i) => {
      close(applyAffine(m, p), dst[i]);
    });
  });

  it('is the least-squares fit when points are noisy: residuals sum to zero', () => {
    const src = [
      { x: 0, y: 0 },
      { x: 10, y: 0 },
      { x: 0, y: 10 },
    ];
    const dst = [
      { x: 1, y: 1 },
      { x: 11, y: 0 },
      { x: 0, y: 12 },
    ];
    const m = similarityTransform(src, dst);
    const res = src.map((p, i) => {
      const q = applyAffine(m, p);
      return { x: q.x - dst[i].x, y: q.y - dst[i].y };
    });
    expect(res.reduce((s, r) => s + r.x, 0)).toBeCloseTo(0, 10);
    expect(res.reduce((s, r) => s + r.y, 0)).toBeCloseTo(0, 10);
  });

  it('maps the ArcFace template onto itself with the identity', () => {
    const m = similarityTransform(ARCFACE_TEMPLATE_112, ARCFACE_TEMPLATE_112);
    [1, 0, 0, 0, 1, 0].forEach((v, i) => {
      expect(m[i]).toBeCloseTo(v, 10);
    });
  });

  it('rejects mismatched or degenerate point sets', () => {
    expect(() => similarityTransform([{ x: 0, y: 0 }], [{ x: 0, y: 0 }])).toThrow(InvalidArgumentError);
    expect(() =>
      similarityTransform(
        [
          { x: 1, y: 1 },
          { x: 1, y: 1 },
        ],
        [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ],
      ),
    ).toThrow(InvalidArgumentError);
  });

  it('inverts affine maps', () => {
    const m = similarityTransform(
      [
        { x: 0, y: 0 },
        { x: 1, y: 0 },
      ],
      [
        { x: 5, y: 5 },
        { x: 5, y: 8 },
      ],
    );
    const inv = invertAffine(m);
    close(applyAffine(inv, applyAffine(m, { x: 7, y: -2 })), { x: 7, y: -2 });
  });
});

describe('warpAffine / resizeImage / alignFace', () => {
  // 4×2 image, pixel value = 10·x + 100·y in every channel.
  const W = 4,
    H = 2;
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) data.fill(10 * x + 100 * y, (y * W + x) * 3, (y * W + x) * 3 + 3);
  const img = { data, width: W, height: H };

  it('samples bilinearly between pixel centres', () => {
    const out = warpAffine(img, [1, 0, 0.5, 0, 1, 0.5], 1, 1); // (0.5, 0.5) → mean of 4 pixels = (0+10+100+110)/4 = 55
    expect(out.data[0]).toBe(55);
  });

  it('identity warp copies the image', () => {
    expect(Array.from(warpAffine(img, [1, 0, 0, 0, 1, 0], W, H).data)).toEqual(Array.from(data));
  });

  it('resize halves by averaging blocks', () => {
    const out = resizeImage(img, 2, 1); // blocks {0,10,100,110} → 55, {20,30,120,130} → 75
    expect([out.data[0], out.data[3]]).toEqual([55, 75]);
  });

  it('alignFace moves landmarks onto the template', () => {
    // A synthetic image where a bright dot sits on each "landmark"; after alignment the dots are at the template points.
    const size = 200;
    const big = new Uint8Array(size * size * 3);
    const pts = templateForSize(112).map((p) => ({ x: p.x * 1.5 + 20, y: p.y * 1.5 + 15 }));
    for (const p of pts)
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          big.fill(
            255,
            ((Math.round(p.y) + dy) * size + Math.round(p.x) + dx) * 3,
            ((Math.round(p.y) + dy) * size + Math.round(p.x) + dx) * 3 + 3,
          );
        }
    const crop = alignFace({ data: big, width: size, height: size }, pts, 112);
    for (const t of ARCFACE_TEMPLATE_112)
      expect(crop.data[(Math.round(t.y) * 112 + Math.round(t.x)) * 3]).toBeGreaterThan(150);
    expect(crop.data[(10 * 112 + 10) * 3]).toBe(0);
  });
});

describe("dlib's face chip template", () => {
  it('gives the 5 points of dlib 150 px / padding 0.25, mirror-symmetric about the face midline', async () => {
    const { dlibChipTemplate, dlibChipPoint } = await import('../src/face-geometry.js');
    const t = dlibChipTemplate();
    const want = [
      [47.415, 46.195],
      [100.61, 46.195],
      [74.013, 76.563],
      [52.226, 103.251],
      [95.799, 103.251],
    ];
    t.forEach((p, i) => {
      expect(p.x).toBeCloseTo(want[i][0], 2);
      expect(p.y).toBeCloseTo(want[i][1], 2);
    });
    // dlib's mean face is symmetric about x = 0.490127 of the box (to 1e-6 of the box).
    const mid = ((0.25 + 0.490127) / 1.5) * 150;
    expect(t[0].x + t[1].x).toBeCloseTo(2 * mid, 3);
    expect(t[3].x + t[4].x).toBeCloseTo(2 * mid, 3);
    expect(t[0].y).toBeCloseTo(t[1].y, 9);
    // Scaling: without padding the chip is the mean face's box itself.
    expect(dlibChipPoint(30, 100, 0).x).toBeCloseTo(49.0127, 9);
    expect(dlibChipPoint(30, 100, 0).y).toBeCloseTo(51.5625, 9);
    expect(() => dlibChipPoint(5)).toThrow(/17–67/);
    expect(() => dlibChipTemplate(0)).toThrow(/size/);
  });
});
