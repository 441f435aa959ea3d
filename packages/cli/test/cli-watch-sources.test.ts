/**
 * What `eolgul watch` accepts as a video and how it reports one that ends early: regular files (any name, `:` too)
 * and http URLs (served here on 127.0.0.1); a FIFO, a folder, a device, a missing file or another URL scheme refused
 * with VIDEO_DECODE before ffmpeg opens it; a truncated MP4 or WebM decoded as far as it goes, with a warning that
 * counts the frames, and exit code 1. Videos are made at test time with ffmpeg from a committed LFW photo.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, DATA, jsonLines } from './cli-helpers.js';

const FRAMES = 30;
let tmp: string;
let gallery: string;
let mp4: string;
let webm: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'eolgul-watch-src-'));
  gallery = join(tmp, 'gallery');
  const tom = (await readdir(join(DATA, 'gallery', 'Tom_Hanks'))).map((f) => join(DATA, 'gallery', 'Tom_Hanks', f));
  expect((await cli('enroll', '--gallery', gallery, '--name', 'Tom', ...tom)).code).toBe(0);
  // 3 s at 10 fps of a probe photo under changing noise, so that every frame is coded on its own and a cut file
  // loses frames; a key frame every 5 frames.
  const encode = (out: string, codec: string[]) =>
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-loop', '1', '-i', join(DATA, 'probes', 'Tom_Hanks_0008.jpg')],
      ...['-t', String(FRAMES / 10), '-r', '10', '-vf', 'noise=alls=20:allf=t', '-g', '5', ...codec, out],
    ]);
  mp4 = join(tmp, 'clip.mp4');
  encode(mp4, ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart']);
  webm = join(tmp, 'clip.webm');
  encode(webm, ['-c:v', 'libvpx', '-b:v', '300k']);
}, 120_000);
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** The first `fraction` of a file's bytes, as a new file. */
async function truncated(file: string, fraction: number): Promise<string> {
  const bytes = await readFile(file);
  const out = join(tmp, `cut-${basename(file)}`);
  await writeFile(out, bytes.subarray(0, Math.floor(bytes.length * fraction)));
  return out;
}

describe('eolgul watch: what it reads', () => {
  it('refuses a FIFO, a folder, a device, a missing file and an ftp:// URL at once, with VIDEO_DECODE naming it', async () => {
    const fifo = join(tmp, 'fifo.mp4');
    execFileSync('mkfifo', [fifo]);
    await mkdir(join(tmp, 'folder.mp4'));
    const cases: [string, RegExp][] = [
      [fifo, /FIFO/], // used to block ffprobe until killed
      [join(tmp, 'folder.mp4'), /folder/],
      ['/dev/null', /device/],
      [join(tmp, 'missing.mp4'), /no such file/], // used to say IMAGE_DECODE
      ['ftp://127.0.0.1/clip.mp4', /ftp:\/\/ URLs are not supported/],
    ];
    for (const [source, why] of cases) {
      const t0 = performance.now();
      const r = await cli('watch', source, '--gallery', gallery, '--json');
      expect(r.code, source).toBe(2);
      expect(
        r.out.filter((l) => l.trim()),
        source,
      ).toEqual([]);
      const err = r.err.join('\n');
      expect(err, source).toContain(`VIDEO_DECODE: cannot decode video ${source}: `);
      expect(err, source).toMatch(why);
      expect(performance.now() - t0, source).toBeLessThan(10_000);
    }
  }, 60_000);

  it('reads a file whose name holds a colon, and an http URL', async () => {
    const colon = join(tmp, 'take:2.mp4');
    await copyFile(mp4, colon);
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      createReadStream(mp4).pipe(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/clip.mp4`;
    try {
      for (const source of [colon, url]) {
        const r = await cli('watch', source, '--gallery', gallery, '--json', '--every', '10');
        expect(r.code, `${source}: ${r.err.join('\n')}`).toBe(0);
        const frames = jsonLines(r.out) as unknown as { frame: number; faces: { identity: string | null }[] }[];
        expect(frames.map((f) => f.frame)).toEqual([0, 10, 20]);
        for (const f of frames) expect(f.faces.map((x) => x.identity)).toContain('Tom');
        expect(r.err.join('\n')).not.toContain('warning');
      }
    } finally {
      server.close();
    }
  }, 120_000);
});

describe('eolgul watch: a video that ends early', () => {
  it.each([
    ['MP4 (the container records 30 frames)', () => mp4],
    ['WebM (30 frames from its duration)', () => webm],
  ])(
    '%s: whole, no warning; cut at 60 %%, the frames decoded, a warning that counts them, exit 1',
    async (_, file) => {
      const whole = await cli('watch', file(), '--gallery', gallery, '--json', '--every', '10');
      expect(whole.code, whole.err.join('\n')).toBe(0);
      expect(whole.err.join('\n')).not.toContain('warning');
      const cut = await truncated(file(), 0.6);
      expect((await stat(cut)).size).toBeGreaterThan(0);
      const r = await cli('watch', cut, '--gallery', gallery, '--json', '--every', '10');
      expect(r.code).toBe(1);
      const frames = jsonLines(r.out) as unknown as { frame: number }[];
      expect(frames.length).toBeGreaterThan(0); // what could be decoded is still analysed
      const warning = r.err.find((l) => l.startsWith(`warning: video ${cut}: truncated or damaged: `));
      expect(warning, r.err.join('\n')).toBeDefined();
      const [decoded, expected] = /: (\d+) of (\d+) frames decoded/.exec(warning!)!.slice(1).map(Number);
      expect(expected).toBe(FRAMES);
      expect(decoded).toBeGreaterThan(frames.at(-1)!.frame);
      expect(decoded).toBeLessThan(FRAMES);
    },
    120_000,
  );
});
