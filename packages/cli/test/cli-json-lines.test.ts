/**
 * `--json` accounts for every input: one line per image, in input order, a face-less image included (`"faces": []`)
 * and an unreadable one as an error object. Images: committed LFW samples and files made at test time.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, DATA, jsonLines } from './cli-helpers.js';

let tmp: string;
let inputs: { face: string; noFace: string; text: string; folder: string; missing: string };
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'eolgul-json-lines-'));
  inputs = {
    face: join(DATA, 'probes', 'Tom_Hanks_0008.jpg'),
    noFace: join(tmp, 'grey.png'),
    text: join(tmp, 'text.jpg'),
    folder: join(tmp, 'folder.jpg'),
    missing: join(tmp, 'missing.jpg'),
  };
  await sharp({ create: { width: 320, height: 240, channels: 3, background: '#777777' } })
    .png()
    .toFile(inputs.noFace);
  await writeFile(inputs.text, 'not a picture\n');
  await mkdir(inputs.folder);
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('one JSON line per input image', () => {
  it('identify: faces, "faces": [] for a face-less image, an error object for each unreadable input', async () => {
    const g = join(tmp, 'gallery');
    const tom = (await readdir(join(DATA, 'gallery', 'Tom_Hanks'))).map((f) => join(DATA, 'gallery', 'Tom_Hanks', f));
    expect((await cli('enroll', '--gallery', g, '--name', 'Tom', ...tom)).code).toBe(0);
    const order = [inputs.text, inputs.face, inputs.noFace, inputs.folder, inputs.missing, inputs.face];
    const r = await cli('identify', '--gallery', g, '--json', ...order);
    expect(r.code).toBe(1); // some inputs failed, and stderr lists them
    expect(r.err.filter((l) => l.startsWith('failed '))).toHaveLength(3);
    const lines = jsonLines(r.out);
    expect(lines.map((l) => l.image)).toEqual(order);
    const [text, face, noFace, folder, missing, again] = lines;
    expect(noFace).toEqual({ image: inputs.noFace, width: 320, height: 240, faces: [] });
    expect(face).toEqual(again);
    expect(face).toMatchObject({ width: 250, height: 250 });
    expect(face.faces?.map((f) => f.identity)).toContain('Tom');
    for (const bad of [text, folder, missing]) {
      expect(Object.keys(bad).sort()).toEqual(['error', 'image']);
      expect(bad.error?.code, bad.image).toBe('IMAGE_DECODE');
      expect(bad.error?.message, bad.image).toContain(bad.image);
    }
  });

  it('identify --no-emotion answers the same identities without an expression', async () => {
    const g = join(tmp, 'gallery');
    const [withEmotion] = jsonLines((await cli('identify', '--gallery', g, '--json', inputs.face)).out);
    const [without] = jsonLines((await cli('identify', '--gallery', g, '--json', '--no-emotion', inputs.face)).out);
    expect(withEmotion.faces?.every((f) => typeof f.emotion === 'string')).toBe(true);
    expect(without.faces).toEqual(withEmotion.faces?.map((f) => ({ ...f, emotion: null, emotionScore: null })));
  });

  it('emotion: one line per image with its faces; a face-less image is a NO_FACE error object', async () => {
    const order = [inputs.face, inputs.noFace, inputs.text];
    const r = await cli('emotion', '--json', ...order);
    expect(r.code).toBe(1);
    const [face, noFace, text] = jsonLines(r.out);
    expect(jsonLines(r.out).map((l) => l.image)).toEqual(order);
    expect(face.faces?.length).toBeGreaterThan(0);
    for (const f of face.faces ?? []) {
      expect(f.box).toHaveLength(4);
      expect(Object.values(f.scores ?? {}).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
    }
    expect(noFace.error?.code).toBe('NO_FACE');
    expect(text.error?.code).toBe('IMAGE_DECODE');
    const aligned = jsonLines((await cli('emotion', '--json', '--aligned', inputs.face)).out);
    expect(aligned).toHaveLength(1);
    expect(Object.keys(aligned[0].faces?.[0] ?? {}).sort()).toEqual(['emotion', 'scores']);
  });
});
