/**
 * A gallery file replaced by something that is not a regular file — a FIFO (a read would wait forever), a folder, a
 * symbolic link (which could lead reads and writes outside the gallery folder) — is damage: opening and checking the
 * gallery refuse it with GALLERY_CORRUPT naming the file, promptly, and nothing outside the folder is written.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rename, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GalleryCorruptError } from '@eolgul/core';
import { checkGallery, openGallery } from '../src/node.js';
import { rng, unitVector } from './gallery-test-data.js';

let tmp: string;
let sound: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'eolgul-file-kinds-'));
  sound = path.join(tmp, 'sound');
  const g = await openGallery(sound, { create: true, dimension: 8, modelId: 'test', defaultThreshold: 1 });
  const r = rng(7);
  await g.enroll('Ada', [unitVector(8, r), unitVector(8, r)], ['ada_1.jpg', 'ada_2.jpg']);
  await g.enroll('Bo', [unitVector(8, r)], ['bo_1.jpg']);
  await g.close();
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const FILES = ['commit.json', 'manifest.json', 'embeddings.npy', 'index.csv', 'identities.csv'];

async function damaged(kind: 'fifo' | 'folder' | 'link', file: string): Promise<{ dir: string; outside: string }> {
  const dir = path.join(tmp, `${kind}-${file}`);
  await cp(sound, dir, { recursive: true });
  const outside = path.join(tmp, `${kind}-${file}.outside`);
  await rename(path.join(dir, file), outside);
  if (kind === 'fifo') execFileSync('mkfifo', [path.join(dir, file)]);
  else if (kind === 'folder') await mkdir(path.join(dir, file));
  else await symlink(outside, path.join(dir, file));
  return { dir, outside };
}

describe('gallery files that are not regular files', () => {
  for (const kind of ['fifo', 'folder', 'link'] as const) {
    for (const file of FILES) {
      it(`${file} as a ${kind}: GALLERY_CORRUPT naming it, from open and from check`, async () => {
        const { dir, outside } = await damaged(kind, file);
        const before = await readFile(outside);
        const err = await openGallery(dir).catch((e) => e);
        expect(err).toBeInstanceOf(GalleryCorruptError);
        expect(err.message).toContain(file);
        const ro = await openGallery(dir, { readOnly: true }).catch((e) => e);
        expect(ro).toBeInstanceOf(GalleryCorruptError);
        const report = await checkGallery(dir);
        expect(report.ok).toBe(false);
        expect(report.problems.join('\n')).toContain(file);
        // Nothing was written to the file the link pointed to.
        expect(await readFile(outside)).toEqual(before);
        expect((await stat(outside)).isFile()).toBe(true);
      });
    }
  }
});
