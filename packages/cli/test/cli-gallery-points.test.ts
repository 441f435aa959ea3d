/**
 * Galleries and the alignment points `enroll` records in `preprocess`: galleries from before the points were recorded,
 * enrolling with other flags, export/import (the NPY + CSV pair carries no points), `gallery list`.
 * Images: the committed LFW samples in examples/data.
 */
import { describe, expect, it } from 'vitest';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, DATA, facesOf } from './cli-helpers.js';

const TOM = join(DATA, 'gallery', 'Tom_Hanks', 'Tom_Hanks_0004.jpg');
const TOM2 = join(DATA, 'gallery', 'Tom_Hanks', 'Tom_Hanks_0005.jpg');
const PROBE = join(DATA, 'probes', 'Tom_Hanks_0008.jpg');

/** A fresh gallery with Tom_Hanks_0004 enrolled with `flags`. */
async function enrolled(...flags: string[]): Promise<string> {
  const g = join(await mkdtemp(join(tmpdir(), 'eolgul-points-')), 'gallery');
  const r = await cli(...flags, 'enroll', '--gallery', g, '--name', 'Tom', TOM);
  expect(r.code, r.err.join('\n')).toBe(0);
  return g;
}

describe('a gallery enrolled before the CLI recorded its alignment points (preprocess "arcface")', () => {
  it('identify says why it refuses and what to do, and following the advice works', async () => {
    const g = await enrolled('--refine', 'none');
    const manifestPath = join(g, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    expect(manifest.preprocess).toBe('arcface, 5 points fr_detect+68');
    // As written by the CLI before commit c8de9e9 (the default then was --refine none).
    await writeFile(manifestPath, JSON.stringify({ ...manifest, preprocess: 'arcface' }));
    for (const flags of [[], ['--refine', 'none']]) {
      const r = await cli(...flags, 'identify', '--gallery', g, '--json', PROBE);
      const err = r.err.join('\n');
      expect(r.code).toBe(2);
      expect(err).toContain('GALLERY_MISMATCH');
      // It used to say only: gallery was built with preprocess "arcface", but "arcface, 5 points fr_detect+onet" was requested
      expect(err).toContain('before eolgul recorded its alignment points');
      expect(err).toContain('Enroll the images again into a new gallery');
      expect(err).toContain(`set "preprocess" to "arcface, 5 points fr_detect+68" in ${manifestPath}`);
    }
    const legacy = await cli('enroll', '--gallery', g, '--name', 'Tom', TOM2);
    expect(legacy.code).toBe(2);
    expect(legacy.err.join('\n')).toContain('run enroll with --refine none');
    // The advice: label it with the old default's points and run with --refine none.
    await writeFile(manifestPath, JSON.stringify({ ...manifest, preprocess: 'arcface, 5 points fr_detect+68' }));
    const ok = await cli('--refine', 'none', 'identify', '--gallery', g, '--json', PROBE);
    expect(ok.code, ok.err.join('\n')).toBe(0);
    expect(facesOf(ok.out)[0].identity).toBe('Tom');
  }, 60_000);
});

describe('other flags than the gallery was enrolled with', () => {
  it('enroll refuses before analysing any image, naming the flags that match the gallery', async () => {
    const g = await enrolled();
    // A missing file in the batch: it used to be analysed (and reported "refused ...") before the gallery was opened.
    const r = await cli(
      '--refine',
      'none',
      'enroll',
      '--gallery',
      g,
      '--name',
      'Tom',
      join(DATA, 'no-such-file.jpg'),
      TOM2,
    );
    const err = r.err.join('\n');
    expect(r.code).toBe(2);
    expect(r.err.filter((l) => l.startsWith('refused'))).toEqual([]);
    expect(err).toContain('GALLERY_MISMATCH');
    expect(err).toContain(
      'Run enroll with --detector fr_detect --refine onet, or enroll the images into another gallery',
    );
    const list = JSON.parse((await cli('gallery', 'list', '--gallery', g, '--json')).out[0]);
    expect(list.size).toBe(1);
  }, 60_000);

  it('identify names the flags of the gallery for each other alignment', async () => {
    const g = await enrolled('--detector', 'mtcnn');
    for (const flags of [[], ['--refine', 'none'], ['--refine', 'mesh']]) {
      const r = await cli(...flags, 'identify', '--gallery', g, '--json', PROBE);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.err.join('\n')).toContain('was enrolled with --detector mtcnn (preprocess "arcface, 5 points mtcnn")');
      expect(r.err.join('\n')).toContain(
        'Run identify with --detector mtcnn, or enroll the images again into a new gallery',
      );
    }
    // A gallery made by the library with its own preprocess string: named once, no flags to suggest.
    const manifest = JSON.parse(await readFile(join(g, 'manifest.json'), 'utf8'));
    await writeFile(join(g, 'manifest.json'), JSON.stringify({ ...manifest, preprocess: 'standardize' }));
    const custom = await cli('identify', '--gallery', g, '--json', PROBE);
    expect(custom.code).toBe(2);
    expect(custom.err.join('\n')).toContain(
      `gallery ${g} was enrolled with preprocess "standardize", this run uses --detector fr_detect --refine onet, the defaults`,
    );
    expect(custom.err.join('\n')).toContain('Enroll the images again into a new gallery');
    await writeFile(join(g, 'manifest.json'), JSON.stringify(manifest));
    // --refine onet with --detector mtcnn gives MTCNN's own points: the same gallery.
    expect(
      (await cli('--detector', 'mtcnn', '--refine', 'onet', 'identify', '--gallery', g, '--json', PROBE)).code,
    ).toBe(0);
  }, 60_000);
});

