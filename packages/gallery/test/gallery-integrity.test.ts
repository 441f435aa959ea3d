/**
 * Integrity of gallery directories made by the real CLI (`eolgul enroll` on the committed sample photos): every kind of
 * damage to every file is refused with GALLERY_CORRUPT, by the library and by `eolgul identify`; read-only folders
 * and file systems open and answer as a non-root user; full disks and refused writes are typed errors that leave the
 * gallery as it was.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmod, chown, cp, mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkGallery, openGallery } from '../src/node.js';
import { rng, unitVector } from './gallery-test-data.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const cli = path.join(root, 'packages/cli/dist/cli.js');
const photos = (name: string) => path.join(root, 'examples/data/gallery', name);
const probe = path.join(root, 'examples/data/probes/Tom_Hanks_0008.jpg');
const isRoot = process.getuid?.() === 0;

let tmp: string;
let pristine: string;

async function enroll(gallery: string, name: string, folder: string): Promise<void> {
  const files = (await readdir(photos(folder))).map((f) => path.join(photos(folder), f));
  await run(process.execPath, [cli, 'enroll', '--gallery', gallery, '--name', name, ...files]);
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'eolgul-integrity-'));
  pristine = path.join(tmp, 'pristine');
  await enroll(pristine, 'Tom Hanks', 'Tom_Hanks');
  await enroll(pristine, 'Jackie Chan', 'Jackie_Chan');
  // One exclusion, so that excluded-images.csv holds a row too.
  const g = await openGallery(pristine);
  await g.excludeImage('Jackie_Chan_0002.jpg');
  await g.close();
}, 300_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

type Damage = (file: string) => Promise<void>;

/** A byte position inside the part of `file` that the gallery commits, away from the edges. */
async function middle(file: string): Promise<number> {
  const { size } = await stat(file);
  return Math.floor(size / 2);
}

const damages: Record<string, Damage> = {
  truncated: async (f) => truncate(f, Math.max(0, (await stat(f)).size - 7)),
  'one bit flipped': async (f) => {
    const b = await readFile(f);
    // In the manifest, inside the dimension's digits (its preprocess label is the one field users may edit).
    const at = f.endsWith('manifest.json') ? b.indexOf('"dimension"') + 14 : await middle(f);
    b[at] ^= 0x04;
    await writeFile(f, b);
  },
  'digits changed, same length': async (f) => {
    const b = await readFile(f);
    const text = b.toString('latin1');
    // The last digit (for embeddings.npy: one in the header, which says the shape).
    const at = f.endsWith('.npy')
      ? text.search(/\d/)
      : text.length - 1 - [...text].reverse().findIndex((c) => /\d/.test(c));
    b[at] = b[at] === 0x39 ? 0x38 : b[at] + 1;
    await writeFile(f, b);
  },
  deleted: async (f) => rm(f),
};

const FILES = ['manifest.json', 'commit.json', 'embeddings.npy', 'index.csv', 'identities.csv', 'excluded-images.csv'];

