import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CsvFormatError,
  EmbeddingDimensionError,
  InvalidArgumentError,
  InvalidEmbeddingError,
  NpyFormatError,
  encodeNpy,
  l2Normalize,
} from '@eolgul/core';
import {
  checkEmbeddings,
  identityOfImage,
  readEmbeddingPair,
  writeEmbeddingPair,
  type EmbeddingRow,
} from '../src/index.js';

const root = mkdtempSync(path.join(tmpdir(), 'lfw-emb-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Deterministic unit vectors (a fixed LCG, no randomness between runs). */
function unitVectors(n: number, d: number, seed = 1): Float32Array[] {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648) * 2 - 1;
  };
  return Array.from({ length: n }, () => l2Normalize(Array.from({ length: d }, next)));
}

// An LFW-layout images folder: 3 people, 2 + 2 + 3 images, plus one image that has no row (e.g. no face found).
const images = path.join(root, 'images');
const people: [string, number][] = [
  ['Ann_A', 2],
  ['Ben_B', 2],
  ['Cid_C', 3],
];
const rows: EmbeddingRow[] = [];
people.forEach(([name, n], category) => {
  mkdirSync(path.join(images, name), { recursive: true });
  for (let k = 1; k <= n; k++) {
    const file = `${name}_000${k}.jpg`;
    writeFileSync(path.join(images, name, file), 'jpeg bytes');
    rows.push({ image: file, category });
  }
});
writeFileSync(path.join(images, 'Cid_C', 'Cid_C_0009.jpg'), 'no face in this one');
const vectors = unitVectors(rows.length, 16);

async function writeSet(name: string, npyData: Float32Array | null, shape: number[] | null, csvText: string | null) {
  const prefix = path.join(root, name);
  await writeEmbeddingPair(prefix, vectors, rows);
  if (npyData && shape) writeFileSync(`${prefix}.npy`, encodeNpy(npyData, shape));
  if (csvText !== null) writeFileSync(`${prefix}.csv`, csvText);
  return { npy: `${prefix}.npy`, csv: `${prefix}.csv` };
}
const flat = (vs: Float32Array[]) => Float32Array.from(vs.flatMap((v) => [...v]));
const csvOf = (rs: { image: string; category: string | number }[], header = 'image,category') =>
  `${[header, ...rs.map((r) => `${r.image},${r.category}`)].join('\n')}\n`;

describe('writeEmbeddingPair / readEmbeddingPair', () => {
  it('round-trips embeddings and rows, with mode 0600', async () => {
    const { npy, csv } = await writeEmbeddingPair(path.join(root, 'sub', 'dir', 'rt'), vectors, rows);
    expect(readFileSync(csv, 'utf8').split('\n').slice(0, 2)).toEqual(['image,category', 'Ann_A_0001.jpg,0']);
    expect(statSync(npy).mode & 0o777).toBe(0o600);
    const back = await readEmbeddingPair(npy, csv);
    expect(back.dimension).toBe(16);
    expect(back.rows).toEqual(rows);
    expect(back.embeddings.map((e) => [...e])).toEqual(vectors.map((e) => [...e]));
  });

  it('quotes image names holding commas or quotes', async () => {
    const odd = [{ image: 'a,b "c".jpg', category: 0 }];
    const { npy, csv } = await writeEmbeddingPair(path.join(root, 'odd'), [vectors[0]], odd);
    expect((await readEmbeddingPair(npy, csv)).rows).toEqual(odd);
  });

  it('refuses inconsistent input with typed errors', async () => {
    const p = path.join(root, 'bad');
    await expect(writeEmbeddingPair(p, vectors, rows.slice(1))).rejects.toThrow(InvalidArgumentError);
    await expect(writeEmbeddingPair(p, [vectors[0], new Float32Array(3)], rows.slice(0, 2))).rejects.toThrow(
      EmbeddingDimensionError,
    );
    await expect(writeEmbeddingPair(p, [Float32Array.of(1, NaN)], rows.slice(0, 1))).rejects.toThrow(
      InvalidEmbeddingError,
    );
    await expect(writeEmbeddingPair(p, [vectors[0]], [{ image: 'x.jpg', category: -1 }])).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(writeEmbeddingPair(p, [vectors[0]], [{ image: '', category: 0 }])).rejects.toThrow(
      InvalidArgumentError,
    );
  });

  it('reading: row-count mismatch, bad category and NaN are typed errors', async () => {
    const a = await writeSet('r-count', flat(vectors.slice(1)), [rows.length - 1, 16], null);
    await expect(readEmbeddingPair(a.npy, a.csv)).rejects.toThrow(CsvFormatError);
    const b = await writeSet(
      'r-cat',
      null,
      null,
      csvOf(rows.map((r, i) => ({ ...r, category: i === 2 ? 'x' : r.category }))),
    );
    await expect(readEmbeddingPair(b.npy, b.csv)).rejects.toThrow(/line 4: category "x"/);
    const nan = flat(vectors);
    nan[20] = NaN;
    const c = await writeSet('r-nan', nan, [rows.length, 16], null);
    await expect(readEmbeddingPair(c.npy, c.csv)).rejects.toThrow(InvalidEmbeddingError);
    await expect(readEmbeddingPair(path.join(root, 'none.npy'), a.csv)).rejects.toThrow(NpyFormatError);
  });
});

