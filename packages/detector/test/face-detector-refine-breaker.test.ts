/**
 * Hostile input for `Mtcnn.refine` and for the MTCNN model files (the default 5 points since `refine: 'onet'`).
 * Images: a committed LFW face from examples/data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { InvalidArgumentError, ModelLoadError, type Box, type RgbImage } from '@eolgul/core';
import { createFaceDetector, readImage } from '@eolgul/detector';
import { modelPath } from '@eolgul/models';
import { createMtcnn, type Mtcnn, type MtcnnFace } from '../src/face-detector-mtcnn.js';

const FACE = join(
  __dirname,
  '..',
  '..',
  '..',
  'examples',
  'data',
  'gallery',
  'Serena_Williams',
  'Serena_Williams_0001.jpg',
);
const finite = (f: MtcnnFace | undefined) =>
  f === undefined || [...f.box, f.score, ...f.landmarks.flatMap((p) => [p.x, p.y])].every(Number.isFinite);

let face: RgbImage;
let mtcnn: Mtcnn;
beforeAll(async () => {
  face = await readImage(FACE);
  mtcnn = await createMtcnn();
});
afterAll(async () => mtcnn?.dispose());

describe('Mtcnn.refine on boxes far larger than the image', () => {
  it('a finite 1e9 px box costs about what an image-sized one does (the crop used to walk every pixel index of the box: 8.5 s)', async () => {
    const t0 = performance.now();
    const [r] = await mtcnn.refine(face, [[0, 0, 1e9, 1e9]]);
    const ms = performance.now() - t0;
    expect(finite(r)).toBe(true);
    expect(ms).toBeLessThan(1000);
  });

  it('boxes near the float limits, centred far off or around the image: answered at once, undefined or finite', async () => {
    const boxes: Box[] = [
      [0, 0, 1e308, 1e308],
      [-1e308, -1e308, 1e308, 1e308],
      [1e308, 0, 1e308, 10],
      [-1e12, -1e12, 2e12, 2e12],
      [0, 0, 1e15, 1e15],
    ];
    const t0 = performance.now();
    const out = await mtcnn.refine(face, boxes);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(out).toHaveLength(boxes.length);
    expect(out.every(finite)).toBe(true);
    // The face itself still refines the same way next to them.
    const [real] = await mtcnn.detect(face);
    const alone = await mtcnn.refine(face, [real.box]);
    expect((await mtcnn.refine(face, [...boxes, real.box]))[boxes.length]).toEqual(alone[0]);
  });
});

describe('MTCNN model files given for the wrong net', () => {
  it('PNet given as RNet (same input and output names) is refused at load, not run as a silent wrong answer', async () => {
    const err = await createMtcnn({ models: { rnet: modelPath('mtcnn-pnet') } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as Error).message).toContain('not an MTCNN RNET');
    await expect(createFaceDetector({ mtcnnModels: { rnet: modelPath('mtcnn-pnet') } })).rejects.toBeInstanceOf(
      ModelLoadError,
    );
  });

  it('RNet given as PNet is refused at load (it used to fail on the first image with an untyped ONNX Runtime shape error)', async () => {
    const err = await createMtcnn({ models: { pnet: modelPath('mtcnn-rnet') } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as Error).message).toContain('not an MTCNN PNET');
  });
});

describe('Mtcnn.refine error messages', () => {
  it('names a typed-array box (it printed as "got 73.9,61.7,96.8,129.6", like a valid box) and brackets a bad array', async () => {
    await expect(mtcnn.refine(face, [new Float32Array([73.9, 61.7, 96.8, 129.6]) as unknown as Box])).rejects.toThrow(
      'got a Float32Array (',
    );
    await expect(mtcnn.refine(face, [[10, 10, 0, 20]])).rejects.toThrow('got [10, 10, 0, 20]');
    await expect(mtcnn.refine(face, [['1', 2, 3, 4] as unknown as Box])).rejects.toThrow('got ["1", 2, 3, 4]');
  });
});

describe('Mtcnn.refine options', () => {
  it('minScore null is a typed error as in detect (it ran with the default 0.7), undefined takes the default', async () => {
    const [real] = await mtcnn.detect(face);
    await expect(mtcnn.refine(face, [real.box], { minScore: null as unknown as number })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(mtcnn.detect(face, { minScore: null as unknown as number })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(await mtcnn.refine(face, [real.box], { minScore: undefined })).toEqual(await mtcnn.refine(face, [real.box]));
    expect(await mtcnn.refine(face, [real.box], { minScore: 1 })).toEqual([undefined]);
  });
});
