/**
 * Many images in one run: 2000 absolute image paths on the command line (about 100 KB of arguments, where every
 * command that loaded a model used to die with SIGSEGV past about 29 KB) and the same list through `--files-from`.
 * The built `eolgul` bin runs in a child process, since the length of its own command line is what is tested.
 * The images are symbolic links, under 2000 distinct names, to the 26 committed LFW sample photos.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, DATA, jsonLines } from './cli-helpers.js';

const BIN = join(__dirname, '..', 'dist', 'cli.js');
const N = 2000;
const people = ['Jackie_Chan', 'Roh_Moo-hyun', 'Serena_Williams', 'Tom_Hanks'];

let tmp: string;
let gallery: string;
let paths: string[];
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'eolgul-many-'));
  gallery = join(tmp, 'gallery');
  const galleryImages: Record<string, string[]> = {};
  for (const p of people) {
    galleryImages[p] = (await readdir(join(DATA, 'gallery', p))).map((f) => join(DATA, 'gallery', p, f));
    expect((await cli('enroll', '--gallery', gallery, '--name', p, ...galleryImages[p])).code).toBe(0);
  }
  const samples = [
    ...(await readdir(join(DATA, 'probes'))).map((f) => join(DATA, 'probes', f)),
    ...people.flatMap((p) => galleryImages[p]),
  ];
  const dir = join(tmp, 'images with a long folder name, so that the paths are long as real ones are');
  await mkdir(dir);
  paths = [];
  for (let i = 0; i < N; i++) {
    const target = samples[i % samples.length];
    const link = join(dir, `${String(i).padStart(4, '0')}-${basename(target)}`);
    await symlink(target, link);
    paths.push(link);
  }
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Runs the built bin with `args`, writing `stdin` to it; resolves with its exit code or signal and its output. */
function runBin(args: string[], stdin = '') {
  return new Promise<{ code: number | null; signal: string | null; out: string[]; err: string; pid: number }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, out: out.split('\n'), err, pid: child.pid! }));
      child.stdin.end(stdin);
    },
  );
}

/** Every line answers its input, in order, and names the person of the photo (Meryl Streep is not enrolled). */
function expectEveryImageAnswered(out: string[]) {
  const lines = jsonLines(out);
  expect(lines.map((l) => l.image)).toEqual(paths);
  let named = 0;
  for (const line of lines) {
    expect(line.error, line.image).toBeUndefined();
    const expected = people.find((p) => line.image.includes(p)) ?? null;
    // The labelled person is the face nearest the centre of an LFW photo.
    const central = line.faces!.reduce((a, b) => (offCentre(a.box) < offCentre(b.box) ? a : b));
    if (central.identity === expected) named++;
  }
  expect(named).toBe(N);
}

describe(`${N} absolute image paths in one run of the built bin`, () => {
  it('on the command line: no crash, one answer per image', async () => {
    expect(existsSync(BIN), 'run `pnpm build` first: this test runs the built CLI').toBe(true);
    const args = ['identify', '--gallery', gallery, '--json', '--no-emotion', ...paths];
    expect(args.join(' ').length).toBeGreaterThan(100_000);
    const r = await runBin(args);
    expect(r.signal, r.err).toBeNull();
    expect(r.code, r.err).toBe(0);
    expectEveryImageAnswered(r.out);
    // ONNX Runtime's telemetry SDK, whose start crashed on long command lines, also left this file behind.
    expect(existsSync(join(tmpdir(), `mat-debug-${r.pid}.log`))).toBe(false);
  }, 600_000);

  it('through --files-from - with NUL-separated paths on standard input', async () => {
    const r = await runBin(
      ['identify', '--gallery', gallery, '--json', '--no-emotion', '--files-from', '-', '-0'],
      `${paths.join('\0')}\0`,
    );
    expect(r.code, r.err).toBe(0);
    expectEveryImageAnswered(r.out);
  }, 600_000);
});

function offCentre(box: number[]) {
  return Math.hypot(box[0] + box[2] / 2 - 125, box[1] + box[3] / 2 - 125);
}
