/**
 * The sign-up commands and flags on real faces: `liveness`, `attributes`, `enroll --liveness --quality` and
 * `identify --liveness --attributes`. NUAA webcam frames are read from ../shared/data/liveness-nuaa-dev (never copied);
 * the other images are the committed LFW samples and files made at test time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, DATA } from './cli-helpers.js';

const NUAA = join(__dirname, '..', '..', '..', '..', 'shared', 'data', 'liveness-nuaa-dev');
const live = join(NUAA, 'live', '0001_00_00_01_0.jpg');
const spoof = join(NUAA, 'spoof', '0001_00_00_01_0.jpg');
const sample = (name: string, n: string) => join(DATA, 'gallery', name, `${name}_${n}.jpg`);
const lines = (out: string[]) => out.filter((l) => l.trim()).map((l) => JSON.parse(l));

let tmp: string;
let grey: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'eolgul-cli-signup-'));
  grey = join(tmp, 'grey.png');
  await sharp({ create: { width: 320, height: 240, channels: 3, background: '#777777' } })
    .png()
    .toFile(grey);
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('eolgul liveness', () => {
  it('prints {image, live, score} per image in input order, and an error object for an image without a face (exit 1)', async () => {
    const r = await cli('liveness', '--json', live, spoof, grey);
    expect(r.code).toBe(1);
    const [a, b, c] = lines(r.out);
    expect(a).toMatchObject({ image: live, live: true });
    expect(b).toMatchObject({ image: spoof, live: false });
    expect(a.score).toBeGreaterThan(b.score);
    expect(c).toMatchObject({ image: grey, error: { code: 'NO_FACE' } });
  });
});

describe('eolgul attributes', () => {
  it('prints {image, age, gender, genderScore, pose} for the main face; --aligned takes the whole image as the face', async () => {
    const r = await cli('attributes', '--json', sample('Serena_Williams', '0001'), sample('Tom_Hanks', '0005'));
    expect(r.code).toBe(0);
    const [serena, tom] = lines(r.out);
    expect(serena).toMatchObject({ gender: 'female' });
    expect(tom).toMatchObject({ gender: 'male' });
    for (const a of [serena, tom]) {
      expect(Object.keys(a)).toEqual(['image', 'age', 'gender', 'genderScore', 'pose']);
      expect(Object.keys(a.pose)).toEqual(['yaw', 'pitch', 'roll']);
    }
    const crop = join(tmp, 'tom-face.png');
    await sharp(sample('Tom_Hanks', '0005')).extract({ left: 75, top: 65, width: 100, height: 130 }).png().toFile(crop);
    const [aligned] = lines((await cli('attributes', '--json', '--aligned', crop)).out);
    expect(aligned).toMatchObject({ image: crop, gender: 'male' });
  });
});

describe('eolgul enroll --liveness --quality, identify --liveness --attributes', () => {
  it('refuses a printed photo and a photo given twice, naming the reason (exit 1), and enrolls the rest', async () => {
    const g = join(tmp, 'gallery');
    const twice = join(tmp, 'copy-of-0002.jpg');
    await sharp(sample('Jackie_Chan', '0002')).toFile(twice);
    const r = await cli(
      'enroll',
      '--gallery',
      g,
      '--name',
      'Jackie Chan',
      '--liveness',
      '--quality',
      sample('Jackie_Chan', '0002'),
      sample('Jackie_Chan', '0006'),
      twice,
      spoof,
    );
    expect(r.code).toBe(1);
    expect(r.err.find((l) => l.includes('copy-of-0002.jpg'))).toMatch(
      /POOR_QUALITY.*almost the same as one already taken/,
    );
    expect(r.err.find((l) => l.includes(spoof))).toMatch(/PRESENTATION_ATTACK/);
    expect(r.out.join('\n')).toMatch(/enrolled 2 image\(s\) as "Jackie Chan"/);

    const id = await cli('identify', '--gallery', g, '--json', '--no-emotion', '--liveness', '--attributes', live);
    const [line] = lines(id.out);
    const face = line.faces.reduce((a: { box: number[] }, b: { box: number[] }) =>
      b.box[2] * b.box[3] > a.box[2] * a.box[3] ? b : a,
    );
    expect(face).toMatchObject({ live: true, gender: expect.any(String) });
    expect(Object.keys(face)).toEqual(
      expect.arrayContaining(['box', 'identity', 'distance', 'live', 'liveScore', 'age', 'genderScore', 'pose']),
    );
  });
});
