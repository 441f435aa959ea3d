import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { decodeNpy } from '@eolgul/core';
import { buildProgram } from '../src/cli-program.js';
import { cli, DATA } from './cli-helpers.js';

const run = promisify(execFile);
const BIN = join(__dirname, '..', 'dist', 'cli.js');

describe('the built eolgul bin with worker threads', () => {
  it('embeds with 2 worker threads exactly what the in-process path embeds, in the same order', async () => {
    expect(existsSync(BIN), 'run `pnpm build` first (pnpm test does)').toBe(true);
    const tmp = await mkdtemp(join(tmpdir(), 'eolgul-bin-'));
    const { stdout } = await run(process.execPath, [
      BIN,
      'embed',
      join(DATA, 'gallery'),
      '--out',
      join(tmp, 'w2'),
      '--workers',
      '2',
    ]);
    expect(stdout).toContain('embedded 16 of 16 images');
    const inProcess = await cli('embed', join(DATA, 'gallery'), '--out', join(tmp, 'w1'), '--workers', '1');
    expect(inProcess.code).toBe(0);
    expect(await readFile(join(tmp, 'w2.csv'), 'utf8')).toBe(await readFile(join(tmp, 'w1.csv'), 'utf8'));
    const a = decodeNpy(await readFile(join(tmp, 'w2.npy')));
    const b = decodeNpy(await readFile(join(tmp, 'w1.npy')));
    expect(a.shape).toEqual([16, 512]);
    let maxDiff = 0;
    for (let i = 0; i < a.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.data[i] - b.data[i]));
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('exits non-zero with the reason on stderr for a missing folder', async () => {
    const err = await run(process.execPath, [BIN, 'embed', '/nonexistent-folder', '--out', '/tmp/x']).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('/nonexistent-folder');
  });
});

// eolgul's own bin keeps a list of this CLI's commands (it cannot import this package, which depends on it), so that
// `npx eolgul <command>` with only eolgul installed points here instead of making a folder: the two lists must agree.
describe("eolgul's eolgul-models bin", () => {
  it('refuses every command of this CLI as a folder name, and points to @eolgul/cli', async () => {
    const bin = join(createRequire(__filename).resolve('eolgul/package.json'), '..', 'dist', 'bin', 'eolgul-models.js');
    const cwd = await mkdtemp(join(tmpdir(), 'eolgul-models-commands-'));
    const names = buildProgram()
      .commands.map((c) => c.name())
      .concat('help');
    expect(names.length).toBeGreaterThan(5);
    try {
      for (const name of names) {
        const err = await run(process.execPath, [bin, name], { cwd }).catch((e) => e);
        expect(err.code, name).toBe(2);
        expect(err.stderr, name).toMatch(/is a command of the eolgul command-line tool.*npm install @eolgul\/cli/);
      }
      expect(readdirSync(cwd)).toEqual([]);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
