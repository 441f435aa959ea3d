/**
 * Bad input through the `eolgul` command (issue 5): batch commands list each bad file with its reason and finish the
 * rest; names and paths in any script; empty galleries; malformed NPY / CSV files. Every image is made at test time
 * from the committed LFW faces in examples/data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import {
  EmbeddingDimensionError,
  InvalidEmbeddingError,
  decodeNpy,
  encodeNpy,
  encodeNpyHeader,
  parseCsv,
} from '@eolgul/core';
import { Gallery } from '@eolgul/gallery';
import { createFaceRecognizer } from 'eolgul';
import { cli, DATA, facesOf, jsonLines } from './cli-helpers.js';

const people = ['Jackie_Chan', 'Roh_Moo-hyun', 'Serena_Williams', 'Tom_Hanks'];
const img = (person: string, n: string) => join(DATA, 'gallery', person, `${person}_${n}.jpg`);
/** The four gallery images of each person, sorted. */
const galleryOf: Record<string, string[]> = {
  Jackie_Chan: ['0002', '0003', '0006', '0007'].map((n) => img('Jackie_Chan', n)),
  'Roh_Moo-hyun': ['0001', '0002', '0003', '0006'].map((n) => img('Roh_Moo-hyun', n)),
  Serena_Williams: ['0001', '0002', '0003', '0004'].map((n) => img('Serena_Williams', n)),
  Tom_Hanks: ['0004', '0005', '0006', '0007'].map((n) => img('Tom_Hanks', n)),
};

