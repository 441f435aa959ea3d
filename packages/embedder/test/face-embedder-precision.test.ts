/**
 * `precision: 'int8'` against the FP32 embedder on the demo set (examples/data: 4 people enrolled from 4 photos each,
 * 10 probes of whom 2 are of a person not enrolled): the same identity decisions, in either precision and across them.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, euclideanDistance, l2Normalize } from '@eolgul/core';
import { alignFace, createFaceDetector, readImage, type FaceDetector } from '@eolgul/detector';
import { DEFAULT_THRESHOLD, createFaceEmbedder, type FaceEmbedder } from '@eolgul/embedder';
import type { RgbImage } from '@eolgul/core';

const data = join(__dirname, '..', '..', '..', 'examples', 'data');
let detector: FaceDetector;
let fp32: FaceEmbedder;
let int8: FaceEmbedder;
/** Aligned main-face crops: gallery[name] = crops of that person's photos; probes = [file, crop]. */
const gallery: Record<string, RgbImage[]> = {};
const probes: [string, RgbImage][] = [];

async function crop(file: string): Promise<RgbImage> {
  const image = await readImage(file);
  const [face] = await detector.detect(image);
  return alignFace(image, face.landmarks, 112);
}

beforeAll(async () => {
  detector = await createFaceDetector();
  fp32 = await createFaceEmbedder();
  int8 = await createFaceEmbedder({ precision: 'int8' });
  for (const name of readdirSync(join(data, 'gallery')).sort())
    gallery[name] = await Promise.all(
      readdirSync(join(data, 'gallery', name))
        .sort()
        .map((f) => crop(join(data, 'gallery', name, f))),
    );
  for (const f of readdirSync(join(data, 'probes')).sort()) probes.push([f, await crop(join(data, 'probes', f))]);
});
afterAll(async () => {
  await detector?.dispose();
  await fp32?.dispose();
  await int8?.dispose();
});

/** Mean template per person (as the gallery keeps them), from `enrol`'s embeddings. */
async function templates(enrol: FaceEmbedder): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const [name, crops] of Object.entries(gallery)) {
    const sum = new Float32Array(512);
    for (const e of await enrol.embedBatch(crops)) for (let i = 0; i < 512; i++) sum[i] += e[i];
    out[name] = l2Normalize(sum);
  }
  return out;
}

/** Each probe's answer: the nearest person if within DEFAULT_THRESHOLD, else 'unknown'. */
async function decisions(enrol: FaceEmbedder, probe: FaceEmbedder): Promise<string[]> {
  const t = await templates(enrol);
  const out: string[] = [];
  for (const [, c] of probes) {
    const e = await probe.embed(c);
    const [name, d] = Object.entries(t)
      .map(([n, v]) => [n, euclideanDistance(e, v)] as const)
      .sort((a, b) => a[1] - b[1])[0];
    out.push(d <= DEFAULT_THRESHOLD ? name : 'unknown');
  }
  return out;
}

describe("createFaceEmbedder({ precision: 'int8' })", () => {
  it('loads the int8 embedder: same dimension, crop size and gallery id as FP32', () => {
    expect([int8.dimension, int8.inputSize, int8.modelId]).toEqual([fp32.dimension, fp32.inputSize, fp32.modelId]);
  });

  it('gives embeddings within cosine 0.98 of FP32 on every demo face', async () => {
    const crops = [...Object.values(gallery).flat(), ...probes.map(([, c]) => c)];
    const a = await fp32.embedBatch(crops);
    const b = await int8.embedBatch(crops);
    const cos = a.map((v, k) => v.reduce((s, x, i) => s + x * b[k][i], 0));
    expect(Math.min(...cos)).toBeGreaterThan(0.98);
  });

  it('makes the right identity decisions on the demo set, the same as FP32, also across precisions', async () => {
    const expected = probes.map(([f]) => (f.startsWith('Meryl_Streep') ? 'unknown' : f.replace(/_\d{4}\.jpg$/, '')));
    expect(await decisions(fp32, fp32)).toEqual(expected);
    expect(await decisions(int8, int8)).toEqual(expected);
    expect(await decisions(fp32, int8)).toEqual(expected);
    expect(await decisions(int8, fp32)).toEqual(expected);
  });

  it('refuses an unknown precision, and int8 with a model of your own', async () => {
    // @ts-expect-error not a precision
    await expect(createFaceEmbedder({ precision: 'fp16' })).rejects.toThrow(InvalidArgumentError);
    await expect(createFaceEmbedder({ precision: 'int8', model: 'my-model.onnx' })).rejects.toThrow(
      /a model of your own runs at its own precision/,
    );
  });
});
