// The browser example's plain logic, in Node: the NPY + CSV export and import (read back by the CLI's reader), the
// sign-up frame rules, the IoU tracker and the "Is this you?" schedule. Hand-made inputs, checkable by hand.
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
import { captureImageId, exportPair, importPair, nextCaptureNumber } from '../src/browser-pair.js';
import { SignupCapture, signupRefusal } from '../src/browser-signup.js';
import { ConfirmSchedule, FaceTracker, FpsMeter, boxIou } from '../src/browser-tracking.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'eolgul-browser-logic-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** An in-memory gallery of 3-d embeddings holding `rows`. */
async function gallery(rows: readonly Row[]): Promise<Gallery> {
  const g = Gallery.inMemory({ dimension: 3, modelId: 'test-3d', defaultThreshold: 1.1 });
  for (const r of rows) await g.enroll(r.identity, [r.embedding], [r.imageId]);
  return g;
}

const unit = (...v: number[]) => l2Normalize(v);
interface Row {
  imageId: string;
  identity: string;
  embedding: Float32Array;
}
const rows: Row[] = [
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

  it('exports two files that the CLI reader (readGalleryPair) takes, and imports them back', async () => {
    const g = await gallery(rows);
    const files = exportPair(g);
    expect(files.csv).toBe('image,category\nAda Lovelace_0001.jpg,0\nAda Lovelace_0002.jpg,0\n김연아_0001.jpg,1\n');
    expect(files.identitiesCsv).toBeUndefined();
    const npyPath = join(tmp, 'g.npy');
    const csvPath = join(tmp, 'g.csv');
    writeFileSync(npyPath, files.npy);
    writeFileSync(csvPath, files.csv);
    const pair = await readGalleryPair(npyPath, csvPath);
    expect(pair.identities).toEqual(['Ada Lovelace', 'Ada Lovelace', '김연아']);
    expect(pair.dimension).toBe(3);

    const back = await gallery([]);
    expect(await importPair(back, files)).toEqual({ added: 3, skipped: 0, identities: ['Ada Lovelace', '김연아'] });
    expect(await importPair(back, files)).toEqual({ added: 0, skipped: 3, identities: [] });
    const [m] = back.identify(unit(0.9, 0.1, 0), { threshold: 0.5 });
    expect(m).toMatchObject({ identity: 'Ada Lovelace', accepted: true, imageId: 'Ada Lovelace_0001.jpg' });
  });

  it('adds the identities file when an image id does not carry its identity', async () => {
    const files = exportPair(await gallery([{ ...rows[0], imageId: 'camera-1.jpg' }]));
    expect(files.identitiesCsv).toBe('category,name\n0,Ada Lovelace\n');
    const back = await gallery([]);
    await importPair(back, files);
    expect(back.identities()).toEqual(['Ada Lovelace']);
  });

  it('refuses bad pairs with typed errors and adds nothing', async () => {
    const g = await gallery([]);
    const { npy, csv } = exportPair(await gallery(rows));
    await expect(importPair(g, { npy: new Uint8Array([1, 2, 3]), csv })).rejects.toThrow(NpyFormatError);
    await expect(importPair(g, { npy, csv: 'image,category\nAda Lovelace_0001.jpg,0\n' })).rejects.toThrow(
      CsvFormatError,
    );
    const nan = encodeNpy(new Float32Array([Number.NaN, 0, 1]), [1, 3]);
    await expect(importPair(g, { npy: nan, csv: 'image,category\na_1.jpg,0\n' })).rejects.toThrow(
      InvalidEmbeddingError,
    );
    const wide = encodeNpy(new Float32Array([1, 0, 0, 0]), [1, 4]);
    await expect(importPair(g, { npy: wide, csv: 'image,category\na_1.jpg,0\n' })).rejects.toThrow(
      EmbeddingDimensionError,
    );
    expect(g.count()).toBe(0);
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