describe('watch', () => {
  it('names the flags of the gallery too, before decoding any frame', async () => {
    const g = await enrolled();
    const frames = join(g, '..', 'frames');
    await mkdir(frames);
    for (let i = 0; i < 2; i++) await copyFile(PROBE, join(frames, `f${i}.jpg`));
    const video = join(g, '..', 'clip.mp4');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-framerate',
      '5',
      '-i',
      join(frames, 'f%d.jpg'),
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-vf',
      'scale=250:250',
      video,
    ]);
    const r = await cli('--refine', 'none', 'watch', video, '--gallery', g, '--json');
    expect(r.code).toBe(2);
    expect(r.out.filter((l) => l.trim())).toEqual([]);
    expect(r.err.join('\n')).toContain(
      'Run watch with --detector fr_detect --refine onet, or enroll the images again into a new gallery',
    );
    expect((await cli('watch', video, '--gallery', g, '--json')).code).toBe(0);
  }, 60_000);
});

describe('gallery export / import and list', () => {
  it('list shows the recorded alignment; an imported gallery records none, and identify warns instead of trusting it silently', async () => {
    const g = await enrolled();
    const list = await cli('gallery', 'list', '--gallery', g);
    expect(list.out[0]).toContain('aligned with --detector fr_detect --refine onet, the defaults');
    expect(JSON.parse((await cli('gallery', 'list', '--gallery', g, '--json')).out[0]).preprocess).toBe(
      'arcface, 5 points fr_detect+onet',
    );
    const dir = join(g, '..');
    expect((await cli('gallery', 'export', '--gallery', g, '--out', join(dir, 'pair'))).code).toBe(0);
    const g2 = join(dir, 'imported');
    expect(
      (await cli('gallery', 'import', '--gallery', g2, '--npy', join(dir, 'pair.npy'), '--csv', join(dir, 'pair.csv')))
        .code,
    ).toBe(0);
    expect(JSON.parse((await cli('gallery', 'list', '--gallery', g2, '--json')).out[0]).preprocess).toBeNull();
    expect((await cli('gallery', 'list', '--gallery', g2)).out[0]).toContain('alignment not recorded');
    // Any alignment is accepted for it (nothing to compare with), but no longer without a word.
    const r = await cli('--refine', 'mesh', 'identify', '--gallery', g2, '--json', PROBE);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(facesOf(r.out)[0].identity).toBe('Tom');
    expect(r.err.join('\n')).toContain(`warning: gallery ${g2} does not record how its faces were aligned`);
    expect(r.err.join('\n')).toContain('(--refine mesh)');
  }, 60_000);

  it('import into a gallery that records its alignment warns that the pair carries none (it merged the rows silently), and counts the rows imported', async () => {
    const none = await enrolled('--refine', 'none');
    const dir = join(none, '..');
    expect((await cli('gallery', 'export', '--gallery', none, '--out', join(dir, 'pair'))).code).toBe(0);
    const g = join(dir, 'onet');
    expect((await cli('enroll', '--gallery', g, '--name', 'Tom', TOM2)).code).toBe(0);
    const r = await cli(
      'gallery',
      'import',
      '--gallery',
      g,
      '--npy',
      join(dir, 'pair.npy'),
      '--csv',
      join(dir, 'pair.csv'),
    );
    expect(r.code, r.err.join('\n')).toBe(0);
    // It used to print the gallery's total as the count imported ("imported 2 embeddings").
    expect(r.out[0]).toBe(`imported 1 embeddings into ${g}, which now holds 2 embeddings of 1 identities`);
    expect(r.err.join('\n')).toContain(
      `warning: ${join(dir, 'pair.npy')} carries no record of how its faces were aligned`,
    );
    expect(r.err.join('\n')).toContain('records --detector fr_detect --refine onet, the defaults');
  }, 60_000);
});