let tmp: string;
/** Bad files: name → the error code its reason must carry. */
let bad: { file: string; code: string }[];
let groupPhoto: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'eolgul-cli-bad-'));
  const b = join(tmp, 'bad');
  await mkdir(b);
  const bytes = await readFile(img('Tom_Hanks', '0004'));
  await writeFile(join(b, 'truncated.jpg'), bytes.subarray(0, bytes.length >> 1));
  await writeFile(join(b, 'zero.jpg'), new Uint8Array(0));
  await writeFile(join(b, 'text.jpg'), 'not a picture\n');
  await mkdir(join(b, 'folder.jpg'));
  execFileSync('mkfifo', [join(b, 'fifo.jpg')]);
  await sharp({ create: { width: 320, height: 240, channels: 3, background: '#777777' } })
    .png()
    .toFile(join(b, 'no-face.png'));
  bad = [
    { file: join(b, 'truncated.jpg'), code: 'IMAGE_DECODE' },
    { file: join(b, 'zero.jpg'), code: 'IMAGE_DECODE' },
    { file: join(b, 'text.jpg'), code: 'IMAGE_DECODE' },
    { file: join(b, 'folder.jpg'), code: 'IMAGE_DECODE' },
    { file: join(b, 'fifo.jpg'), code: 'IMAGE_DECODE' },
    { file: join(b, 'missing.jpg'), code: 'IMAGE_DECODE' },
  ];
  // A group photo: 16 faces in a 4×4 grid (centre crops of the 16 gallery images).
  const files = people.flatMap((p) => galleryOf[p]);
  const tiles = await Promise.all(
    files.map((f) => sharp(f).extract({ left: 50, top: 40, width: 150, height: 170 }).toBuffer()),
  );
  groupPhoto = join(tmp, 'group.jpg');
  await sharp({ create: { width: 600, height: 680, channels: 3, background: '#808080' } })
    .composite(tiles.map((input, i) => ({ input, left: (i % 4) * 150, top: Math.floor(i / 4) * 170 })))
    .jpeg({ quality: 92 })
    .toFile(groupPhoto);
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** No line of stderr looks like a stack frame. */
function expectNoStack(err: string[]): void {
  for (const l of err) expect(l).not.toMatch(/^\s+at .+[:(]/);
}

/** All files under `dir`, relative, sorted. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map((e) => e.toString()).sort();
}

describe('batch commands list each bad file with its reason and finish the rest', () => {
  it('embed: a folder mixing good faces (Korean names too), broken files, a FIFO, a folder and a face-less image', async () => {
    const dir = join(tmp, 'embed-mixed');
    await mkdir(dir);
    await copyFile(img('Tom_Hanks', '0004'), join(dir, 'Tom_Hanks_0004.jpg'));
    await copyFile(img('Serena_Williams', '0001'), join(dir, '세레나_1.jpg'));
    await copyFile(img('Serena_Williams', '0002'), join(dir, '세레나_2.jpg'));
    await sharp(img('Jackie_Chan', '0002')).webp().toFile(join(dir, 'Jackie Chan é_1.webp'));
    for (const f of ['truncated.jpg', 'zero.jpg', 'text.jpg', 'no-face.png'])
      await copyFile(join(tmp, 'bad', f), join(dir, f));
    execFileSync('mkfifo', [join(dir, 'fifo.jpg')]);
    const prefix = join(tmp, 'embed-mixed-out');
    const r = await cli('embed', dir, '--out', prefix);
    expect(r.code, r.err.join('\n')).toBe(0);
    expectNoStack(r.err);
    const npy = decodeNpy(await readFile(`${prefix}.npy`));
    expect(npy.shape).toEqual([4, 512]);
    const rows = parseCsv(await readFile(`${prefix}.csv`, 'utf8'), ['image', 'category']);
    expect(rows.map((x) => x.image).sort()).toEqual([
      'Jackie Chan é_1.webp',
      'Tom_Hanks_0004.jpg',
      '세레나_1.jpg',
      '세레나_2.jpg',
    ]);
    // Both Korean files are one identity.
    expect(rows.find((x) => x.image === '세레나_1.jpg')!.category).toBe(
      rows.find((x) => x.image === '세레나_2.jpg')!.category,
    );
    const failures = parseCsv(await readFile(`${prefix}.failures.csv`, 'utf8'), ['image', 'reason']);
    const reasons = Object.fromEntries(failures.map((f) => [f.image, f.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['fifo.jpg', 'no-face.png', 'text.jpg', 'truncated.jpg', 'zero.jpg']);
    expect(reasons['truncated.jpg']).toMatch(/^IMAGE_DECODE: .*truncated\.jpg.*premature end/i);
    expect(reasons['zero.jpg']).toMatch(/^IMAGE_DECODE: .*empty/);
    expect(reasons['text.jpg']).toMatch(/^IMAGE_DECODE: .*not a readable image/);
    expect(reasons['fifo.jpg']).toMatch(/^IMAGE_DECODE: .*not a regular file/);
    expect(reasons['no-face.png']).toMatch(/^NO_FACE/);
    for (const f of Object.keys(reasons))
      expect(
        r.err.some((l) => l.startsWith(`skipped ${f}: `)),
        f,
      ).toBe(true);
  });

  it('enroll: many images, the bad ones refused one by one with their reason, the good ones enrolled', async () => {
    const g = join(tmp, 'g-enroll');
    const good = galleryOf.Tom_Hanks;
    const r = await cli(
      'enroll',
      '--gallery',
      g,
      '--name',
      'Tom Hanks',
      good[0],
      ...bad.map((b) => b.file),
      join(tmp, 'bad', 'no-face.png'),
      groupPhoto,
      good[1],
      good[2],
    );
    expect(r.code).toBe(1);
    expectNoStack(r.err);
    for (const b of bad) {
      const line = r.err.find((l) => l.startsWith(`refused ${b.file}: `));
      expect(line, b.file).toBeDefined();
      expect(line).toContain(`${b.code}: `);
    }
    expect(r.err.find((l) => l.startsWith(`refused ${join(tmp, 'bad', 'no-face.png')}: `))).toContain('NO_FACE');
    expect(r.err.find((l) => l.startsWith(`refused ${groupPhoto}: `))).toMatch(/MULTIPLE_FACES: 16 faces/);
    expect(r.out.join('\n')).toContain('enrolled 3 image(s) as "Tom Hanks"');
    const list = await cli('gallery', 'list', '--gallery', g, '--json');
    expect(JSON.parse(list.out[0])).toMatchObject({ identities: ['Tom Hanks'], size: 3 });
  });

  it('enroll: an image already enrolled, or the same file name twice, is refused alone; the rest is enrolled', async () => {
    const g = join(tmp, 'g-dupes');
    const [a, b2, c] = galleryOf.Serena_Williams;
    expect((await cli('enroll', '--gallery', g, '--name', 'Serena', a)).code).toBe(0);
    // Same image again (same id), and two different files with one file name.
    const other = join(tmp, 'other-folder');
    await mkdir(other);
    await copyFile(galleryOf.Serena_Williams[3], join(other, basename(c)));
    const r = await cli('enroll', '--gallery', g, '--name', 'Serena', a, b2, c, join(other, basename(c)));
    expect(r.code).toBe(1);
    expectNoStack(r.err);
    expect(r.err.join('\n')).toContain(a);
    expect(r.err.join('\n')).toContain(join(other, basename(c)));
    const list = await cli('gallery', 'list', '--gallery', g, '--json');
    expect(JSON.parse(list.out[0]).size).toBe(3);
  });

  it('enroll with only bad images creates no gallery; verify on a broken image is a typed error', async () => {
    const g = join(tmp, 'g-never');
    const r = await cli('enroll', '--gallery', g, '--name', 'Nobody', ...bad.map((b) => b.file));
    expect(r.code).toBe(1);
    expect(r.err.filter((l) => l.startsWith('refused '))).toHaveLength(bad.length);
    await expect(readdir(g)).rejects.toThrow();
    const v = await cli('verify', bad[0].file, galleryOf.Tom_Hanks[0]);
    expect(v.code).toBe(2);
    expect(v.err.join('\n')).toContain(`IMAGE_DECODE: cannot decode image ${bad[0].file}`);
    expectNoStack(v.err);
  });

  it('identify: many files, the bad ones reported, every face of the others answered (a 16-face group photo too)', async () => {
    const g = join(tmp, 'g-identify');
    for (const p of people)
      expect((await cli('enroll', '--gallery', g, '--name', p, ...galleryOf[p].slice(1))).code).toBe(0);
    const probe = join(DATA, 'probes', 'Tom_Hanks_0008.jpg');
    const r = await cli('identify', '--gallery', g, '--json', probe, ...bad.map((b) => b.file), groupPhoto);
    expect(r.code).toBe(1);
    expectNoStack(r.err);
    for (const b of bad) {
      const line = r.err.find((l) => l.startsWith(`failed ${b.file}: `));
      expect(line, b.file).toBeDefined();
      expect(line).toContain(`${b.code}: `);
    }
    // One JSON line per input, in order; the bad files as error objects with their code.
    const lines = jsonLines(r.out);
    expect(lines.map((x) => x.image)).toEqual([probe, ...bad.map((b) => b.file), groupPhoto]);
    for (const b of bad) expect(lines.find((x) => x.image === b.file)?.error?.code, b.file).toBe(b.code);
    const rows = facesOf(r.out);
    expect(rows.filter((x) => x.image === probe).some((x) => x.identity === 'Tom_Hanks')).toBe(true);
    const group = rows.filter((x) => x.image === groupPhoto);
    expect(group).toHaveLength(16);
    // Tile i of the grid holds a face of people[floor(i / 4)]; three of each person's four images are enrolled.
    let right = 0;
    for (const x of group) {
      const [bx, by, bw, bh] = x.box;
      expect(bx).toBeGreaterThanOrEqual(0);
      expect(by).toBeGreaterThanOrEqual(0);
      expect(bx + bw).toBeLessThanOrEqual(600);
      expect(by + bh).toBeLessThanOrEqual(680);
      const tile = Math.floor((bx + bw / 2) / 150) + 4 * Math.floor((by + bh / 2) / 170);
      if (x.identity === people[Math.floor(tile / 4)]) right++;
    }
    expect(right).toBeGreaterThanOrEqual(15);
  });

  it('identify: a 12000×9000 photo is decoded downscaled, and the box is reported in its own pixels', async () => {
    const g = join(tmp, 'g-identify');
    const huge = join(tmp, 'huge-12000x9000.jpg');
    const face = await sharp(galleryOf.Serena_Williams[0]).resize(1500, 1500).toBuffer();
    await sharp({ create: { width: 12000, height: 9000, channels: 3, background: '#7a8a7a' } })
      .composite([{ input: face, left: 7000, top: 3000 }])
      .jpeg({ quality: 85 })
      .toFile(huge);
    const r = await cli('identify', '--gallery', g, '--json', huge);
    expect(r.code, r.err.join('\n')).toBe(0);
    const rows = facesOf(r.out);
    expect(rows).toHaveLength(1);
    const [x, y, w, h] = rows[0].box;
    // The face fills about (7000..8500, 3000..4500) minus LFW's margins (the 250-px photo's face box is ~100 px).
    expect(x).toBeGreaterThan(7000);
    expect(y).toBeGreaterThan(3000);
    expect(x + w).toBeLessThan(8500);
    expect(y + h).toBeLessThan(4500);
    expect(w).toBeGreaterThan(400);
    expect(rows[0].identity).toBe('Serena_Williams');
  });

  it('identify on the 12000×9000 photo adds little memory (built CLI in a fresh process, peak RSS)', async () => {
    const bin = join(__dirname, '..', 'dist', 'cli.js');
    expect(existsSync(bin), 'run `pnpm build` first: this test runs the built CLI').toBe(true);
    const huge = join(tmp, 'huge-12000x9000.jpg');
    expect(existsSync(huge)).toBe(true);
    const preload = join(tmp, 'peak-rss.cjs');
    await writeFile(
      preload,
      "process.on('exit', () => process.stderr.write('PEAK_RSS_MIB ' + process.resourceUsage().maxRSS / 1024 + '\\n'));\n",
    );
    const peak = (image: string) => {
      const r = spawnSync(
        process.execPath,
        ['-r', preload, bin, 'identify', '--gallery', join(tmp, 'g-identify'), '--json', image],
        { encoding: 'utf8' },
      );
      expect(r.status, r.stderr).toBe(0);
      return Number(/PEAK_RSS_MIB ([\d.]+)/.exec(r.stderr)![1]);
    };
    const base = peak(join(DATA, 'probes', 'Tom_Hanks_0008.jpg'));
    const big = peak(huge);
    console.log(
      `eolgul identify peak RSS: 250×250 probe ${base.toFixed(0)} MiB, 12000×9000 photo ${big.toFixed(0)} MiB`,
    );
    // Decoding at full size alone would add 12000 × 9000 × 3 B = 309 MiB.
    expect(big - base).toBeLessThan(200);
  });

  it('emotion: boxes of a downscaled image are reported in its own pixels; bad files reported', async () => {
    const big = join(tmp, 'big-5000.png');
    await sharp(galleryOf.Tom_Hanks[0]).resize(5000, 5000).png({ compressionLevel: 1 }).toFile(big);
    const r = await cli('emotion', '--json', big, bad[0].file);
    expect(r.code).toBe(1);
    expectNoStack(r.err);
    expect(r.err.join('\n')).toContain(bad[0].file);
    const [row] = facesOf(r.out);
    const [small] = facesOf((await cli('emotion', '--json', galleryOf.Tom_Hanks[0])).out);
    // The 5000-px copy is decoded at 4096 px; its box must still be 20× the 250-px box, not 4096/5000 of that.
    for (let i = 0; i < 4; i++)
      expect(Math.abs(row.box[i] - small.box[i] * 20), `box[${i}]`).toBeLessThan(small.box[3] * 20 * 0.08);
    expect(row.box[0] + row.box[2]).toBeLessThanOrEqual(5000);
    expect(row.box[1] + row.box[3]).toBeLessThanOrEqual(5000);
  });

  it('lfw eval: a broken image in the folder is reported, its pairs count as wrong, the evaluation finishes', async () => {
    const images = join(tmp, 'lfw-images');
    for (const p of people) {
      await mkdir(join(images, p), { recursive: true });
      for (const f of galleryOf[p]) await copyFile(f, join(images, p, basename(f)));
    }
    // Break one image.
    const broken = join(images, 'Tom_Hanks', 'Tom_Hanks_0005.jpg');
    await writeFile(broken, (await readFile(broken)).subarray(0, 900));
    const n = (p: string, i: number) => Number(/_(\d+)\.jpg$/.exec(galleryOf[p][i])![1]);
    // 2 folds × (2 matched + 2 mismatched).
    const lines = [
      '2\t2',
      `Tom_Hanks\t${n('Tom_Hanks', 0)}\t${n('Tom_Hanks', 1)}`,
      `Serena_Williams\t${n('Serena_Williams', 0)}\t${n('Serena_Williams', 1)}`,
      `Tom_Hanks\t${n('Tom_Hanks', 2)}\tJackie_Chan\t${n('Jackie_Chan', 0)}`,
      `Serena_Williams\t${n('Serena_Williams', 2)}\tRoh_Moo-hyun\t${n('Roh_Moo-hyun', 0)}`,
      `Jackie_Chan\t${n('Jackie_Chan', 1)}\t${n('Jackie_Chan', 2)}`,
      `Roh_Moo-hyun\t${n('Roh_Moo-hyun', 1)}\t${n('Roh_Moo-hyun', 2)}`,
      `Jackie_Chan\t${n('Jackie_Chan', 3)}\tTom_Hanks\t${n('Tom_Hanks', 3)}`,
      `Roh_Moo-hyun\t${n('Roh_Moo-hyun', 3)}\tSerena_Williams\t${n('Serena_Williams', 3)}`,
    ];
    const pairs = join(tmp, 'pairs.txt');
    await writeFile(pairs, `${lines.join('\n')}\n`);
    const json = join(tmp, 'lfw.json');
    const r = await cli('lfw', 'eval', '--images', images, '--pairs', pairs, '--json', json);
    expect(r.code, r.err.join('\n')).toBe(0);
    expectNoStack(r.err);
    expect(r.err.find((l) => l.startsWith('no embedding for Tom_Hanks/Tom_Hanks_0005.jpg: '))).toMatch(/IMAGE_DECODE/);
    expect(r.out.join('\n')).toContain('pairs 8, images without a face 1');
    const res = JSON.parse(await readFile(json, 'utf8'));
    expect(res.missingFaces).toBe(1);
    expect(res.pairs).toBe(8);
    // The one pair with the broken image is counted wrong; the other 7 are right on these easy faces.
    expect(res.accuracy).toBeCloseTo(7 / 8, 5);
  });
});

describe('names and paths', () => {
  it('identity names with Korean, accents, "/", ".." and NUL are stored as data; nothing is written outside the gallery', async () => {
    const sandbox = join(tmp, 'sandbox');
    await mkdir(sandbox);
    const g = join(sandbox, 'gallery');
    const names: [string, string][] = [
      ['세레나 윌리엄스', galleryOf.Serena_Williams[0]],
      ['AC/DC', galleryOf.Tom_Hanks[0]],
      ['../../evil', galleryOf.Tom_Hanks[1]],
      ['../', galleryOf.Tom_Hanks[2]],
      ['nul\0byte', galleryOf.Jackie_Chan[0]],
      ['Zoë Saldaña', galleryOf['Roh_Moo-hyun'][0]],
      ['bell\u0007 <b>&"x"', galleryOf.Jackie_Chan[1]],
    ];
    for (const [name, file] of names) {
      const r = await cli('enroll', '--gallery', g, '--name', name, file);
      expect(r.code, `${JSON.stringify(name)}: ${r.err.join('\n')}`).toBe(0);
    }
    expect(await readdir(sandbox)).toEqual(['gallery']);
    for (const entry of await tree(g)) expect(entry).toMatch(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/);
    const list = await cli('gallery', 'list', '--gallery', g, '--json');
    expect([...JSON.parse(list.out[0]).identities].sort()).toEqual(names.map(([n]) => n).sort());
    // And they are found again by name.
    const r = await cli('identify', '--gallery', g, '--json', join(DATA, 'probes', 'Serena_Williams_0005.jpg'));
    const rows = facesOf(r.out);
    expect(rows.some((x) => x.identity === '세레나 윌리엄스')).toBe(true);
    // Names that XML forbids or must escape are drawn on annotated images too.
    const ann = join(tmp, 'annotated');
    const a = await cli(
      'identify',
      '--gallery',
      g,
      '--json',
      '--annotate',
      ann,
      galleryOf.Jackie_Chan[0],
      galleryOf.Jackie_Chan[1],
    );
    expect(a.code, a.err.join('\n')).toBe(0);
    expect(facesOf(a.out).map((x) => x.identity)).toEqual(['nul\0byte', 'bell\u0007 <b>&"x"']);
    expect((await readdir(ann)).sort()).toEqual(['Jackie_Chan_0002.annotated.jpg', 'Jackie_Chan_0003.annotated.jpg']);
    expect((await sharp(join(ann, 'Jackie_Chan_0002.annotated.jpg')).metadata()).width).toBe(250);
    expect((await cli('gallery', 'remove', '--gallery', g, '../../evil')).code).toBe(0);
    expect((await cli('gallery', 'rename', '--gallery', g, 'AC/DC', 'AC\\DC')).code).toBe(0);
    expect(await readdir(sandbox)).toEqual(['gallery']);
    const after = JSON.parse((await cli('gallery', 'list', '--gallery', g, '--json')).out[0]).identities;
    expect(after).toContain('AC\\DC');
    expect(after).not.toContain('../../evil');
  });

  it('an empty identity name is refused with a typed error', async () => {
    const r = await cli('enroll', '--gallery', join(tmp, 'g-empty-name'), '--name', '', galleryOf.Tom_Hanks[0]);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(/INVALID_ARGUMENT/);
    expectNoStack(r.err);
  });

  it('non-ASCII file and folder names through enroll, identify and verify', async () => {
    const dir = join(tmp, '사진 폴더', 'Café Éloïse');
    await mkdir(dir, { recursive: true });
    const a = join(dir, '톰 행크스 1.jpg'),
      b = join(dir, 'Tòm Hànks 2.png');
    await copyFile(galleryOf.Tom_Hanks[0], a);
    await sharp(galleryOf.Tom_Hanks[1]).png().toFile(b);
    const g = join(dir, '갤러리');
    expect((await cli('enroll', '--gallery', g, '--name', '톰', a)).code).toBe(0);
    const r = await cli('identify', '--gallery', g, '--json', b);
    expect(r.code, r.err.join('\n')).toBe(0);
    const [row] = facesOf(r.out);
    expect(row.image).toBe(b);
    expect(row.identity).toBe('톰');
    const v = await cli('verify', '--json', a, b);
    expect(JSON.parse(v.out[0]).same).toBe(true);
  });
});

describe('numbers: the gallery refuses bad embeddings and stores nothing (public Gallery API, real embeddings)', () => {
  it('wrong dimension, NaN, ±Infinity, zero norm: typed errors, no row stored, files unchanged; empty gallery answers []', async () => {
    const p = await createFaceRecognizer();
    const real: Float32Array[] = [];
    try {
      for (const f of [galleryOf.Tom_Hanks[0], galleryOf.Tom_Hanks[1], galleryOf.Jackie_Chan[0]]) {
        real.push((await p.analyse(f, { mainFace: true })).faces[0].embedding);
      }
    } finally {
      await p.dispose();
    }
    const D = real[0].length;
    const dir = join(tmp, 'g-numbers');
    const g = await Gallery.open(dir, { create: true, dimension: D, modelId: 'test-model', defaultThreshold: 1.1 });
    const mem = Gallery.inMemory({ dimension: D, defaultThreshold: 1.1 });
    try {
      // Empty galleries: no match, no exception.
      expect(g.identify(real[0])).toEqual([]);
      expect(mem.identify(real[0], { k: 5 })).toEqual([]);
      const before = await Promise.all((await tree(dir)).map(async (f) => [f, await readFile(join(dir, f))] as const));
      const withNaN = real[1].slice();
      withNaN[100] = Number.NaN;
      const withInf = real[1].slice();
      withInf[0] = Number.POSITIVE_INFINITY;
      const cases: [string, Float32Array, new (...a: never[]) => Error][] = [
        ['too short', real[1].subarray(0, D - 1), EmbeddingDimensionError],
        ['too long', new Float32Array([...real[1], 0]), EmbeddingDimensionError],
        ['128-D', new Float32Array(128).fill(0.1), EmbeddingDimensionError],
        ['NaN', withNaN, InvalidEmbeddingError],
        ['Infinity', withInf, InvalidEmbeddingError],
        ['zero norm', new Float32Array(D), InvalidEmbeddingError],
      ];
      for (const [what, bad, type] of cases) {
        for (const gallery of [g, mem]) {
          // A good vector in the same batch is not stored either.
          await expect(
            gallery.enroll('Tom', [real[0], bad], ['t1.jpg', `bad-${what}.jpg`]),
            what,
          ).rejects.toBeInstanceOf(type);
          expect(gallery.size, what).toBe(0);
          expect(() => gallery.identify(bad), what).toThrow(type);
        }
      }
      const after = await Promise.all((await tree(dir)).map(async (f) => [f, await readFile(join(dir, f))] as const));
      expect(after).toEqual(before);
      // A reopened gallery holds nothing.
      await g.close();
      const again = await Gallery.open(dir, {});
      expect([again.size, again.identities()]).toEqual([0, []]);
      await again.close();
      // And good vectors still enroll afterwards.
      await mem.enroll('Tom', [real[0]], ['t1.jpg']);
      expect(mem.identify(real[1])[0].identity).toBe('Tom');
      expect(mem.identify(real[2], { threshold: 0.5 })[0].accepted).toBe(false);
    } finally {
      await g.close().catch(() => undefined);
      await mem.close();
    }
  });
});

describe('empty galleries answer unknown, without an exception', () => {
  it('a gallery whose identities were all removed: every face unknown, exit 0', async () => {
    const g = join(tmp, 'g-emptied');
    expect((await cli('enroll', '--gallery', g, '--name', 'Tom', galleryOf.Tom_Hanks[0])).code).toBe(0);
    expect((await cli('gallery', 'remove', '--gallery', g, 'Tom')).code).toBe(0);
    const r = await cli('identify', '--gallery', g, '--json', galleryOf.Tom_Hanks[0], groupPhoto);
    expect(r.code, r.err.join('\n')).toBe(0);
    const rows = facesOf(r.out);
    expect(rows).toHaveLength(17);
    for (const x of rows) {
      expect(x.identity).toBeNull();
      expect(x.distance).toBeNull();
    }
    const table = await cli('identify', '--gallery', g, galleryOf.Tom_Hanks[0]);
    expect(table.code).toBe(0);
    expect(table.out.join('\n')).toContain('unknown');
  });

  it('a new, empty folder as gallery: every face unknown, exit 0, nothing written', async () => {
    const g = join(tmp, 'g-new-empty');
    await mkdir(g);
    const r = await cli('identify', '--gallery', g, '--json', galleryOf.Tom_Hanks[0]);
    expect(r.code, r.err.join('\n')).toBe(0);
    expectNoStack(r.err);
    const rows = facesOf(r.out);
    expect(rows).toHaveLength(1);
    expect(rows[0].identity).toBeNull();
    expect(await readdir(g)).toEqual([]);
  });

  it('a gallery path that does not exist is a typed error (a typo must not pass as "nobody known") that says how to make one', async () => {
    for (const args of [
      ['identify', '--json', galleryOf.Tom_Hanks[0]],
      ['gallery', 'list'],
      ['gallery', 'export', '--out', join(tmp, 'exp')],
    ]) {
      const r = await cli(...args, '--gallery', join(tmp, 'no-such-gallery'));
      expect(r.code, args.join(' ')).toBe(2);
      // It used to be GALLERY_CORRUPT "... is corrupt: no manifest.json ... (pass create: true to make one)", a library option.
      expect(r.err.join('\n')).toContain('INVALID_ARGUMENT: no gallery at');
      expect(r.err.join('\n')).toContain('no-such-gallery');
      expect(r.err.join('\n')).toContain('eolgul enroll --gallery');
      expectNoStack(r.err);
    }
  });
});

describe('malformed NPY and CSV through check and gallery import: typed errors, non-zero exit, no stack trace', () => {
  let good: { npy: Uint8Array; csv: string; data: Float32Array };
  beforeAll(async () => {
    // A real pair: 4 embeddings of 4 gallery images.
    const dir = join(tmp, 'pair-src');
    await mkdir(dir);
    for (const p of people) await copyFile(galleryOf[p][0], join(dir, basename(galleryOf[p][0])));
    const r = await cli('embed', dir, '--out', join(tmp, 'pair'));
    expect(r.code).toBe(0);
    const npy = new Uint8Array(await readFile(join(tmp, 'pair.npy')));
    good = { npy, csv: await readFile(join(tmp, 'pair.csv'), 'utf8'), data: decodeNpy(npy).data };
  });

  /** NPY variants: name → bytes. */
  function badNpys(): Record<string, Uint8Array> {
    const { npy, data } = good;
    const header = encodeNpyHeader([4, 512]);
    const withHeader = (text: string) => {
      const h = encodeNpyHeader([4, 512]);
      const dict = `${text.padEnd(h.length - 11, ' ')}\n`;
      const out = new Uint8Array(h.length + data.length * 4);
      out.set(h.subarray(0, 10));
      for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
      out.set(npy.subarray(header.length), h.length);
      return out;
    };
    const badMagic = npy.slice();
    badMagic[1] = 0x58;
    const nan = new Float32Array(data);
    nan[512 + 7] = Number.NaN;
    const zero = new Float32Array(data);
    zero.fill(0, 1024, 1536);
    return {
      'bad-magic': badMagic,
      'unsupported-dtype': withHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (4, 512), }"),
      'big-endian': withHeader("{'descr': '>f4', 'fortran_order': False, 'shape': (4, 512), }"),
      fortran: withHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (4, 512), }"),
      truncated: npy.subarray(0, npy.length - 100),
      'lying-shape': withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (5, 512), }"),
      'header-garbage': withHeader('{hello}'),
      'three-d': withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 2, 256), }"),
      nan: encodeNpy(nan, [4, 512]),
      'zero-norm': encodeNpy(zero, [4, 512]),
      empty: new Uint8Array(0),
    };
  }
  const npyCode: Record<string, RegExp> = {
    'bad-magic': /NPY_FORMAT.*bad magic/,
    'unsupported-dtype': /NPY_FORMAT.*dtype/,
    'big-endian': /NPY_FORMAT.*big-endian/,
    fortran: /NPY_FORMAT.*Fortran/,
    truncated: /NPY_FORMAT.*data bytes/,
    'lying-shape': /NPY_FORMAT.*data bytes/,
    'header-garbage': /NPY_FORMAT.*header/,
    'three-d': /NPY_FORMAT.*2-D/,
    nan: /INVALID_EMBEDDING|NaN|finite/,
    'zero-norm': /INVALID_EMBEDDING|norm/,
    empty: /NPY_FORMAT/,
  };

  it('eolgul check refuses each malformed NPY', async () => {
    const csv = join(tmp, 'pair.csv');
    for (const [name, bytes] of Object.entries(badNpys())) {
      const f = join(tmp, `${name}.npy`);
      await writeFile(f, bytes);
      const r = await cli('check', '--npy', f, '--csv', csv);
      expect(r.code, name).not.toBe(0);
      expect(r.err.join('\n'), name).toMatch(npyCode[name]);
      if (!['nan', 'zero-norm'].includes(name)) expect(r.err.join('\n'), name).toContain(f);
      expectNoStack(r.err);
    }
  });

  it('eolgul gallery import refuses each malformed NPY and stores nothing', async () => {
    const csv = join(tmp, 'pair.csv');
    for (const [name, bytes] of Object.entries(badNpys())) {
      const f = join(tmp, `import-${name}.npy`);
      await writeFile(f, bytes);
      const g = join(tmp, `g-import-${name}`);
      const r = await cli('gallery', 'import', '--gallery', g, '--npy', f, '--csv', csv);
      expect(r.code, name).toBe(2);
      expect(r.err.join('\n'), name).toMatch(npyCode[name]);
      expectNoStack(r.err);
      const list = await cli('gallery', 'list', '--gallery', g, '--json');
      if (list.code === 0) expect(JSON.parse(list.out[0]).size, name).toBe(0);
    }
  });

  it('malformed CSV: no header, extra columns, duplicate image, row count differing from the NPY', async () => {
    const npy = join(tmp, 'pair.npy');
    const lines = good.csv.trim().split('\n');
    const body = lines.slice(1);
    const variants: Record<string, [string, RegExp, RegExp]> = {
      // name: [csv text, what check says, what import says]
      'no-header': [`${body.join('\n')}\n`, /CSV_FORMAT.*header/, /CSV_FORMAT.*header/],
      'extra-columns': [
        `${['image,category,extra', ...body.map((l) => `${l},x`)].join('\n')}\n`,
        /CSV_FORMAT.*header/,
        /CSV_FORMAT.*header/,
      ],
      // (gallery import retries with a pandas index column, so its message speaks of the header)
      'extra-field-in-a-row': [
        `${[lines[0], `${body[0]},oops`, ...body.slice(1)].join('\n')}\n`,
        /CSV_FORMAT.*fields/,
        /CSV_FORMAT/,
      ],
      'duplicate-image': [
        `${[lines[0], body[0], body[1], body[2], body[0].replace(/,\d+$/, ',3')].join('\n')}\n`,
        /duplicate|already on line|twice/i,
        /INVALID_ARGUMENT.*twice|duplicate|already/i,
      ],
      'fewer-rows': [`${[lines[0], ...body.slice(0, 3)].join('\n')}\n`, /rows/, /CSV_FORMAT.*rows/],
      'not-csv': ['"unclosed quote,1\n', /CSV_FORMAT/, /CSV_FORMAT/],
    };
    for (const [name, [text, checkSays, importSays]] of Object.entries(variants)) {
      const f = join(tmp, `${name}.csv`);
      await writeFile(f, text);
      const c = await cli('check', '--npy', npy, '--csv', f);
      expect(c.code, `check ${name}`).not.toBe(0);
      expect(c.err.join('\n'), `check ${name}`).toMatch(checkSays);
      expectNoStack(c.err);
      const g = join(tmp, `g-csv-${name}`);
      const i = await cli('gallery', 'import', '--gallery', g, '--npy', npy, '--csv', f);
      expect(i.code, `import ${name}`).toBe(2);
      expect(i.err.join('\n'), `import ${name}`).toMatch(importSays);
      expectNoStack(i.err);
      const list = await cli('gallery', 'list', '--gallery', g, '--json');
      if (list.code === 0) expect(JSON.parse(list.out[0]).size, name).toBe(0);
    }
    // The good pair imports: the refusals above are about the files, not the command.
    const ok = await cli(
      'gallery',
      'import',
      '--gallery',
      join(tmp, 'g-csv-good'),
      '--npy',
      npy,
      '--csv',
      join(tmp, 'pair.csv'),
    );
    expect(ok.code, ok.err.join('\n')).toBe(0);
    expect(ok.out.join('\n')).toContain('imported 4 embeddings of 4 identities');
  });
});