describe('checkEmbeddings', () => {
  it('passes a consistent set and counts images without a row', async () => {
    const s = await writeSet('good', null, null, null);
    const r = await checkEmbeddings({ ...s, images });
    expect(r).toEqual({
      ok: true,
      rows: 7,
      csvRows: 7,
      dimension: 16,
      problems: [],
      imagesFound: 8,
      imagesNotInCsv: 1,
    });
    expect(await checkEmbeddings(s)).toEqual({ ok: true, rows: 7, csvRows: 7, dimension: 16, problems: [] });
  });

  it('finds images given as paths relative to the folder', async () => {
    const s = await writeSet(
      'relpaths',
      null,
      null,
      csvOf(rows.map((r) => ({ ...r, image: `${r.image.replace(/_000\d\.jpg$/, '')}/${r.image}` }))),
    );
    expect((await checkEmbeddings({ ...s, images })).problems).toEqual([]);
  });

  it('reports a row-count mismatch', async () => {
    const s = await writeSet('count', flat(vectors.slice(0, 6)), [6, 16], null);
    const r = await checkEmbeddings({ ...s, images });
    expect(r.ok).toBe(false);
    expect(r.rows).toBe(6);
    expect(r.csvRows).toBe(7);
    expect(r.problems).toEqual([expect.stringMatching(/has 6 rows but .*count\.csv has 7 data rows/)]);
  });

  it('reports a missing image', async () => {
    const s = await writeSet(
      'missing',
      null,
      null,
      csvOf(rows.map((r, i) => (i === 3 ? { ...r, image: 'Ben_B_0007.jpg' } : r))),
    );
    const r = await checkEmbeddings({ ...s, images });
    expect(r.problems).toEqual([expect.stringMatching(/line 5: image Ben_B_0007\.jpg not found under/)]);
    // without the images folder the same files are consistent
    expect((await checkEmbeddings(s)).ok).toBe(true);
  });

  it('reports rows that are not unit-norm, within a tolerance', async () => {
    const v = vectors.map((x) => Float32Array.from(x));
    v[1] = v[1].map((x) => x * 2);
    v[4] = v[4].map((x) => x * (1 + 5e-5)); // inside the default tolerance of 1e-4
    const s = await writeSet('norm', flat(v), [7, 16], null);
    const r = await checkEmbeddings({ ...s, images });
    expect(r.problems).toEqual(['row 1 (Ann_A_0002.jpg): L2 norm 2.00000, expected 1 ± 0.0001']);
    expect((await checkEmbeddings({ ...s, unitTolerance: 1e-6 })).problems).toHaveLength(2);
    await expect(checkEmbeddings({ ...s, unitTolerance: 0 })).rejects.toThrow(InvalidArgumentError);
  });

  it('reports NaN and infinite values', async () => {
    const d = flat(vectors);
    d[16 * 2 + 5] = NaN;
    d[16 * 6] = -Infinity;
    const s = await writeSet('nan', d, [7, 16], null);
    const r = await checkEmbeddings(s);
    expect(r.problems).toEqual([
      'row 2 (Ben_B_0001.jpg): value NaN at column 5 is not finite',
      'row 6 (Cid_C_0003.jpg): value -Infinity at column 0 is not finite',
    ]);
  });

  it('reports duplicate images, bad categories, and labels that disagree with the folders', async () => {
    const bad = rows.map((r) => ({ ...r, category: String(r.category) }));
    bad[1] = { image: 'Ann_A_0001.jpg', category: '0' }; // duplicate of line 2
    bad[3] = { ...bad[3], category: '0' }; // Ben_B_0002 labelled as Ann's category
    bad[5] = { ...bad[5], category: '2.5' };
    const s = await writeSet('labels', null, null, csvOf(bad));
    const r = await checkEmbeddings({ ...s, images });
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      expect.stringMatching(/line 3: image Ann_A_0001\.jpg already on line 2/),
      expect.stringMatching(/line 7: category "2\.5" is not a non-negative integer/),
      'category 0 holds images of 2 identities: Ann_A, Ben_B',
      'identity Ben_B has 2 categories: 1, 0',
    ]);
  });

  it('reports a file name that matches several files', async () => {
    mkdirSync(path.join(root, 'amb', 'x'), { recursive: true });
    mkdirSync(path.join(root, 'amb', 'y'), { recursive: true });
    writeFileSync(path.join(root, 'amb', 'x', 'p_0001.jpg'), '1');
    writeFileSync(path.join(root, 'amb', 'y', 'p_0001.jpg'), '2');
    const prefix = path.join(root, 'amb-set');
    await writeEmbeddingPair(prefix, [vectors[0]], [{ image: 'p_0001.jpg', category: 0 }]);
    const r = await checkEmbeddings({ npy: `${prefix}.npy`, csv: `${prefix}.csv`, images: path.join(root, 'amb') });
    expect(r.problems).toEqual([expect.stringMatching(/p_0001\.jpg matches 2 files .*x\/p_0001\.jpg, y\/p_0001\.jpg/)]);
  });

  it('uses the file-name stem as identity in a flat folder (the seed layout)', async () => {
    const flatDir = path.join(root, 'flat');
    mkdirSync(flatDir);
    const fr: EmbeddingRow[] = [
      { image: 'Ann_A_0001.jpg', category: 0 },
      { image: 'Ann_A_0002.jpg', category: 0 },
      { image: 'Ben_B_0001.jpg', category: 0 }, // wrong: another identity in category 0
    ];
    for (const r of fr) writeFileSync(path.join(flatDir, r.image), 'x');
    const prefix = path.join(root, 'flat-set');
    await writeEmbeddingPair(prefix, vectors.slice(0, 3), fr);
    const r = await checkEmbeddings({ npy: `${prefix}.npy`, csv: `${prefix}.csv`, images: flatDir });
    expect(r.problems).toEqual(['category 0 holds images of 2 identities: Ann_A, Ben_B']);
    expect(identityOfImage('George_W_Bush_0012.jpg')).toBe('George_W_Bush');
    expect(identityOfImage('Jane/IMG_0001.jpg')).toBe('Jane');
    expect(identityOfImage('portrait.png')).toBe('portrait');
  });

  it('lists at most 20 problems of a kind and counts the rest', async () => {
    const n = 30;
    const big = unitVectors(n, 4).map((v) => v.map((x) => x * 3));
    const prefix = path.join(root, 'many');
    await writeEmbeddingPair(
      prefix,
      big,
      big.map((_, i) => ({ image: `p_${i}.jpg`, category: 0 })),
    );
    const r = await checkEmbeddings({ npy: `${prefix}.npy`, csv: `${prefix}.csv` });
    expect(r.problems).toHaveLength(21);
    expect(r.problems[20]).toBe('... and 10 more problems of this kind (norm)');
  });

  it('throws typed errors for unreadable or malformed files', async () => {
    const s = await writeSet('malformed', null, null, null);
    await expect(checkEmbeddings({ ...s, csv: path.join(root, 'absent.csv') })).rejects.toThrow(CsvFormatError);
    await expect(checkEmbeddings({ ...s, npy: path.join(root, 'absent.npy') })).rejects.toThrow(NpyFormatError);
    writeFileSync(s.csv, csvOf(rows, 'file,label'));
    await expect(checkEmbeddings(s)).rejects.toThrow(/header is "file,label", expected "image,category"/);
    writeFileSync(s.csv, csvOf(rows));
    writeFileSync(s.npy, 'not an npy file at all');
    await expect(checkEmbeddings(s)).rejects.toThrow(NpyFormatError);
    writeFileSync(s.npy, encodeNpy(flat(vectors), [7 * 16]));
    await expect(checkEmbeddings(s)).rejects.toThrow(/expected a 2-D array/);
    writeFileSync(s.npy, encodeNpy(flat(vectors), [7, 16]).subarray(0, 200));
    await expect(checkEmbeddings(s)).rejects.toThrow(NpyFormatError);
    writeFileSync(s.npy, encodeNpy(flat(vectors), [7, 16]));
    await expect(checkEmbeddings({ ...s, images: path.join(root, 'no-such-folder') })).rejects.toThrow(
      InvalidArgumentError,
    );
    expect((await checkEmbeddings(s)).ok).toBe(true);
  });
});

