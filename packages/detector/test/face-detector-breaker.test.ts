/**
 * Hostile input for the alignment sources beside the 68-point model: `detector: 'mtcnn'`, `refine: 'onet'` and `refine: 'mesh'`. Every image is a committed
 * LFW face from examples/data, or made from one (sharp) or from constants at test time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import sharp from 'sharp';
import { existsSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { InvalidArgumentError, type FaceDetection, type RgbImage } from '@eolgul/core';
import { createFaceDetector, readImage, type FaceDetector } from '@eolgul/detector';
import { getTf } from '@eolgul/runtime';
import { createMtcnn, type Mtcnn } from '../src/face-detector-mtcnn.js';

const DATA = join(__dirname, '..', '..', '..', 'examples', 'data');
const FACE = join(DATA, 'gallery', 'Serena_Williams', 'Serena_Williams_0001.jpg');
const solid = (w: number, h: number, v: number): RgbImage => ({
  width: w,
  height: h,
  data: new Uint8Array(w * h * 3).fill(v),
});
const finite = (faces: FaceDetection[]) =>
  faces.every((f) =>
    [...f.box, f.score, ...f.landmarks.flatMap((p) => [p.x, p.y]), ...(f.mesh ?? []).flatMap((p) => [p.x, p.y])].every(
      Number.isFinite,
    ),
  );

let face: RgbImage;
let mtcnn: Mtcnn;
let detector: FaceDetector;
beforeAll(async () => {
  face = await readImage(FACE);
  mtcnn = await createMtcnn();
  detector = await createFaceDetector({ detector: 'mtcnn' });
});
afterAll(async () => {
  await mtcnn?.dispose();
  await detector?.dispose();
});

describe('MTCNN and FaceMesh on degenerate images', () => {
  it('tiny, thin and flat images give no face (no throw, no NaN), with and without refine: mesh', async () => {
    for (const [w, h] of [
      [1, 1],
      [5, 5],
      [12, 12],
      [13, 13],
      [20, 20],
      [2000, 20],
      [20, 2000],
      [33, 34],
    ]) {
      for (const v of [0, 128, 255]) {
        for (const refine of ['none', 'mesh'] as const) {
          const faces = await detector.detect(solid(w, h, v), { refine });
          expect(faces, `${w}x${h} value ${v} ${refine}`).toEqual([]);
        }
      }
    }
  });

  it('a 4×4 grid of 16 LFW images: one face per tile, all finite, eyes and mouth corners in image-left-first order', async () => {
    const files: string[] = [];
    for (const p of readdirSync(join(DATA, 'gallery')).sort())
      for (const f of readdirSync(join(DATA, 'gallery', p)).sort()) files.push(join(DATA, 'gallery', p, f));
    const tiles = files.slice(0, 16).map((input, i) => ({ input, left: (i % 4) * 250, top: Math.floor(i / 4) * 250 }));
    expect(tiles).toHaveLength(16);
    const grid = await readImage(
      await sharp({ create: { width: 1000, height: 1000, channels: 3, background: '#000' } })
        .composite(tiles)
        .png()
        .toBuffer(),
    );
    const faces = await detector.detect(grid, { refine: 'mesh' });
    expect(finite(faces)).toBe(true);
    const cells = new Set(
      faces.map((f) => `${Math.floor((f.box[0] + f.box[2] / 2) / 250)},${Math.floor((f.box[1] + f.box[3] / 2) / 250)}`),
    );
    expect(cells.size).toBeGreaterThanOrEqual(15);
    for (const f of faces.filter((x) => x.score > 0.99)) {
      expect(f.landmarks[0].x).toBeLessThan(f.landmarks[1].x);
      expect(f.landmarks[3].x).toBeLessThan(f.landmarks[4].x);
    }
  });
});

describe('options', () => {
  it('an option given as undefined takes its default (it used to throw "minScore must be in [0, 1], got undefined")', async () => {
    const plain = await detector.detect(face);
    expect(plain).toHaveLength(1);
    expect(await detector.detect(face, { minScore: undefined, maxFaces: undefined, refine: undefined })).toEqual(plain);
    expect(await mtcnn.detect(face, { minScore: undefined, maxFaces: undefined })).toHaveLength(1);
  });

  it('minScore null or a string is a typed error, not a silent default (null used to run with 0.7 on MTCNN, 0 on fr_detect)', async () => {
    for (const minScore of [null, '0.5', NaN, -1, 1.01]) {
      await expect(detector.detect(face, { minScore: minScore as number })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      await expect(mtcnn.detect(face, { minScore: minScore as number })).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    await expect(mtcnn.detect(face, { minScore: '0.5' as unknown as number })).rejects.toThrow('got "0.5"');
    for (const maxFaces of [0, 1.5, -1, NaN])
      await expect(detector.detect(face, { maxFaces })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await detector.detect(face, { minScore: 0 })).not.toHaveLength(0);
    expect(await detector.detect(face, { minScore: 1 })).toEqual([]);
  });
});

describe('memory', () => {
  it('MTCNN on a 4000×3000 photo keeps peak RSS bounded (separate process, built package)', () => {
    const dist = join(__dirname, '..', 'dist', 'index-node.js');
    expect(existsSync(dist), 'run `pnpm build` first: this test measures the built package in a fresh process').toBe(
      true,
    );
    // PNet's first pyramid level is 2400×1800 (scale 0.6): its activations are a few hundred MB; ONNX Runtime runs PNet
    // without its memory arena, and RNet/ONet take their candidates 128 at a time.
    const script = `import sharp from 'sharp';
      import { readImage, createMtcnn } from ${JSON.stringify(dist)};
      const img = await readImage(await sharp(${JSON.stringify(FACE)}).resize(4000, 3000, { fit: 'fill' }).png().toBuffer());
      const m = await createMtcnn();
      const faces = await m.detect(img);
      console.log(JSON.stringify({ faces: faces.length, rss: process.resourceUsage().maxRSS / 1024 }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      cwd: join(__dirname, '..'),
    });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { faces: number; rss: number };
    console.log(`MTCNN 4000x3000: peak RSS ${r.rss.toFixed(0)} MiB`);
    expect(r.faces).toBe(1);
    expect(r.rss).toBeLessThan(PEAK_RSS_MIB);
  });

  it('tensor count is flat after a good image, a malformed one and a racing dispose', async () => {
    const tf = await getTf();
    const d = await createFaceDetector({ detector: 'mtcnn' });
    await d.detect(face, { refine: 'mesh' });
    const before = tf.memory().numTensors;
    await d.detect(face, { refine: 'mesh' });
    await expect(d.detect({ width: 10, height: 10, data: new Uint8Array(5) })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(d.detect(face, { refine: 'mesh', maxFaces: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(tf.memory().numTensors).toBe(before);
    const running = Promise.all(Array.from({ length: 10 }, () => d.detect(face, { refine: 'mesh', withMesh: true })));
    const disposed = d.dispose();
    // used to reject with "TypeError: Cannot read properties of undefined (reading 'backend')"
    const results = await running;
    await disposed;
    for (const r of results) {
      expect(r).toHaveLength(1);
      expect(r[0].mesh).toHaveLength(468);
      expect(finite(r)).toBe(true);
    }
    await expect(d.detect(face)).rejects.toBeInstanceOf(InvalidArgumentError);
    await d.dispose();
  });

  it('createMtcnn: dispose waits for running detect and refine calls, then refuses new ones', async () => {
    const m = await createMtcnn();
    const [box] = (await m.detect(face)).map((f) => f.box);
    const running = Promise.all([...Array.from({ length: 5 }, () => m.detect(face)), m.refine(face, [box])]);
    await m.dispose();
    expect((await running).map((r) => r.length)).toEqual([1, 1, 1, 1, 1, 1]);
    await expect(m.detect(face)).rejects.toThrow('disposed');
    await expect(m.refine(face, [box])).rejects.toThrow('disposed');
  });
});
/** Measured 675 MiB with ONNX Runtime (no arena for PNet); the tfjs cascade before its memory fix peaked at 3.49 GB. */
const PEAK_RSS_MIB = 1024;
