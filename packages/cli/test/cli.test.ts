import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtemp, readFile, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import sharp from 'sharp';
import { decodeNpy, l2Norm, parseCsv } from '@eolgul/core';
import { cli, DATA, facesOf, jsonLines, pythonWithNumpy } from './cli-helpers.js';

const people = ['Jackie_Chan', 'Roh_Moo-hyun', 'Serena_Williams', 'Tom_Hanks'];
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'eolgul-cli-'));
});

describe('eolgul embed + check', () => {
  it('embeds every gallery image into an NPY + CSV pair that numpy reads and check accepts', async () => {
    const prefix = join(tmp, 'emb');
    const r = await cli('embed', join(DATA, 'gallery'), '--out', prefix);
    expect(r.code).toBe(0);
    const npy = decodeNpy(await readFile(`${prefix}.npy`));
    expect(npy.shape).toEqual([16, 512]);
    for (let i = 0; i < 16; i++) expect(l2Norm(npy.data.subarray(i * 512, (i + 1) * 512))).toBeCloseTo(1, 4);
    const rows = parseCsv(await readFile(`${prefix}.csv`, 'utf8'), ['image', 'category']);
    expect(rows).toHaveLength(16);
    expect(rows[0]).toEqual({ image: 'Jackie_Chan_0002.jpg', category: '0' });
    expect(new Set(rows.map((x) => x.category)).size).toBe(4);
    const py = pythonWithNumpy();
    expect(py, 'python3 with numpy is needed to check the NPY (apt-get install python3-numpy)').toBeDefined();
    const shape = execFileSync(py!, [
      '-c',
      `import numpy as n; a=n.load(${JSON.stringify(`${prefix}.npy`)}); print(a.shape, a.dtype, round(float(n.linalg.norm(a, axis=1).mean()), 4))`,
    ])
      .toString()
      .trim();
    expect(shape).toBe('(16, 512) float32 1.0');

    const ok = await cli(
      'check',
      '--npy',
      `${prefix}.npy`,
      '--csv',
      `${prefix}.csv`,
      '--images',
      join(DATA, 'gallery'),
    );
    expect(ok.code).toBe(0);
    await writeFile(
      `${prefix}-bad.csv`,
      (await readFile(`${prefix}.csv`, 'utf8')).replace('Jackie_Chan_0002.jpg', 'Nobody_0001.jpg'),
    );
    const bad = await cli(
      'check',
      '--npy',
      `${prefix}.npy`,
      '--csv',
      `${prefix}-bad.csv`,
      '--images',
      join(DATA, 'gallery'),
    );
    expect(bad.code).toBe(1);
    expect(bad.err.join('\n')).toContain('Nobody_0001.jpg');
  });

  it('lists images without a face in <prefix>.failures.csv and leaves them out', async () => {
    const dir = await mkdtemp(join(tmp, 'flat-'));
    await sharp({ create: { width: 200, height: 200, channels: 3, background: '#808080' } })
      .jpeg()
      .toFile(join(dir, 'grey_1.jpg'));
    await writeFile(join(dir, 'broken_1.jpg'), 'not an image');
    await writeFile(
      join(dir, 'Tom_Hanks_0004.jpg'),
      await readFile(join(DATA, 'gallery', 'Tom_Hanks', 'Tom_Hanks_0004.jpg')),
    );
    const prefix = join(tmp, 'flat');
    const r = await cli('embed', dir, '--out', prefix);
    expect(r.code).toBe(0);
    expect(decodeNpy(await readFile(`${prefix}.npy`)).shape).toEqual([1, 512]);
    const failures = parseCsv(await readFile(`${prefix}.failures.csv`, 'utf8'), ['image', 'reason']);
    expect(failures.map((f) => f.image).sort()).toEqual(['broken_1.jpg', 'grey_1.jpg']);
    expect(failures.find((f) => f.image === 'grey_1.jpg')!.reason).toMatch(/NO_FACE/);
    expect(failures.find((f) => f.image === 'broken_1.jpg')!.reason).toMatch(/IMAGE_DECODE/);
  });
});

