// Regression tests for findings of an adversarial review: each one failed before its fix.
import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import sharp from 'sharp';
import { createFaceDetector, readImage } from '@eolgul/detector';
import { InvalidArgumentError } from '@eolgul/core';
import { cli, DATA } from './cli-helpers.js';

const tom = async () =>
  (await readdir(join(DATA, 'gallery', 'Tom_Hanks'))).map((f) => join(DATA, 'gallery', 'Tom_Hanks', f));

describe('argument checks', () => {
  it('refuses blank, negative or non-decimal thresholds and absurd worker counts as usage errors', async () => {
    const probe = join(DATA, 'probes', 'Tom_Hanks_0008.jpg');
    for (const t of ['', ' ', '-1', '0x10', '1e3']) {
      expect(
        (await cli('identify', '--gallery', tmpdir(), '--threshold', t, probe)).code,
        `threshold ${JSON.stringify(t)}`,
      ).toBe(2);
      expect((await cli('verify', '--threshold', t, probe, probe)).code, `verify threshold ${JSON.stringify(t)}`).toBe(
        2,
      );
    }
    expect((await cli('embed', join(DATA, 'gallery'), '--out', join(tmpdir(), 'x'), '--workers', '1000000')).code).toBe(
      2,
    );
  });

  it('detector options out of range throw InvalidArgumentError instead of silently losing faces', async () => {
    const detector = await createFaceDetector();
    try {
      const image = await readImage(join(DATA, 'probes', 'Tom_Hanks_0008.jpg'));
      for (const bad of [
        { maxFaces: -1 },
        { maxFaces: 0.5 },
        { iouThreshold: NaN },
        { iouThreshold: -1 },
        { landmarkPasses: 3 as 1 },
      ]) {
        await expect(detector.detect(image, bad), JSON.stringify(bad)).rejects.toThrow(InvalidArgumentError);
      }
    } finally {
      await detector.dispose();
    }
  });
});

describe('names and gallery files', () => {
  it('treats NFC and NFD spellings of a name as one identity and refuses a blank name', async () => {
    const g = join(await mkdtemp(join(tmpdir(), 'eolgul-brk-')), 'g');
    const [a, b] = await tom();
    expect((await cli('enroll', '--gallery', g, '--name', 'Jos\u00e9', a)).code).toBe(0);
    expect((await cli('enroll', '--gallery', g, '--name', 'Jose\u0301 ', b)).code).toBe(0);
    const list = await cli('gallery', 'list', '--gallery', g, '--json');
    expect(JSON.parse(list.out[0]).identities).toEqual(['Jos\u00e9']);
    expect((await cli('enroll', '--gallery', g, '--name', ' \u200b ', a)).code).toBe(2);
  });

  it('refuses to export into the gallery folder itself', async () => {
    const g = join(await mkdtemp(join(tmpdir(), 'eolgul-brk-')), 'g');
    expect((await cli('enroll', '--gallery', g, '--name', 'Tom', ...(await tom()))).code).toBe(0);
    const r = await cli('gallery', 'export', '--gallery', g, '--out', join(g, 'identities'));
    expect(r.code).toBe(2);
    expect((await cli('gallery', 'list', '--gallery', g)).code).toBe(0);
  });
});

describe('eolgul watch on a phone-style rotated video', () => {
  it('reads frames in their display orientation and recognises the face', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'eolgul-rot-'));
    const g = join(tmp, 'g');
    expect((await cli('enroll', '--gallery', g, '--name', 'Tom', ...(await tom()))).code).toBe(0);
    // Stored sideways (320×250), with a display rotation that turns it upright (250×320) on screen, as phones record.
    const upright = await sharp({ create: { width: 250, height: 320, channels: 3, background: '#406080' } })
      .composite([{ input: join(DATA, 'probes', 'Tom_Hanks_0008.jpg'), left: 0, top: 35 }])
      .png()
      .toBuffer();
    await sharp(upright).rotate(90).png().toFile(join(tmp, 'f.png'));
    const video = join(tmp, 'rot.mp4');
    const plain = join(tmp, 'plain.mp4');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-loop',
      '1',
      '-i',
      join(tmp, 'f.png'),
      '-t',
      '0.4',
      '-r',
      '5',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      plain,
    ]);
    execFileSync('ffmpeg', ['-v', 'error', '-i', plain, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', video]); // a display rotation, as phones write
    const r = await cli('watch', video, '--gallery', g, '--json');
    expect(r.code, r.err.join('\n')).toBe(0);
    const frames = r.out.filter((l) => l.trim()).map((l) => JSON.parse(l));
    expect(frames.length).toBeGreaterThan(0);
    for (const f of frames) expect(f.faces.map((x: { identity: string | null }) => x.identity)).toContain('Tom');
  });
});

describe('gallery remove with a name that is also an image id', () => {
  it('refuses the ambiguous form and removes exactly what --image or --identity says', async () => {
    const g = join(await mkdtemp(join(tmpdir(), 'eolgul-brk-')), 'g');
    const jackie = join(DATA, 'gallery', 'Jackie_Chan', 'Jackie_Chan_0002.jpg');
    const [t1, t2] = await tom();
    expect((await cli('enroll', '--gallery', g, '--name', 'Tom_Hanks_0004.jpg', jackie)).code).toBe(0);
    expect((await cli('enroll', '--gallery', g, '--name', 'Tom', t1, t2)).code).toBe(0);
    const ambiguous = await cli('gallery', 'remove', '--gallery', g, 'Tom_Hanks_0004.jpg');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.err.join('\n')).toMatch(/both an identity and an image/);
    expect((await cli('gallery', 'remove', '--gallery', g, '--image', 'Tom_Hanks_0004.jpg')).out.join('')).toContain(
      'removed 1',
    );
    const list = JSON.parse((await cli('gallery', 'list', '--gallery', g, '--json')).out[0]);
    expect(list.identities.sort()).toEqual(['Tom', 'Tom_Hanks_0004.jpg']);
    expect(list.size).toBe(2);
    expect((await cli('gallery', 'remove', '--gallery', g, '--identity', 'Tom_Hanks_0004.jpg')).code).toBe(0);
    expect(JSON.parse((await cli('gallery', 'list', '--gallery', g, '--json')).out[0]).identities).toEqual(['Tom']);
  });
});

describe('eolgul check --gallery', () => {
  it('says a sound gallery is consistent and a damaged one is not', async () => {
    const { writeFile, readFile } = await import('node:fs/promises');
    const g = join(await mkdtemp(join(tmpdir(), 'eolgul-chk-')), 'g');
    expect((await cli('enroll', '--gallery', g, '--name', 'Tom', ...(await tom()))).code).toBe(0);
    const ok = await cli('check', '--gallery', g);
    expect(ok.code, ok.err.join('\n')).toBe(0);
    expect(ok.out.join('')).toContain('1 identities, 4 embeddings, dimension 512');
    const npy = join(g, 'embeddings.npy');
    const bytes = await readFile(npy);
    await writeFile(npy, bytes.subarray(0, bytes.length - 100)); // torn data behind the gallery's back
    const bad = await cli('check', '--gallery', g);
    expect(bad.code).toBe(1);
    expect(bad.err.join('\n')).toMatch(/problem: /);
    expect((await cli('check')).code).toBe(2);
  });
});
