// The quality gate's rules on hand-made measurements, and faceSharpness on a committed sample photo and blurred copies.
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { RgbImage } from '@eolgul/core';
import { checkEnrollmentQuality, DEFAULT_QUALITY_RULES, faceSharpness } from '../src/index.js';

const face = {
  box: [60, 60, 110, 140] as [number, number, number, number],
  landmarks: [
    { x: 95, y: 110 },
    { x: 140, y: 110 },
  ],
};
const frontal = { pose: { yaw: 3, pitch: -5, roll: 1 }, eyes: { left: 0.98, right: 0.97 } };
const unit = (...v: number[]) => {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
};

describe('checkEnrollmentQuality', () => {
  it('accepts a frontal, sharp, big enough face with open eyes', () => {
    expect(checkEnrollmentQuality({ faceCount: 1, face, sharpness: 150, attributes: frontal })).toEqual([]);
  });

  it('names every reason, with the measured value and the limit', () => {
    const problems = checkEnrollmentQuality({
      faceCount: 2,
      face: {
        ...face,
        landmarks: [
          { x: 100, y: 110 },
          { x: 120, y: 110 },
        ],
      },
      sharpness: 12,
      attributes: { pose: { yaw: -41, pitch: 0, roll: 35 }, eyes: { left: 0.1, right: 0.3 } },
    });
    expect(problems.map((p) => p.reason)).toEqual([
      'several-faces',
      'face-too-small',
      'blurred',
      'head-turned',
      'head-turned',
      'eyes-closed',
    ]);
    expect(problems[1]).toMatchObject({ value: 20, limit: DEFAULT_QUALITY_RULES.minEyeDistance });
    expect(problems[3].message).toBe('the head is turned 41° sideways (at most 30°): face the camera');
    expect(problems[4].message).toMatch(/tilted/);
  });

  it('one eye called closed is not enough to refuse; both are', () => {
    const one = { ...frontal, eyes: { left: 0.02, right: 0.9 } };
    expect(checkEnrollmentQuality({ faceCount: 1, face, attributes: one })).toEqual([]);
    const both = { ...frontal, eyes: { left: 0.02, right: 0.4 } };
    expect(checkEnrollmentQuality({ faceCount: 1, face, attributes: both }).map((p) => p.reason)).toEqual([
      'eyes-closed',
    ]);
  });

  it('refuses a photo whose embedding is within the limit of one already taken, and no face at all', () => {
    const taken = [unit(1, 0, 0), unit(0, 1, 0)];
    const near = unit(1, 0.2, 0); // 0.20 from the first
    const far = unit(1, 1, 1); // 0.92 from both
    expect(checkEnrollmentQuality({ faceCount: 1, embedding: near, previous: taken })).toMatchObject([
      { reason: 'near-duplicate', limit: DEFAULT_QUALITY_RULES.minDistanceToPrevious },
    ]);
    expect(checkEnrollmentQuality({ faceCount: 1, embedding: far, previous: taken })).toEqual([]);
    expect(checkEnrollmentQuality({ faceCount: 0 })).toMatchObject([{ reason: 'no-face' }]);
  });

  it('takes single limits over the defaults, and refuses limits that are not numbers', () => {
    expect(checkEnrollmentQuality({ faceCount: 1, sharpness: 25 }, { minSharpness: 10 })).toEqual([]);
    expect(() => checkEnrollmentQuality({ faceCount: 1 }, { maxYaw: Number.NaN })).toThrow(/maxYaw/);
    expect(() => checkEnrollmentQuality({ faceCount: 1, embedding: unit(1, 0), previous: [unit(1, 0, 0)] })).toThrow(
      /cannot be compared/,
    );
  });
});

describe('faceSharpness', () => {
  const photo = join(__dirname, '..', '..', '..', 'examples', 'data', 'gallery', 'Tom_Hanks', 'Tom_Hanks_0005.jpg');
  const decode = async (blur?: number): Promise<RgbImage> => {
    const img = sharp(photo);
    const { data, info } = await (blur ? img.blur(blur) : img)
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data), width: info.width, height: info.height };
  };
  it('drops as the photo is blurred, below the default limit at σ = 3 px', async () => {
    const box = { box: [80, 70, 95, 125] as [number, number, number, number] };
    const [s0, s1, s3] = [
      faceSharpness(await decode(), box),
      faceSharpness(await decode(1), box),
      faceSharpness(await decode(3), box),
    ];
    expect(s0).toBeGreaterThan(DEFAULT_QUALITY_RULES.minSharpness);
    expect(s1).toBeLessThan(s0);
    expect(s3).toBeLessThan(s1);
    expect(s3).toBeLessThan(DEFAULT_QUALITY_RULES.minSharpness);
  });
  it('refuses a box outside the image', async () => {
    expect(() => faceSharpness(decode as never, { box: [0, 0, 1, 1] })).toThrow();
    await expect(decode().then((img) => faceSharpness(img, { box: [400, 400, 10, 10] }))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