describe('eolgul enroll + identify + verify', () => {
  it('identifies enrolled people in new photos and calls a stranger unknown', async () => {
    const g = join(tmp, 'gallery');
    for (const p of people) {
      const files = (await readdir(join(DATA, 'gallery', p))).map((f) => join(DATA, 'gallery', p, f));
      const r = await cli('enroll', '--gallery', g, '--name', p, ...files);
      expect(r.code, r.err.join('\n')).toBe(0);
    }
    const probes = (await readdir(join(DATA, 'probes'))).sort().map((f) => join(DATA, 'probes', f));
    const r = await cli('identify', '--gallery', g, '--json', ...probes);
    expect(r.code, r.err.join('\n')).toBe(0);
    // One line per probe, in input order.
    expect(jsonLines(r.out).map((x) => x.image)).toEqual(probes);
    const faces = facesOf(r.out);
    for (const probe of probes) {
      const mine = faces.filter((f) => f.image === probe);
      expect(mine.length).toBeGreaterThan(0);
      // The labelled person is the central face of an LFW image.
      const central = mine.reduce((a, b) => (dist(a.box) < dist(b.box) ? a : b));
      const expected = people.find((p) => probe.includes(p)) ?? null;
      expect(central.identity, probe).toBe(expected);
      expect(Object.keys(central).sort()).toEqual(['box', 'distance', 'emotion', 'emotionScore', 'identity', 'image']);
      expect(central.distance).toBeGreaterThan(0);
      expect(central.distance).toBeLessThan(2);
    }
  });

  it('refuses an image with two faces at enrollment, naming it, and enrolls the rest', async () => {
    const a = await sharp(join(DATA, 'gallery', 'Tom_Hanks', 'Tom_Hanks_0004.jpg')).toBuffer();
    const b = await sharp(join(DATA, 'gallery', 'Serena_Williams', 'Serena_Williams_0001.jpg')).toBuffer();
    const two = join(tmp, 'two-faces.jpg');
    await sharp({ create: { width: 500, height: 250, channels: 3, background: '#000' } })
      .composite([
        { input: a, left: 0, top: 0 },
        { input: b, left: 250, top: 0 },
      ])
      .jpeg()
      .toFile(two);
    const r = await cli(
      'enroll',
      '--gallery',
      join(tmp, 'g2'),
      '--name',
      '김철수',
      two,
      join(DATA, 'gallery', 'Tom_Hanks', 'Tom_Hanks_0005.jpg'),
    );
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(/two-faces\.jpg.*MULTIPLE_FACES|MULTIPLE_FACES.*two-faces\.jpg/);
    expect(r.out.join('\n')).toContain('enrolled 1 image');
  });

  it('verifies the same person as same and different people as different', async () => {
    const same = await cli(
      'verify',
      '--json',
      join(DATA, 'gallery', 'Tom_Hanks', 'Tom_Hanks_0004.jpg'),
      join(DATA, 'probes', 'Tom_Hanks_0008.jpg'),
    );
    const diff = await cli(
      'verify',
      '--json',
      join(DATA, 'gallery', 'Tom_Hanks', 'Tom_Hanks_0004.jpg'),
      join(DATA, 'probes', 'Meryl_Streep_0001.jpg'),
    );
    expect(JSON.parse(same.out[0]).same).toBe(true);
    expect(JSON.parse(diff.out[0]).same).toBe(false);
    expect(JSON.parse(same.out[0]).distance).toBeLessThan(JSON.parse(diff.out[0]).distance);
  });
});

describe('eolgul errors and help', () => {
  it('reports a missing image on stderr with exit code 1 and still answers for the others', async () => {
    const r = await cli(
      'identify',
      '--gallery',
      join(tmp, 'gallery'),
      '--json',
      join(tmp, 'nope.jpg'),
      join(DATA, 'probes', 'Tom_Hanks_0008.jpg'),
    );
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toContain('nope.jpg');
    expect(r.out.filter((l) => l.trim()).length).toBeGreaterThan(0);
    // Its line in the JSON output is an error object, so a script can account for every input.
    const [missing, found] = jsonLines(r.out);
    expect(missing).toEqual({
      image: join(tmp, 'nope.jpg'),
      error: { code: 'IMAGE_DECODE', message: expect.stringContaining('nope.jpg') },
    });
    expect(found.faces?.length).toBeGreaterThan(0);
  });

  it('answers --help for every command and exits 2 on usage errors', async () => {
    for (const c of [
      ['embed'],
      ['enroll'],
      ['identify'],
      ['verify'],
      ['emotion'],
      ['lfw', 'eval'],
      ['lfw', 'filter'],
      ['check'],
      ['gallery', 'list'],
    ]) {
      const r = await cli(...c, '--help');
      expect(r.code, c.join(' ')).toBe(0);
      expect(r.out.join('\n')).toContain('Usage');
      // The options that go before the command are listed in its help too.
      expect(r.out.join('\n'), c.join(' ')).toMatch(/Global Options:[\s\S]*--precision/);
    }
    expect((await cli('embed')).code).toBe(2);
    expect((await cli('identify', '--gallery', tmp, '--threshold', 'abc', 'x.jpg')).code).toBe(2);
    const bad = await cli('embed', '--refine', 'dlib', '--out', join(tmp, 'x'), join(DATA, 'gallery'));
    expect(bad.code).toBe(2);
    expect(bad.err.join('\n')).toContain('mesh');
    // A usage error is followed by one line on where the help is, not the whole help.
    expect(bad.err.join('\n')).toContain("run 'eolgul --help'");
    expect(bad.err.join('\n')).not.toContain('Usage:');
  });
});

describe('eolgul lfw filter', () => {
  it('copies the people with at least n images', async () => {
    const r4 = await cli('lfw', 'filter', '--images', join(DATA, 'gallery'), '--min', '4', '--out', join(tmp, 'f4'));
    expect(r4.code).toBe(0);
    expect((await readdir(join(tmp, 'f4'))).sort()).toEqual(people);
    const r5 = await cli('lfw', 'filter', '--images', join(DATA, 'gallery'), '--min', '5', '--out', join(tmp, 'f5'));
    expect(r5.code).toBe(0);
    expect(r5.out.join('\n')).toContain('copied 0 people');
  });
});

function dist(box: number[]) {
  return Math.hypot(box[0] + box[2] / 2 - 125, box[1] + box[3] / 2 - 125);
}
