import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { alignFace, createFaceDetector, readImage, type FaceDetector } from '@eolgul/detector';
import { createFaceEmbedder, type FaceEmbedder } from '@eolgul/embedder';
import { InvalidArgumentError, euclideanDistance, l2Norm } from '@eolgul/core';

const gallery = join(__dirname, '..', '..', '..', 'examples', 'data', 'gallery');
let detector: FaceDetector;
let embedder: FaceEmbedder;
beforeAll(async () => {
  detector = await createFaceDetector();
  embedder = await createFaceEmbedder();
});
afterAll(async () => {
  await detector?.dispose();
  await embedder?.dispose();
});

async function embed(name: string, file: string) {
  const image = await readImage(join(gallery, name, file));
  const [face] = await detector.detect(image);
  return embedder.embed(alignFace(image, face.landmarks, embedder.inputSize));
}

describe('createFaceEmbedder (default model)', () => {
  it('gives 512-d unit vectors', async () => {
    expect(embedder.dimension).toBe(512);
    expect(embedder.inputSize).toBe(112);
    const v = await embed('Tom_Hanks', 'Tom_Hanks_0004.jpg');
    expect(v).toBeInstanceOf(Float32Array);
    expect(v.length).toBe(512);
    expect(l2Norm(v)).toBeCloseTo(1, 5);
    expect(v.every(Number.isFinite)).toBe(true);
  });

  it('puts the same person closer than different people, for every pair of 4 people × 2 photos', async () => {
    const people = ['Jackie_Chan', 'Roh_Moo-hyun', 'Serena_Williams', 'Tom_Hanks'];
    const files: Record<string, string[]> = {
      Jackie_Chan: ['Jackie_Chan_0002.jpg', 'Jackie_Chan_0003.jpg'],
      'Roh_Moo-hyun': ['Roh_Moo-hyun_0001.jpg', 'Roh_Moo-hyun_0002.jpg'],
      Serena_Williams: ['Serena_Williams_0001.jpg', 'Serena_Williams_0002.jpg'],
      Tom_Hanks: ['Tom_Hanks_0004.jpg', 'Tom_Hanks_0005.jpg'],
    };
    const emb: Record<string, Float32Array[]> = {};
    for (const p of people) emb[p] = [await embed(p, files[p][0]), await embed(p, files[p][1])];
    const same = people.map((p) => euclideanDistance(emb[p][0], emb[p][1]));
    const diff: number[] = [];
    for (let i = 0; i < people.length; i++)
      for (let j = i + 1; j < people.length; j++) {
        for (const a of emb[people[i]]) for (const b of emb[people[j]]) diff.push(euclideanDistance(a, b));
      }
    expect(Math.max(...same)).toBeLessThan(Math.min(...diff));
  });

  it('embedBatch equals embed one by one', async () => {
    const image = await readImage(join(gallery, 'Serena_Williams', 'Serena_Williams_0003.jpg'));
    const [face] = await detector.detect(image);
    const crop = alignFace(image, face.landmarks, 112);
    const flipped = { ...crop, data: crop.data.slice().reverse() };
    const [a, b] = await embedder.embedBatch([crop, flipped]);
    expect(euclideanDistance(a, await embedder.embed(crop))).toBeLessThan(1e-4);
    expect(euclideanDistance(b, await embedder.embed(flipped))).toBeLessThan(1e-4);
  });

  it('refuses a crop of the wrong size with a typed error', async () => {
    await expect(embedder.embed({ data: new Uint8Array(100 * 100 * 3), width: 100, height: 100 })).rejects.toThrow(
      InvalidArgumentError,
    );
  });
});