describe('a damaged gallery never answers', () => {
  it('every file × truncation, a flipped bit, changed digits, deletion: GALLERY_CORRUPT naming the file', async () => {
    const g = await openGallery(pristine, { readOnly: true });
    const probeVector = g.toPair().embeddings.subarray(0, g.dimension);
    await g.close();
    const report = await checkGallery(pristine);
    expect(report).toMatchObject({ ok: true, checksums: 'verified', rows: 8, identities: 2 });
    for (const file of FILES) {
      for (const [kind, damage] of Object.entries(damages)) {
        const dir = path.join(tmp, 'damaged');
        await rm(dir, { recursive: true, force: true });
        await cp(pristine, dir, { recursive: true });
        await damage(path.join(dir, file));
        const err = await openGallery(dir)
          .then((d) => d.identify(probeVector))
          .catch((e: unknown) => e);
        expect(err, `${file} ${kind}`).toMatchObject({ code: 'GALLERY_CORRUPT' });
        expect((err as Error).message, `${file} ${kind}`).toContain(
          file === 'commit.json' && kind === 'deleted' ? 'commit.json' : file,
        );
        const checked = await checkGallery(dir);
        expect(checked.ok, `${file} ${kind}: check`).toBe(false);
        expect(checked.problems.join('\n'), `${file} ${kind}: check`).toContain(file);
      }
    }
  }, 120_000);

  it('eolgul identify refuses each damaged file with GALLERY_CORRUPT (exit 2, nothing identified)', async () => {
    for (const file of FILES) {
      const dir = path.join(tmp, `cli-${file}`);
      await cp(pristine, dir, { recursive: true });
      await damages['digits changed, same length'](path.join(dir, file));
      const r = spawnSync(process.execPath, [cli, 'identify', '--gallery', dir, '--json', probe], { encoding: 'utf8' });
      expect([file, r.status]).toEqual([file, 2]);
      expect(r.stderr).toContain('GALLERY_CORRUPT');
      expect(r.stdout).not.toContain('Tom Hanks');
    }
  }, 300_000);

  it('the pristine gallery answers: the probe is Tom Hanks', async () => {
    const r = spawnSync(process.execPath, [cli, 'identify', '--gallery', pristine, '--json', probe], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('"Tom Hanks"');
  }, 120_000);
});

/** Runs a script as the unprivileged user `nobody` (the tests run as root in CI). */
function asNobody(script: string): { status: number | null; out: string; err: string } {
  const r = spawnSync(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', script],
    {
      encoding: 'utf8',
      cwd: tmp,
    },
  );
  return { status: r.status, out: r.stdout, err: r.stderr };
}

describe.runIf(isRoot)('readers never need write access', () => {
  const node = path.join(root, 'packages/gallery/dist/node.js');

  it('a folder the user cannot write: open, identify, check work; a change says PERMISSION_DENIED naming the path', async () => {
    const dir = path.join(tmp, 'not-writable');
    await cp(pristine, dir, { recursive: true });
    // Owned by nobody, but read-only for everyone (as on a shared, read-only copy).
    for (const f of await readdir(dir)) {
      await chown(path.join(dir, f), 65534, 65534);
      await chmod(path.join(dir, f), 0o400);
    }
    await chown(dir, 65534, 65534);
    await chmod(dir, 0o500);
    await chmod(tmp, 0o755);
    const r = asNobody(`
      const { openGallery, checkGallery } = await import(${JSON.stringify(node)});
      const g = await openGallery(${JSON.stringify(dir)});
      const [m] = g.identify(g.toPair().embeddings.subarray(0, g.dimension));
      console.log(JSON.stringify({ who: process.getuid(), identity: m.identity, check: (await checkGallery(${JSON.stringify(dir)})).ok }));
      const v = new Float32Array(g.dimension); v[0] = 1;
      const err = await g.enroll('Eve', [v], ['eve.jpg']).catch((e) => e);
      console.log(JSON.stringify({ code: err.code, message: err.message }));
      const ro = await openGallery(${JSON.stringify(dir)}, { readOnly: true });
      console.log(JSON.stringify({ code: (await ro.enroll('Eve', [v], ['eve.jpg']).catch((e) => e)).code }));
    `);
    expect(r.status, r.err).toBe(0);
    const [first, second, third] = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(first).toEqual({ who: 65534, identity: 'Tom Hanks', check: true });
    expect(second.code).toBe('PERMISSION_DENIED');
    expect(second.message).toContain(dir);
    expect(second.message).not.toContain('another writer');
    expect(third.code).toBe('GALLERY_READ_ONLY');
  }, 60_000);

  it('a read-only file system: open and identify work; a change says GALLERY_READ_ONLY', async () => {
    const mnt = path.join(tmp, 'ro-mount');
    await cp(pristine, path.join(tmp, 'ro-source'), { recursive: true });
    await run('mkdir', ['-p', mnt]);
    await run('mount', ['--bind', path.join(tmp, 'ro-source'), mnt]);
    try {
      await run('mount', ['-o', 'remount,bind,ro', mnt]);
      const g = await openGallery(mnt);
      expect(g.identify(g.toPair().embeddings.subarray(0, g.dimension))[0].identity).toBe('Tom Hanks');
      await expect(g.enroll('Eve', [unitVector(g.dimension, rng(1))], ['eve.jpg'])).rejects.toMatchObject({
        code: 'GALLERY_READ_ONLY',
      });
      expect((await checkGallery(mnt)).ok).toBe(true);
      await g.close();
    } finally {
      await run('umount', [mnt]);
    }
  }, 60_000);

  it('a full disk: DISK_FULL naming the file, and the gallery keeps its previous state', async () => {
    const mnt = path.join(tmp, 'small');
    await run('mkdir', ['-p', mnt]);
    await run('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt]);
    try {
      const dir = path.join(mnt, 'g');
      const g = await openGallery(dir, { create: true, dimension: 512, modelId: 'm', defaultThreshold: 1.1 });
      const r = rng(3);
      let err: unknown;
      let n = 0;
      for (; n < 200 && !err; n++) {
        const batch = Array.from({ length: 10 }, () => unitVector(512, r));
        err = await g
          .enroll(
            `p${n}`,
            batch,
            batch.map((_, i) => `p${n}_${i}.jpg`),
          )
          .catch((e: unknown) => e);
      }
      expect(err).toMatchObject({ code: 'DISK_FULL' });
      expect((err as Error).message).toContain(dir);
      const committed = n - 1;
      expect(g.size).toBe(committed * 10);
      await g.close();
      const again = await openGallery(dir);
      expect(again.size).toBe(committed * 10);
      expect((await checkGallery(dir)).ok).toBe(true);
      await again.close();
    } finally {
      await run('umount', [mnt]);
    }
  }, 60_000);
});
