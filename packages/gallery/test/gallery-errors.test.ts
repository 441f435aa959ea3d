import { mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import lockfile from 'proper-lockfile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EmbeddingDimensionError,
  GalleryCorruptError,
  GalleryLockedError,
  GalleryMismatchError,
  InvalidArgumentError,
  InvalidEmbeddingError,
  UnknownIdentityError,
} from '@eolgul/core';
import { Gallery } from '../src/index.js';
import { openGallery } from '../src/node.js';
import { rng, unitVector } from './gallery-test-data.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'eolgul-errors-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const GALLERY_FILES = [
  'commit.json',
  'embeddings.npy',
  'excluded-images.csv',
  'identities.csv',
  'index.csv',
  'manifest.json',
];

async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    out.push(path.relative(dir, path.join(e.parentPath, e.name)));
  }
  return out.sort();
}

async function made(name: string, D = 8, lockTimeoutMs?: number) {
  const dir = path.join(tmp, name);
  const g = await openGallery(dir, {
    create: true,
    dimension: D,
    modelId: 'facenet-x',
    preprocess: 'mtcnn-160',
    defaultThreshold: 1,
    lockTimeoutMs,
  });
  const r = rng(name.length);
  await g.enroll('Ada', [unitVector(D, r), unitVector(D, r)], ['ada_1.jpg', 'ada_2.jpg']);
  await g.enroll('Bo', [unitVector(D, r)], ['bo_1.jpg']);
  return { dir, g, r };
}

