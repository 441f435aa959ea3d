/**
 * `--files-from`: the list formats (`inputPaths`, by hand-made lists) and the option on each batch command (enroll,
 * identify, emotion, embed) with real sample images. The 2000-image runs are in cli-many-images.test.ts.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, parseCsv } from '@eolgul/core';
import { inputPaths } from '../src/cli-inputs.js';
import { cli, DATA, facesOf, jsonLines } from './cli-helpers.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'eolgul-files-from-'));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** A list file with these contents. */
async function list(name: string, text: string): Promise<string> {
  const f = join(tmp, name);
  await writeFile(f, text);
  return f;
}

describe('inputPaths', () => {
  it('reads one path per line, CRLF too, skipping empty lines and keeping spaces; arguments come first', async () => {
    const f = await list('lines.txt', 'a.jpg\r\n\n  b c.jpg \nd.jpg');
    expect(await inputPaths(['x.jpg'], { filesFrom: f })).toEqual(['x.jpg', 'a.jpg', '  b c.jpg ', 'd.jpg']);
  });

  it('reads NUL-separated paths with --null, where a newline is part of a name', async () => {
    const f = await list('nul.bin', 'a.jpg\0line\nbreak.jpg\0\0b.jpg\0');
    expect(await inputPaths([], { filesFrom: f, null: true })).toEqual(['a.jpg', 'line\nbreak.jpg', 'b.jpg']);
  });

  it('reads standard input for -, across chunk boundaries inside a UTF-8 character', async () => {
    // '사' is 3 bytes in UTF-8: the stream splits it, and the bytes must be joined before decoding.
    const name = Buffer.from('사진.jpg\n');
    const stdin = (async function* () {
      yield name.subarray(0, 2);
      yield name.subarray(2);
    })();
    expect(await inputPaths([], { filesFrom: '-' }, stdin)).toEqual(['사진.jpg']);
  });

  it('refuses a missing list, an empty one, -0 without a list and no input at all', async () => {
    await expect(inputPaths([], { filesFrom: join(tmp, 'nope.txt') })).rejects.toThrow(
      /cannot read --files-from .*nope\.txt/,
    );
    await expect(inputPaths([], { filesFrom: await list('empty.txt', '\n\n') })).rejects.toThrow(/lists no path/);
    await expect(inputPaths(['a.jpg'], { null: true })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(inputPaths([], {})).rejects.toThrow(/no input images/);
  });
});

describe('--files-from on each batch command', () => {
  const tom = ['0004', '0005'].map((n) => join(DATA, 'gallery', 'Tom_Hanks', `Tom_Hanks_${n}.jpg`));
  const probe = join(DATA, 'probes', 'Tom_Hanks_0008.jpg');

  it('enroll, identify and emotion take their images from the list, after those on the command line', async () => {
    const g = join(tmp, 'gallery');
    const enroll = await cli(
      'enroll',
      '--gallery',
      g,
      '--name',
      'Tom',
      tom[0],
      '--files-from',
      await list('e.txt', `${tom[1]}\n`),
    );
    expect(enroll.code, enroll.err.join('\n')).toBe(0);
    expect(enroll.out.join('\n')).toContain('enrolled 2 image(s)');
    const ids = await list('i.txt', `${probe}\n${join(DATA, 'probes', 'Meryl_Streep_0001.jpg')}\n`);
    const identify = await cli('identify', '--gallery', g, '--json', '--files-from', ids);
    expect(identify.code, identify.err.join('\n')).toBe(0);
    expect(jsonLines(identify.out).map((l) => l.image)).toEqual([probe, join(DATA, 'probes', 'Meryl_Streep_0001.jpg')]);
    expect(facesOf(identify.out)[0].identity).toBe('Tom');
    const emotion = await cli('emotion', '--json', '--files-from', ids, '--null');
    // The newline list read as NUL-separated is one path that does not exist: named, not split.
    expect(emotion.code).toBe(1);
    expect(emotion.err.join('\n')).toContain('IMAGE_DECODE');
    expect(jsonLines(emotion.out)).toHaveLength(1);
    const ok = await cli('emotion', '--json', '--files-from', ids);
    expect(ok.code, ok.err.join('\n')).toBe(0);
    expect(jsonLines(ok.out).map((l) => l.image)).toEqual([probe, join(DATA, 'probes', 'Meryl_Streep_0001.jpg')]);
  });

  it('embed embeds the listed images instead of walking the folder, naming identities after their folders in it', async () => {
    const prefix = join(tmp, 'emb');
    const listed = [...tom, join(DATA, 'gallery', 'Jackie_Chan', 'Jackie_Chan_0002.jpg')];
    const r = await cli(
      'embed',
      join(DATA, 'gallery'),
      '--out',
      prefix,
      '--files-from',
      await list('m.txt', listed.join('\n')),
    );
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.out.join('\n')).toContain('embedded 3 of 3 images (2 identities');
    const rows = parseCsv(await readFile(`${prefix}.csv`, 'utf8'), ['image', 'category']);
    expect(rows).toEqual([
      { image: 'Tom_Hanks_0004.jpg', category: '1' },
      { image: 'Tom_Hanks_0005.jpg', category: '1' },
      { image: 'Jackie_Chan_0002.jpg', category: '0' },
    ]);
  });

  it('a batch command with neither images nor a list is a usage error', async () => {
    const r = await cli('identify', '--gallery', join(tmp, 'gallery'), '--json');
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toContain('no input images');
  });
});
