// The browser example's plain logic, in Node: the NPY + CSV pair (read back by the CLI's reader), the sign-up frame
// rules, the IoU tracker, the "Is this you?" schedule and the RGBA → RGB conversion. Hand-made inputs, checkable by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CsvFormatError,
  EmbeddingDimensionError,
  InvalidArgumentError,
  InvalidEmbeddingError,
  NpyFormatError,
  encodeNpy,
  l2Normalize,
} from '@eolgul/core';
import { Gallery } from '@eolgul/gallery';
import { readGalleryPair } from '@eolgul/gallery/node';
import { captureImageId, decodePair, encodePair, nextCaptureNumber, type PairRow } from '../src/browser-pair.js';
import { SignupCapture, signupRefusal } from '../src/browser-signup.js';
import { ConfirmSchedule, FaceTracker, FpsMeter, boxIou } from '../src/browser-tracking.js';
import { rgbFromImageData } from '../src/browser-image.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'eolgul-browser-logic-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const unit = (...v: number[]) => l2Normalize(v);
const rows: PairRow[] = [
  { imageId: captureImageId('Ada Lovelace', 1), identity: 'Ada Lovelace', embedding: unit(1, 0, 0) },
  { imageId: captureImageId('Ada Lovelace', 2), identity: 'Ada Lovelace', embedding: unit(1, 1, 0) },
  { imageId: captureImageId('김연아', 1), identity: '김연아', embedding: unit(0, 0, 1) },
];