describe('interoperability with numpy', () => {
  const python = spawnSync('python3', ['--version']).status === 0;
  const py = (code: string, ...args: string[]) => execFileSync('python3', ['-c', code, ...args], { encoding: 'utf8' });

  it('writes an NPY that numpy.load reads with the same shape, dtype and values', async (ctx) => {
    if (!python) ctx.skip('python3 is not installed on this machine');
    const hasNumpy = spawnSync('python3', ['-c', 'import numpy']).status === 0;
    expect(hasNumpy, 'numpy missing: apt-get install -y python3-numpy').toBe(true);
    const { npy } = await writeEmbeddingPair(path.join(root, 'np'), vectors, rows);
    const out = JSON.parse(
      py(
        'import json,sys,numpy as np; a=np.load(sys.argv[1]); print(json.dumps({"shape":list(a.shape),"dtype":str(a.dtype),"c":bool(a.flags.c_contiguous),"values":a.tolist()}))',
        npy,
      ),
    );
    expect(out.shape).toEqual([7, 16]);
    expect(out.dtype).toBe('float32');
    expect(out.c).toBe(true);
    expect(out.values).toEqual(vectors.map((v) => [...v])); // float32 → Python float is exact
    const { npy: empty } = await writeEmbeddingPair(path.join(root, 'np-empty'), [], [], { dimension: 512 });
    expect(py('import sys,numpy as np; a=np.load(sys.argv[1]); print(a.shape, a.dtype)', empty).trim()).toBe(
      '(0, 512) float32',
    );
    expect(readFileSync(path.join(root, 'np-empty.csv'), 'utf8').trim()).toBe('image,category');
  });

  it('reads NPY files written by numpy (float32 and float64, format 1.0 and 2.0) and checks them', async (ctx) => {
    if (!python) ctx.skip('python3 is not installed on this machine');
    const prefix = path.join(root, 'from-numpy');
    writeFileSync(`${prefix}.csv`, csvOf(rows));
    const script = `
import sys, numpy as np
rng = np.random.default_rng(7)
a = rng.standard_normal((7, 16))
a /= np.linalg.norm(a, axis=1, keepdims=True)
kind, out = sys.argv[1], sys.argv[2]
if kind == 'f4': np.save(out, a.astype(np.float32))
elif kind == 'f8': np.save(out, a)
else:
    with open(out, 'wb') as f: np.lib.format.write_array(f, a.astype(np.float32), version=(2, 0))
print(' '.join(repr(float(x)) for x in a.astype(np.float32)[3, :4]))
`;
    for (const kind of ['f4', 'f8', 'v2']) {
      const first = py(script, kind, `${prefix}.npy`).trim().split(' ').map(Number);
      const { embeddings, dimension } = await readEmbeddingPair(`${prefix}.npy`, `${prefix}.csv`);
      expect(dimension, kind).toBe(16);
      expect([...embeddings[3].subarray(0, 4)], kind).toEqual(first);
      expect((await checkEmbeddings({ npy: `${prefix}.npy`, csv: `${prefix}.csv`, images })).ok, kind).toBe(true);
    }
  });
});
