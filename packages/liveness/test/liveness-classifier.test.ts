// The real liveness model on real frames: NUAA dev-set frames (read from ../shared/data/liveness-nuaa-dev, never
// copied) of live people and of their printed photos held up to the camera, and the committed LFW sample photos.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Box, RgbImage } from '@eolgul/core';
import { createFaceDetector, type FaceDetector } from '@eolgul/detector';
import {
  createLivenessClassifier,
  defaultLivenessModelSpec,
  LIVENESS_THRESHOLD,
  livenessCropRect,
  type LivenessClassifier,
} from '../src/index.js';

const NUAA = join(__dirname, '..', '..', '..', '..', 'shared', 'data', 'liveness-nuaa-dev');

async function decode(path: string): Promise<RgbImage> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

/** One live and one attack frame of each NUAA subject (the first listed in labels.csv). */
function sampleFrames(): { file: string; label: string; subject: string }[] {
  const rows = readFileSync(join(NUAA, 'labels.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => {
      const [file, label, subject] = l.split(',');
      return { file, label, subject };
    });
  const seen = new Set<string>();
  return rows.filter((r) => {
    const k = `${r.subject}/${r.label}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

let liveness: LivenessClassifier;
let detector: FaceDetector;
beforeAll(async () => {
  liveness = await createLivenessClassifier();
  detector = await createFaceDetector();
});
afterAll(async () => {
  await liveness?.dispose();
  await detector?.dispose();
});

async function largestFace(image: RgbImage) {
  const faces = await detector.detect(image);
  expect(faces.length).toBeGreaterThan(0);
  return faces.reduce((a, b) => (b.box[2] * b.box[3] > a.box[2] * a.box[3] ? b : a));
}

describe('createLivenessClassifier on NUAA frames', () => {
  it('tells each subject apart from their printed photo (one live and one attack frame of each of the 7 subjects)', async () => {
    const frames = sampleFrames();
    expect(frames).toHaveLength(14);
    for (const f of frames) {
      const image = await decode(join(NUAA, f.file));
      const r = await liveness.classify(image, await largestFace(image));
      expect(r.model).toBe('faceplugin-liveness');
      expect(r.live, `${f.file} score ${r.score}`).toBe(f.label === 'live');
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(1);
    }
  });

  it('fed RGB instead of BGR the same model separates the frames worse (the channel order is what the model needs)', async () => {
    const rgb = await createLivenessClassifier({ model: { ...defaultLivenessModelSpec(), channelOrder: 'rgb' } });
    try {
      let bgrMargin = 0;
      let rgbMargin = 0;
      for (const f of sampleFrames()) {
        const image = await decode(join(NUAA, f.file));
        const face = await largestFace(image);
        const sign = f.label === 'live' ? 1 : -1;
        bgrMargin += sign * (await liveness.classify(image, face)).score;
        rgbMargin += sign * (await rgb.classify(image, face)).score;
      }
      expect(bgrMargin).toBeGreaterThan(rgbMargin + 1);
    } finally {
      await rgb.dispose();
    }
  });
});

describe('createLivenessClassifier on the sample photos', () => {
  it('takes a box or a detection, and a face photo on its own is scored, never NaN', async () => {
    const image = await decode(join(__dirname, '..', '..', '..', 'examples', 'data', 'probes', 'Tom_Hanks_0008.jpg'));
    const face = await largestFace(image);
    const a = await liveness.classify(image, face);
    const b = await liveness.classify(image, face.box);
    expect(a).toEqual(b);
    expect(Number.isFinite(a.score)).toBe(true);
    expect(a.live).toBe(a.score >= LIVENESS_THRESHOLD);
  });
});

describe('bad input', () => {
  const image: RgbImage = { data: new Uint8Array(32 * 32 * 3), width: 32, height: 32 };
  it.each([
    ['a NaN box', [Number.NaN, 0, 10, 10]],
    ['a zero-size box', [0, 0, 0, 10]],
    ['a box outside the image', [100, 100, 10, 10]],
    ['not a box', { x: 1 }],
  ])('%s is refused with INVALID_ARGUMENT', async (_, box) => {
    await expect(liveness.classify(image, box as unknown as Box)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
  it('a short pixel buffer is refused with INVALID_ARGUMENT', async () => {
    await expect(
      liveness.classify({ data: new Uint8Array(10), width: 32, height: 32 }, [0, 0, 10, 10]),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
  it('a threshold outside [0, 1] and a model file that is not a model are refused at creation', async () => {
    await expect(createLivenessClassifier({ threshold: 2 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(
      createLivenessClassifier({ model: { ...defaultLivenessModelSpec(), source: new Uint8Array([1, 2, 3]) } }),
    ).rejects.toMatchObject({ code: 'MODEL_LOAD' });
  });
  it('a disposed classifier refuses calls', async () => {
    const l = await createLivenessClassifier();
    await l.dispose();
    await expect(l.classify(image, [0, 0, 10, 10])).rejects.toMatchObject({ code: 'MODEL_DISPOSED' });
  });
});

describe('livenessCropRect', () => {
  it('scales the box about its centre, lowers the scale to fit and shifts the crop inside the image', () => {
    // 100×80 box in the middle of a 640×480 frame: 270×216, centred.
    expect(livenessCropRect([270, 200, 100, 80], { width: 640, height: 480 }, 2.7)).toEqual([185, 132, 270, 216]);
    // Near the left edge: shifted right to x = 0.
    expect(livenessCropRect([0, 200, 100, 80], { width: 640, height: 480 }, 2.7)[0]).toBe(0);
    // A box of 300×300 in a 640×480 frame: the scale drops to 479/300 so the crop fits.
    const [, , w, h] = livenessCropRect([100, 100, 300, 300], { width: 640, height: 480 }, 2.7);
    expect(h).toBeCloseTo(479);
    expect(w).toBeCloseTo(479);
  });
});