describe('NPY + CSV pair', () => {
  it('names captures <identity>_<k>.jpg and numbers on from the largest k', () => {
    expect(captureImageId('Ada Lovelace', 3)).toBe('Ada Lovelace_0003.jpg');
    expect(nextCaptureNumber('Ada', ['Ada_0001.jpg', 'Ada_0007.jpg', 'Bob_0009.jpg'])).toBe(8);
    expect(nextCaptureNumber('Ada', [])).toBe(1);
    // "Ada_Smith_0002.jpg" belongs to "Ada_Smith", not "Ada".
    expect(nextCaptureNumber('Ada', ['Ada_Smith_0002.jpg'])).toBe(1);
  });

  it('encodes [N, D] float32 + image,category and decodes the same rows', () => {
    const { npy, csv } = encodePair(rows, 3);
    expect(csv).toBe('image,category\nAda Lovelace_0001.jpg,0\nAda Lovelace_0002.jpg,0\n김연아_0001.jpg,1\n');
    expect(Array.from(npy.subarray(0, 6))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
    const back = decodePair(npy, csv, 3);
    expect(back.map((r) => [r.imageId, r.identity])).toEqual(rows.map((r) => [r.imageId, r.identity]));
    back.forEach((r, i) => {
      expect(Array.from(r.embedding)).toEqual(Array.from(rows[i].embedding));
    });
  });

  it('writes files that the CLI reader (readGalleryPair) and Gallery.importPair take', async () => {
    const { npy, csv } = encodePair(rows, 3);
    const npyPath = join(tmp, 'g.npy');
    const csvPath = join(tmp, 'g.csv');
    writeFileSync(npyPath, npy);
    writeFileSync(csvPath, csv);
    const pair = await readGalleryPair(npyPath, csvPath);
    expect(pair.identities).toEqual(['Ada Lovelace', 'Ada Lovelace', '김연아']);
    expect(pair.dimension).toBe(3);
    const g = await Gallery.importPair(join(tmp, 'gallery'), npyPath, csvPath, {
      create: true,
      modelId: 'test-3d',
      defaultThreshold: 1.1,
    });
    try {
      const [m] = g.identify(unit(0.9, 0.1, 0), { threshold: 0.5 });
      expect(m).toMatchObject({ identity: 'Ada Lovelace', accepted: true, imageId: 'Ada Lovelace_0001.jpg' });
    } finally {
      await g.close();
    }
  });

  it('reads a pandas pair with a leading index column', () => {
    const { npy } = encodePair(rows, 3);
    const csv = ',image,category\n0,Ada Lovelace_0001.jpg,0\n1,Ada Lovelace_0002.jpg,0\n2,김연아_0001.jpg,1\n';
    expect(decodePair(npy, csv, 3).map((r) => r.identity)).toEqual(['Ada Lovelace', 'Ada Lovelace', '김연아']);
  });

  it('refuses bad pairs with typed errors', () => {
    const { npy, csv } = encodePair(rows, 3);
    expect(() => decodePair(new Uint8Array([1, 2, 3]), csv, 3)).toThrow(NpyFormatError);
    expect(() => decodePair(npy, csv, 4)).toThrow(EmbeddingDimensionError);
    expect(() => decodePair(npy, 'image,category\nAda Lovelace_0001.jpg,0\n', 3)).toThrow(CsvFormatError);
    expect(() => decodePair(npy, 'name,label\na,0\nb,0\nc,1\n', 3)).toThrow(CsvFormatError);
    expect(() => decodePair(npy, 'image,category\nnoindex.jpg,0\nb_1.jpg,0\nc_1.jpg,1\n', 3)).toThrow(CsvFormatError);
    expect(() => decodePair(encodeNpy(new Float32Array(3), [1, 3]), 'image,category\na_1.jpg,0\n', 3)).toThrow(
      InvalidEmbeddingError,
    );
    expect(() =>
      decodePair(encodeNpy(new Float32Array([NaN, 0, 1]), [1, 3]), 'image,category\na_1.jpg,0\n', 3),
    ).toThrow(InvalidEmbeddingError);
    expect(() => decodePair(encodeNpy(new Float32Array(6), [6]), csv, 3)).toThrow(NpyFormatError);
    expect(() => encodePair([{ ...rows[0], embedding: unit(1, 0) }], 3)).toThrow(EmbeddingDimensionError);
    expect(() => encodePair([{ ...rows[0], identity: 'Bob' }], 3)).toThrow(CsvFormatError);
  });

  it('encodes an empty gallery as a [0, D] array and a header', () => {
    const { npy, csv } = encodePair([], 512);
    expect(csv).toBe('image,category\n');
    expect(decodePair(npy, csv, 512)).toEqual([]);
  });
});

describe('sign-up capture', () => {
  const face = (side: number) => [100, 100, side, side];

  it('takes 10 one-face frames at least minIntervalMs apart and skips the others with a reason', () => {
    const s = new SignupCapture('  Ada  ', false, { minIntervalMs: 300 });
    expect(s.name).toBe('Ada');
    expect(s.offer([], 0)).toMatchObject({
      action: 'skip',
      reason: 'no-face',
      message: 'skipped: no face in the frame',
    });
    expect(s.offer([face(120), face(110)], 10)).toMatchObject({
      action: 'skip',
      reason: 'several-faces',
      message: expect.stringContaining('2 faces in the frame'),
    });
    expect(s.offer([face(20)], 20)).toMatchObject({ action: 'skip', reason: 'face-too-small' });
    let t = 100;
    while (!s.done) {
      const d = s.offer([face(150)], t);
      if (d.action === 'capture') s.commit(t);
      else expect(d.action).toBe('wait');
      t += 100;
    }
    expect(s.captured).toBe(10);
    expect(s.remaining).toBe(0);
    // 10 captures, 300 ms apart: the last at 100 + 9 × 300.
    expect(t - 100).toBe(9 * 300 + 100);
    expect(s.skipped).toEqual({ 'no-face': 1, 'several-faces': 1, 'face-too-small': 1 });
  });

  it('refuses an empty name and bad targets', () => {
    expect(() => new SignupCapture('   ', false)).toThrow(InvalidArgumentError);
    expect(() => new SignupCapture('Ada', false, { target: 0 })).toThrow(InvalidArgumentError);
  });

  it('refuses an existing name unless "add photos to my profile" is ticked', () => {
    expect(signupRefusal('Ada', ['Ada', 'Bob'], false)).toMatch(/already signed up/);
    expect(signupRefusal(' Ada ', ['Ada'], false)).toMatch(/already signed up/);
    expect(signupRefusal('Ada', ['Ada'], true)).toBeNull();
    expect(signupRefusal('Cleo', ['Ada'], false)).toBeNull();
    expect(signupRefusal('', [], false)).toMatch(/name/);
  });
});

describe('tracking and the "Is this you?" schedule', () => {
  it('computes IoU of [x, y, w, h] boxes', () => {
    expect(boxIou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(boxIou([0, 0, 10, 10], [5, 0, 10, 10])).toBeCloseTo(50 / 150, 10);
    expect(boxIou([0, 0, 10, 10], [20, 20, 5, 5])).toBe(0);
  });

  it('keeps a track across frames, splits crossing faces by overlap, drops stale tracks', () => {
    const tr = new FaceTracker(() => ({ n: 0 }), 0.3, 500);
    const [a] = tr.update([[100, 100, 100, 100]], 0);
    const [a2, b] = tr.update(
      [
        [105, 100, 100, 100],
        [400, 100, 100, 100],
      ],
      40,
    );
    expect(a2.id).toBe(a.id);
    expect(b.id).not.toBe(a.id);
    const [b2, a3] = tr.update(
      [
        [402, 100, 100, 100],
        [110, 100, 100, 100],
      ],
      80,
    );
    expect([b2.id, a3.id]).toEqual([b.id, a.id]);
    const [fresh] = tr.update([[110, 100, 100, 100]], 1000);
    expect(fresh.id).not.toBe(a.id);
  });

  it('asks about the best accepted match at most every intervalMs, and never again after Yes or No', () => {
    const s = new ConfirmSchedule(3000, 0, 1500);
    expect(s.update({ identity: 'Ada' }, 1000)).toEqual({ kind: 'none' });
    expect(s.update(null, 1600)).toEqual({ kind: 'none' });
    expect(s.update({ identity: 'Ada' }, 1600)).toEqual({ kind: 'ask', identity: 'Ada' });
    expect(s.asking).toBe('Ada');
    expect(s.update({ identity: 'Bob' }, 1700)).toEqual({ kind: 'none' });
    expect(s.answer(false, 2000)).toBe('Ada');
    expect(s.update({ identity: 'Ada' }, 9000)).toEqual({ kind: 'none' });
    expect(s.update({ identity: 'Bob' }, 4000)).toEqual({ kind: 'none' });
    expect(s.update({ identity: 'Bob' }, 5000)).toEqual({ kind: 'ask', identity: 'Bob' });
    expect(s.answer(true, 5100)).toBe('Bob');
    expect(s.confirmedIdentities).toEqual(['Bob']);
    expect(s.update({ identity: 'Bob' }, 20000)).toEqual({ kind: 'none' });
    expect(s.answer(true, 20000)).toBeNull();
  });

  it('measures frames per second over its window', () => {
    const m = new FpsMeter(1000);
    expect(m.fps).toBe(0);
    for (let t = 0; t <= 2000; t += 50) m.tick(t);
    expect(m.fps).toBeCloseTo(20, 6);
  });
});

describe('rgbFromImageData', () => {
  it('drops alpha, keeping R, G, B in order', () => {
    const rgba = new Uint8ClampedArray([1, 2, 3, 255, 4, 5, 6, 0]);
    const img = rgbFromImageData({ data: rgba, width: 2, height: 1 });
    expect(Array.from(img.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect([img.width, img.height]).toEqual([2, 1]);
  });

  it('handles unaligned views and refuses wrong sizes', () => {
    const buf = new Uint8Array(9);
    buf.set([9, 8, 7, 6, 5, 4, 3, 2], 1);
    expect(Array.from(rgbFromImageData({ data: buf.subarray(1), width: 2, height: 1 }).data)).toEqual([
      9, 8, 7, 5, 4, 3,
    ]);
    expect(() => rgbFromImageData({ data: new Uint8ClampedArray(7), width: 2, height: 1 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => rgbFromImageData({ data: new Uint8ClampedArray(8), width: 2, height: 1 }, new Uint8Array(5))).toThrow(
      InvalidArgumentError,
    );
  });
});
