/**
 * The `eolgul-models` command of the built package (`pnpm build` first). With only `eolgul` installed, `npx eolgul …`
 * runs this command: a first argument that is one of the command-line tool's commands is refused with the way to
 * `@eolgul/cli`, and no folder is made.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(__dirname, '..', 'dist', 'bin', 'eolgul-models.js');
const cwd = mkdtempSync(join(tmpdir(), 'eolgul-models-bin-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

async function run(...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('eolgul-models', () => {
  it('refuses a command of the CLI as a folder name, and says where the CLI is', async () => {
    for (const args of [
      ['verify', 'a.jpg', 'b.jpg'],
      ['--precision', 'int8', 'identify'],
      ['help'],
      ['identify', 'photo.jpg', '--gallery', 'g'],
    ]) {
      const r = await run(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/is a command of the eolgul command-line tool.*npm install @eolgul\/cli/);
    }
    expect(readdirSync(cwd)).toEqual([]);
    expect((await run('--help')).stdout).toMatch(/npm install @eolgul\/cli/);
  });

  it('copies the default models into a folder', async () => {
    const r = await run('models');
    expect(r.code).toBe(0);
    expect(existsSync(join(cwd, 'models', 'fr_detect.onnx'))).toBe(true);
  });
});