describe('opening: mismatch and corruption are typed errors', () => {
  it('GalleryMismatchError names the field: dimension, modelId, preprocess', async () => {
    const { dir, g } = await made('mismatch');
    await g.close();
    const cases: [object, string, unknown, unknown][] = [
      [{ dimension: 16 }, 'dimension', 8, 16],
      [{ modelId: 'arcface-512' }, 'modelId', 'facenet-x', 'arcface-512'],
      [{ preprocess: 'other' }, 'preprocess', 'mtcnn-160', 'other'],
    ];
    for (const [opts, field, stored, requested] of cases) {
      const err = await openGallery(dir, opts).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GalleryMismatchError);
      expect(err).toMatchObject({ code: 'GALLERY_MISMATCH', field, stored, requested });
      expect((err as Error).message).toContain(field);
    }
    // create: true on an existing gallery does not overwrite it, and still checks.
    await expect(
      openGallery(dir, { create: true, dimension: 16, modelId: 'facenet-x', defaultThreshold: 1 }),
    ).rejects.toBeInstanceOf(GalleryMismatchError);
    const ok = await openGallery(dir, { create: true, dimension: 8, modelId: 'facenet-x', defaultThreshold: 1 });
    expect(ok.size).toBe(3);
    await ok.close();
  });

  it('not a gallery, or created without D / model: typed errors', async () => {
    await expect(openGallery(path.join(tmp, 'nothing-here'))).rejects.toBeInstanceOf(GalleryCorruptError);
    await expect(openGallery(path.join(tmp, 'no-d'), { create: true, modelId: 'm' })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(openGallery(path.join(tmp, 'no-m'), { create: true, dimension: 4 })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(
      openGallery(path.join(tmp, 'bad-t'), { create: true, dimension: 4, modelId: 'm', defaultThreshold: -1 }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(() => Gallery.inMemory({ dimension: 0, defaultThreshold: 1 })).toThrow(InvalidArgumentError);
  });

  it('damaged files give GalleryCorruptError, never a crash or a silently smaller gallery', async () => {
    const { dir, g } = await made('corrupt');
    await g.close();
    const npy = path.join(dir, 'embeddings.npy');
    const size = (await stat(npy)).size;
    await truncate(npy, size - 4);
    await expect(openGallery(dir)).rejects.toMatchObject({ code: 'GALLERY_CORRUPT' });
    await truncate(npy, 40);
    await expect(openGallery(dir)).rejects.toBeInstanceOf(GalleryCorruptError);

    const { dir: dir2, g: g2 } = await made('corrupt2');
    await g2.close();
    await writeFile(path.join(dir2, 'commit.json'), '{ not json');
    await expect(openGallery(dir2)).rejects.toBeInstanceOf(GalleryCorruptError);

    const { dir: dir3, g: g3 } = await made('corrupt3');
    await g3.close();
    await writeFile(path.join(dir3, 'identities.csv'), 'category,name\n0,Ada\n');
    await expect(openGallery(dir3)).rejects.toBeInstanceOf(GalleryCorruptError);

    const { dir: dir4, g: g4 } = await made('corrupt4');
    await g4.close();
    await writeFile(
      path.join(dir4, 'manifest.json'),
      JSON.stringify({ formatVersion: 2, dimension: 8, modelId: 'm', defaultThreshold: 1 }),
    );
    await expect(openGallery(dir4)).rejects.toThrow(/formatVersion/);
  });

  it('a NaN row written into embeddings.npy behind our back is detected on open', async () => {
    const { dir, g } = await made('nan-on-disk');
    await g.close();
    const npy = path.join(dir, 'embeddings.npy');
    const buf = await readFile(npy);
    buf.writeFloatLE(NaN, 128 + 8 * 4 + 4); // row 1, value 1
    await writeFile(npy, buf);
    await expect(openGallery(dir)).rejects.toThrow(/row 1 of embeddings.npy is not finite/);
  });
});

describe('bad embeddings are refused and never stored', () => {
  it('wrong dimension, NaN, ±Infinity, zero norm: typed error, files unchanged', async () => {
    const { dir, g, r } = await made('refuse');
    const commitBefore = await readFile(path.join(dir, 'commit.json'), 'utf8');
    const npyBefore = await readFile(path.join(dir, 'embeddings.npy'));
    const good = unitVector(8, r);
    const bad: [Float32Array, new (...a: never[]) => Error][] = [
      [unitVector(9, r), EmbeddingDimensionError],
      [new Float32Array(7).fill(0.3), EmbeddingDimensionError],
      [Float32Array.from(good, (x, i) => (i === 2 ? NaN : x)), InvalidEmbeddingError],
      [Float32Array.from(good, (x, i) => (i === 0 ? -Infinity : x)), InvalidEmbeddingError],
      [new Float32Array(8), InvalidEmbeddingError],
    ];
    for (const [v, E] of bad) {
      // The good vector first: nothing of the batch may be stored.
      await expect(g.enroll('Eve', [good, v], ['eve_1.jpg', 'eve_2.jpg'])).rejects.toBeInstanceOf(E);
      expect(() => g.identify(v)).toThrow(E);
      expect(() => g.verify(good, v)).toThrow(E);
    }
    await expect(
      g.enroll('Eve', [good as unknown as Float32Array, [1, 2] as unknown as Float32Array], ['a', 'b']),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(g.size).toBe(3);
    expect(g.identities()).toEqual(['Ada', 'Bo']);
    await g.close();
    expect(await readFile(path.join(dir, 'commit.json'), 'utf8')).toBe(commitBefore);
    expect((await readFile(path.join(dir, 'embeddings.npy'))).equals(npyBefore)).toBe(true);
    const again = await openGallery(dir);
    expect(again.size).toBe(3);
    await again.close();
  });

  it('unknown identities and images: UnknownIdentityError with the name', async () => {
    const { g } = await made('unknown');
    await expect(g.remove('Nobody')).rejects.toMatchObject({ code: 'UNKNOWN_IDENTITY', identity: 'Nobody' });
    await expect(g.rename('Nobody', 'X')).rejects.toBeInstanceOf(UnknownIdentityError);
    await expect(g.excludeImage('nobody.jpg')).rejects.toBeInstanceOf(UnknownIdentityError);
    await expect(g.rename('Ada', '')).rejects.toBeInstanceOf(InvalidArgumentError);
    await g.close();
    await expect(g.enroll('x', [new Float32Array(8).fill(1)], ['x'])).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('names never become paths; files are owner-only', () => {
  it('../../x, a/b, NUL, Korean: stored as data, no file or folder created anywhere', async () => {
    const base = path.join(tmp, 'paths');
    const dir = path.join(base, 'inner', 'g');
    const g = await openGallery(dir, { create: true, dimension: 8, modelId: 'm', defaultThreshold: 1 });
    const before = await tree(base);
    const names = [
      '../../x',
      '../../../../../../tmp/evil',
      'a/b',
      '/etc/passwd',
      'nul\u0000x',
      'C:\\x',
      '김민지',
      '..',
      '.',
    ];
    const r = rng(5);
    for (const [i, n] of names.entries()) await g.enroll(n, [unitVector(8, r)], [`${n}/../${i}.jpg`]);
    await g.rename('a/b', '../c/d');
    await g.excludeImage('../../x/../0.jpg');
    await g.remove('/etc/passwd');
    await g.close();
    expect(await tree(base)).toEqual(before);
    expect(await tree(dir)).toEqual(GALLERY_FILES);
    const again = await openGallery(dir);
    expect(again.identities()).toEqual(
      names
        .filter((n) => n !== '/etc/passwd' && n !== 'a/b')
        .concat('../c/d')
        .sort(),
    );
    await again.close();
    await expect(stat(path.join(base, 'x'))).rejects.toThrow();
    await expect(stat('/tmp/evil')).rejects.toThrow();
  });

  it('gallery files are 0600 and a created directory 0700, after every kind of write', async () => {
    const { dir, g, r } = await made('modes');
    await g.excludeImage('ada_1.jpg');
    await g.rename('Bo', 'Bob');
    await g.remove('ada_2.jpg');
    await g.enroll('Cy', [unitVector(8, r)], ['cy.jpg']);
    await g.close();
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const f of await readdir(dir)) expect([f, (await stat(path.join(dir, f))).mode & 0o777]).toEqual([f, 0o600]);
  });
});

describe('write lock', () => {
  it('a writer that cannot get the lock in time gets GalleryLockedError; the gallery is unchanged', async () => {
    const { dir, g, r } = await made('locked', 8, 300);
    const release = await lockfile.lock(dir, { lockfilePath: path.join(dir, '.write.lock'), realpath: false });
    try {
      // Opening reads without the lock: a reader is never held up by a writer.
      const g2 = await openGallery(dir, { lockTimeoutMs: 300 });
      expect(g2.identities()).toEqual(['Ada', 'Bo']);
      await expect(g2.enroll('Cy', [unitVector(8, r)], ['cy.jpg'])).rejects.toBeInstanceOf(GalleryLockedError);
      await g2.close();
      const slow = await (async () => {
        const t0 = Date.now();
        const e = await g.enroll('Late', [unitVector(8, r)], ['late.jpg']).catch((err: unknown) => err);
        return { e, ms: Date.now() - t0 };
      })();
      expect(slow.e).toMatchObject({ code: 'GALLERY_LOCKED' });
      expect(slow.ms).toBeGreaterThanOrEqual(250);
      expect(slow.ms).toBeLessThan(5000);
      expect(g.identities()).toEqual(['Ada', 'Bo']);
    } finally {
      await release();
    }
    await g.enroll('Late', [unitVector(8, r)], ['late.jpg']);
    expect(g.identities()).toEqual(['Ada', 'Bo', 'Late']);
    await g.close();
  });
});
