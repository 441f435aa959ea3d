/** The image module on small hand-made images whose results can be checked by hand. */
import { describe, expect, it } from 'vitest';
import {
  checkBox,
  checkRgbImage,
  imageToTensor,
  InvalidArgumentError,
  mirrorImage,
  type RgbImage,
  resampleArea,
  resizeImage,
  resizeToTensor,
  rgbImage,
  squareAroundBox,
  warpAffine,
} from '@eolgul/core';

/** A width × height image with red = the given values, green = 2 × red, blue = 255 − red. */
function img(width: number, height: number, red: number[]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  red.forEach((v, i) => {
    data.set([v, 2 * v, 255 - v], i * 3);
  });
  return { data, width, height };
}
const channel = (a: ArrayLike<number>, c: number) => Array.from(a).filter((_, i) => i % 3 === c);

describe('checkRgbImage / rgbImage / checkBox', () => {
  it('accepts Uint8Array and Uint8ClampedArray pixels of the right length', () => {
    expect(() => checkRgbImage(img(2, 1, [1, 2]))).not.toThrow();
    const clamped = { data: new Uint8ClampedArray(6), width: 2, height: 1 } as unknown as RgbImage;
    expect(() => checkRgbImage(clamped)).not.toThrow();
  });

  it('refuses, with InvalidArgumentError naming the problem, what would be read out of bounds', () => {
    const bad: [unknown, RegExp][] = [
      [null, /RgbImage/],
      [{ data: new Uint8Array(6), width: 0, height: 2 }, /positive integers, got 0x2/],
      [{ data: new Uint8Array(6), width: 1.5, height: 2 }, /positive integers/],
      [{ data: new Uint8Array(5), width: 1, height: 2 }, /needs a Uint8Array of 6 bytes, got a Uint8Array of 5/],
      [{ data: new Float32Array(6), width: 1, height: 2 }, /got a Float32Array of 6/],
      [{ data: [1, 2, 3, 4, 5, 6], width: 1, height: 2 }, /got object/],
    ];
    for (const [image, message] of bad) {
      expect(() => checkRgbImage(image as RgbImage)).toThrow(InvalidArgumentError);
      expect(() => checkRgbImage(image as RgbImage)).toThrow(message);
    }
    expect(() => rgbImage(new Uint8Array(5), 1, 2)).toThrow(InvalidArgumentError);
    expect(rgbImage(new Uint8Array(6), 1, 2)).toEqual({ data: new Uint8Array(6), width: 1, height: 2 });
  });

  it('checkBox: a box overlapping the image passes, the rest is refused', () => {
    expect(() => checkBox([-10, -10, 20, 20], 100, 100)).not.toThrow();
    expect(() => checkBox([100, 0, 10, 10], 100, 100)).toThrow(/outside the 100x100 image/);
    expect(() => checkBox([0, 0, 0, 10], 100, 100)).toThrow(/zero or negative size/);
    expect(() => checkBox([0, 0, Number.NaN, 10], 100, 100)).toThrow(/finite numbers/);
    expect(() => checkBox([0, 0, 10] as never, 100, 100)).toThrow(/\[x, y, width, height\]/);
  });

  it('squareAroundBox centres a square of scale × the longer side on the box', () => {
    expect(squareAroundBox([10, 20, 40, 60], 1)).toEqual({ x: 0, y: 20, w: 60, h: 60 });
    expect(squareAroundBox([10, 20, 40, 60], 1.5)).toEqual({ x: -15, y: 5, w: 90, h: 90 });
  });
});

