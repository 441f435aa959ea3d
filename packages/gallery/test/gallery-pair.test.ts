import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, copyFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvFormatError, InvalidEmbeddingError, NpyFormatError, encodeNpy } from '@eolgul/core';
import { Gallery, identityFromSeedImageName } from '../src/index.js';
import { writeEmbeddingPairFiles } from '@eolgul/core/node';
import { importEmbeddingPair, openGallery, readGalleryPair } from '../src/node.js';
import { rng, unitVector } from './gallery-test-data.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/seed-pair/', import.meta.url));
const NPY = path.join(FIXTURE, 'embedding_all_128_L2.npy');
const CSV = path.join(FIXTURE, 'df_all_encoder_10.csv');

const hasNumpy = (() => {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
/** Runs a Python snippet with numpy (argv[1..] = args) and returns its stdout. */
const py = (code: string, ...args: string[]) => execFileSync('python3', ['-c', code, ...args], { encoding: 'utf8' });

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'eolgul-pair-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('seed pair layout', () => {
  it('derives identities from <name>_<digits>.<ext>', () => {
    expect(identityFromSeedImageName('Aaron_Peirsol_0002.jpg')).toBe('Aaron_Peirsol');
    expect(identityFromSeedImageName('George_W_Bush_0123.png')).toBe('George_W_Bush');
    expect(identityFromSeedImageName('김민지_1.jpg')).toBe('김민지');
    expect(identityFromSeedImageName('no-number.jpg')).toBeUndefined();
    expect(identityFromSeedImageName('_1.jpg')).toBeUndefined();
  });

  it('reads the numpy-written fixture (embedding_all_128_L2.npy + df_all_encoder_10.csv)', async () => {
    const pair = await readGalleryPair(NPY, CSV);
    expect(pair.dimension).toBe(128);
    expect(pair.imageIds).toHaveLength(21);
    expect(pair.imageIds[0]).toBe('Aaron_Peirsol_0001.jpg');
    expect(new Set(pair.identities)).toEqual(
      new Set(['Aaron_Peirsol', 'Abdullah_Gul', 'George_W_Bush', 'Hans_Blix', 'Serena_Williams', 'Yao_Ming']),
    );
    expect(pair.identities.filter((n) => n === 'George_W_Bush')).toHaveLength(5);
  });

  it('imports the fixture into a gallery directory; each image finds its own identity', async () => {
    const dir = path.join(tmp, 'imported');
    const g = await importEmbeddingPair(dir, NPY, CSV, {
      create: true,
      modelId: 'seed-facenet-128',
      defaultThreshold: 0.9,
    });
    try {
      expect(g.size).toBe(21);
      expect(g.dimension).toBe(128);
      expect(g.identities()).toEqual([
        'Aaron_Peirsol',
        'Abdullah_Gul',
        'George_W_Bush',
        'Hans_Blix',
        'Serena_Williams',
        'Yao_Ming',
      ]);
      const pair = await readGalleryPair(NPY, CSV);
      for (let r = 0; r < 21; r++) {
        const probe = pair.embeddings.subarray(r * 128, (r + 1) * 128);
        const [self, other] = g.identify(probe, { mode: 'nearest-image', k: 2 });
        expect(self.identity).toBe(pair.identities[r]);
        expect(self.imageId).toBe(pair.imageIds[r]);
        expect(self.distance).toBeLessThan(1e-3);
        expect(other.identity).not.toBe(pair.identities[r]);
        expect(other.distance).toBeGreaterThan(1);
        // Excluding the image itself: the nearest is another image of the same person.
        const [sibling] = g.identify(probe, { mode: 'nearest-image', per: 'image', k: 2 }).slice(1);
        if (pair.identities.filter((n) => n === pair.identities[r]).length > 1)
          expect(sibling.identity).toBe(pair.identities[r]);
      }
    } finally {
      await g.close();
    }
    const again = await openGallery(dir, { modelId: 'seed-facenet-128' });
    expect(again.size).toBe(21);
    expect(again.defaultThreshold).toBe(0.9);
    await again.close();
  });

  it('exportPair writes a pair that numpy reads and importPair restores exactly, names included', async () => {
    const g = Gallery.inMemory({ dimension: 16, defaultThreshold: 1 });
    const r = rng(3);
    const vec = () => unitVector(16, r);
    await g.enroll('Zoë', [vec(), vec()], ['IMG_0001.jpg', 'IMG_0002.jpg']);
    await g.enroll('a,"b"\nc', [vec()], ['x.png']);
    await g.enroll('Zoë', [vec()], ['later.jpg']);
    const npy = path.join(tmp, 'out.npy');
    const csv = path.join(tmp, 'out.csv');
    await writeEmbeddingPairFiles(npy, csv, g.toPair());
    expect((await stat(npy)).mode & 0o777).toBe(0o600);
    const back = await importEmbeddingPair(path.join(tmp, 'reimported'), npy, csv, {
      create: true,
      modelId: 'm',
      defaultThreshold: 1,
    });
    expect(back.identities()).toEqual(g.identities());
    expect(back.size).toBe(4);
    const probe = vec();
    expect(back.identify(probe, { mode: 'nearest-image', k: 2 })).toEqual(
      g.identify(probe, { mode: 'nearest-image', k: 2 }),
    );
    await back.close();
    if (hasNumpy) {
      const out = py(
        'import numpy as np, sys; a = np.load(sys.argv[1]); print(a.shape, a.dtype, round(float(np.linalg.norm(a, axis=1).mean()), 4))',
        npy,
      );
      expect(out.trim()).toBe('(4, 16) float32 1.0');
    }
  });

  it.skipIf(!hasNumpy)(
    "numpy reads a gallery directory's embeddings.npy after appends, equal to what was enrolled",
    async () => {
      const dir = path.join(tmp, 'np-check');
      const g = await openGallery(dir, { create: true, dimension: 8, modelId: 'm', defaultThreshold: 1 });
      const r = rng(9);
      const all: Float32Array[] = [];
      for (let i = 0; i < 5; i++) {
        const v = [unitVector(8, r), unitVector(8, r)];
        all.push(...v);
        await g.enroll(`p${i}`, v, [`p${i}_1`, `p${i}_2`]);
      }
      await g.close();
      const out = py(
        'import numpy as np, sys; a = np.load(sys.argv[1]); print(a.shape); print(" ".join(repr(float(x)) for x in a.ravel()))',
        path.join(dir, 'embeddings.npy'),
      );
      const [shape, values] = out.trim().split('\n');
      expect(shape).toBe('(10, 8)');
      expect(values.split(' ').map(Number)).toEqual(all.flatMap((v) => Array.from(v)));
    },
  );

  it('accepts a pandas-style leading index column', async () => {
    const csv = path.join(tmp, 'pandas.csv');
    const text = (await readFile(CSV, 'utf8')).split('\n').filter(Boolean);
    await writeFile(csv, `${[`,${text[0]}`, ...text.slice(1).map((l, i) => `${i},${l}`)].join('\n')}\n`);
    const pair = await readGalleryPair(NPY, csv);
    expect(pair.imageIds).toHaveLength(21);
    expect(pair.identities[20]).toBe('Yao_Ming');
  });

  it('refuses bad pairs with typed errors', async () => {
    const csv = path.join(tmp, 'bad.csv');
    // One label, two names read from the image names (the rule of identityFromImagePath): the names cannot be trusted.
    await writeFile(csv, 'image,category\nphoto.jpg,0\nselfie.jpg,0\n');
    const two = path.join(tmp, 'two.npy');
    await writeFile(two, encodeNpy(Float32Array.from([...unitVector(4, rng(1)), ...unitVector(4, rng(2))]), [2, 4]));
    await expect(readGalleryPair(two, csv)).rejects.toBeInstanceOf(CsvFormatError);
    await expect(readGalleryPair(two, csv)).rejects.toThrow(/identities\.csv/);
    await writeFile(csv, 'image,category\nphoto.jpg,0\n');
    const one = path.join(tmp, 'one.npy');
    await writeFile(one, encodeNpy(unitVector(4, rng(1)), [1, 4]));
    await expect(readGalleryPair(NPY, csv)).rejects.toThrow(/1 rows, but/);
    await writeFile(csv, 'name,label\nx_1.jpg,0\n');
    await expect(readGalleryPair(one, csv)).rejects.toBeInstanceOf(CsvFormatError);
    const nan = path.join(tmp, 'nan.npy');
    await writeFile(nan, encodeNpy(new Float32Array([1, NaN, 0, 0]), [1, 4]));
    await writeFile(csv, 'image,category\nx_1.jpg,0\n');
    await expect(readGalleryPair(nan, csv)).rejects.toBeInstanceOf(InvalidEmbeddingError);
    await expect(readGalleryPair(path.join(tmp, 'missing.npy'), csv)).rejects.toBeInstanceOf(NpyFormatError);
    await copyFile(CSV, path.join(tmp, 'not-npy.npy'));
    await expect(readGalleryPair(path.join(tmp, 'not-npy.npy'), csv)).rejects.toBeInstanceOf(NpyFormatError);
  });
});