describe('resampleArea', () => {
  const ramp = img(
    4,
    4,
    Array.from({ length: 16 }, (_, i) => i * 10),
  ); // red rows: 0 10 20 30 / 40 50 60 70 / 80 … / 120 …

  it('shrinking averages the source pixels each output pixel covers', () => {
    const out = resampleArea(ramp, { x: 0, y: 0, w: 4, h: 4 }, 2);
    expect(channel(out, 0)).toEqual([25, 45, 105, 125]);
    expect(channel(out, 2)).toEqual([230, 210, 150, 130]);
    // a 3-wide output of 4 pixels: weights 3/4 + 1/4, 1/2 + 1/2, 1/4 + 3/4 of neighbouring columns
    const row = resampleArea(img(4, 1, [0, 40, 80, 120]), { x: 0, y: 0, w: 4, h: 1 }, 3, 1);
    expect(channel(row, 0).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([10, 60, 110]);
  });

  it('enlarging is bilinear with half-pixel centres', () => {
    const out = resampleArea(img(2, 1, [0, 100]), { x: 0, y: 0, w: 2, h: 1 }, 4, 1);
    // centres at 0.25, 0.75, 1.25, 1.75 → source −0.25 (edge), 0.25, 0.75, 1.25 (edge)
    expect(channel(out, 0)).toEqual([0, 25, 75, 100]);
  });

  it("zero padding counts pixels outside the image as black (facenet's MTCNN crops); edge padding repeats the edge", () => {
    const one = img(1, 1, [80]);
    const rect = { x: -1, y: 0, w: 2, h: 1 }; // half outside
    expect(channel(resampleArea(one, rect, 1, 1), 0)).toEqual([40]);
    expect(channel(resampleArea(one, rect, 1, 1, { padding: 'edge' }), 0)).toEqual([80]);
    const far = resampleArea(one, { x: -5, y: -5, w: 11, h: 11 }, 3, 3, { padding: 'edge' });
    expect(channel(far, 0)).toEqual(Array(9).fill(80));
  });

  it('a huge rectangle costs no more than an image-sized one (only pixels inside the image are visited)', () => {
    const t0 = performance.now();
    const out = resampleArea(ramp, { x: -1e12, y: -1e12, w: 2e12, h: 2e12 }, 48, 48, { padding: 'edge' });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(out.every(Number.isFinite)).toBe(true);
  });

  it('flipX mirrors the result, and out / offset write into a given array', () => {
    const out = new Float32Array(2 * 2 * 3 + 3);
    resampleArea(img(2, 2, [1, 2, 3, 4]), { x: 0, y: 0, w: 2, h: 2 }, 2, 2, { flipX: true, out, offset: 3 });
    expect(channel(out, 0)).toEqual([0, 2, 1, 4, 3]);
  });
});

describe('resizeImage, warpAffine, mirrorImage', () => {
  it('resizeImage keeps a flat image flat and shrinks by block averages first', () => {
    const flat = img(8, 6, Array(48).fill(90));
    const small = resizeImage(flat, 3, 2);
    expect([small.width, small.height]).toEqual([3, 2]);
    expect(channel(small.data, 0)).toEqual(Array(6).fill(90));
    // 4×2 → 2×1: k = 2, each output pixel the (rounded-down) mean of a 2×2 block
    expect(channel(resizeImage(img(4, 2, [0, 10, 20, 30, 40, 50, 60, 71]), 2, 1).data, 0)).toEqual([25, 45]);
  });

  it('warpAffine with the identity copies the image; outside samples take the nearest edge', () => {
    expect(warpAffine(ramp4(), [1, 0, 0, 0, 1, 0], 4, 4).data).toEqual(ramp4().data);
    expect(channel(warpAffine(img(2, 1, [10, 20]), [1, 0, 5, 0, 1, 0], 1, 1).data, 0)).toEqual([20]);
  });

  it('resizeToTensor gives exactly imageToTensor(resizeImage(…)) in every layout and channel order', () => {
    // A pseudo-random 37×29 image, enlarged, shrunk below 2× and by 2× or more (block averaging first).
    const data = new Uint8Array(37 * 29 * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919 + 13) % 251;
    const image = { data, width: 37, height: 29 };
    const specs = [
      { layout: 'nchw', channels: 'rgb', mean: 127, scale: 1 / 128 },
      { layout: 'nchw', channels: 'bgr', mean: [1, 2, 3], scale: [0.5, 0.25, 2] },
      { layout: 'nhwc', channels: 'rgb' },
      { layout: 'nhwc', channels: 'bgr', mean: 127.5, scale: 1 / 128 },
      { layout: 'ncwh', channels: 'rgb', mean: 127.5, scale: 1 / 128 },
      { layout: 'nchw', channels: 'grey', mean: 100 },
    ] as const;
    for (const spec of specs) {
      for (const [w, h] of [
        [64, 48],
        [30, 20],
        [11, 9],
        [1, 1],
      ]) {
        const expected = imageToTensor(resizeImage(image, w, h).data, w, h, spec);
        expect(Array.from(resizeToTensor(image, w, h, spec)), `${JSON.stringify(spec)} ${w}×${h}`).toEqual(
          Array.from(expected),
        );
      }
    }
  });

  it('mirrorImage swaps columns', () => {
    expect(channel(mirrorImage(img(3, 1, [1, 2, 3])).data, 0)).toEqual([3, 2, 1]);
  });
});

function ramp4() {
  return img(
    4,
    4,
    Array.from({ length: 16 }, (_, i) => i * 10),
  );
}

describe('imageToTensor', () => {
  const px = img(2, 1, [10, 20]); // RGB (10, 20, 245), (20, 40, 235)

  it('NCHW: one plane per channel; BGR swaps the planes; mean and scale per source channel', () => {
    expect(Array.from(imageToTensor(px.data, 2, 1, { layout: 'nchw', channels: 'rgb' }))).toEqual([
      10, 20, 20, 40, 245, 235,
    ]);
    expect(Array.from(imageToTensor(px.data, 2, 1, { layout: 'nchw', channels: 'bgr' }))).toEqual([
      245, 235, 20, 40, 10, 20,
    ]);
    const t = imageToTensor(px.data, 2, 1, { layout: 'nchw', channels: 'bgr', mean: [10, 20, 5], scale: [1, 0.5, 2] });
    expect(Array.from(t)).toEqual([480, 460, 0, 10, 0, 10]);
  });

  it("NHWC interleaves; 'ncwh' is column-major planes (MTCNN)", () => {
    expect(Array.from(imageToTensor(px.data, 2, 1, { layout: 'nhwc', channels: 'rgb', mean: 10 }))).toEqual([
      0, 10, 235, 10, 30, 225,
    ]);
    const im = img(2, 2, [1, 2, 3, 4]); // red (x, y): (0,0)=1 (1,0)=2 (0,1)=3 (1,1)=4
    expect(Array.from(imageToTensor(im.data, 2, 2, { layout: 'ncwh', channels: 'rgb' })).slice(0, 4)).toEqual([
      1, 3, 2, 4,
    ]);
  });

  it('grey: the weighted sum of R, G, B, then mean and scale; float pixels as they are', () => {
    const g = imageToTensor(px.data, 2, 1, { layout: 'nchw', channels: 'grey', scale: 1 / 256 });
    expect(g[0]).toBeCloseTo((0.299 * 10 + 0.587 * 20 + 0.114 * 245) / 256, 6);
    const f = imageToTensor(Float32Array.from([1.5, 2.5, 3.5]), 1, 1, {
      layout: 'nhwc',
      channels: 'grey',
      greyWeights: [1, 1, 1],
      mean: 0.5,
      scale: 2,
    });
    expect(Array.from(f)).toEqual([14]);
  });

  it('writes the i-th image of a batch at its offset', () => {
    const out = new Float32Array(12);
    imageToTensor(px.data, 2, 1, { layout: 'nchw', channels: 'rgb' }, out, 6);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0, 10, 20, 20, 40, 245, 235]);
  });
});
