/**
 * onnxruntime-node 1.30 starts Microsoft's 1DS telemetry with its first session and leaves an empty
 * /tmp/mat-debug-<pid>.log behind on every run. Loading through @eolgul/runtime turns it off (ORT_DISABLE_TELEMETRY),
 * unless the app chose otherwise. Runs child processes, without CI variables (ONNX Runtime stays quiet in CI by itself),
 * on the built package (`pnpm build`).
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { modelPath } from '@eolgul/models/node';

const run = promisify(execFile);
const RUNTIME = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'index-node.js');
const ONET = modelPath('mtcnn-onet');

/** Runs `code` (an ES module) in a child Node with a clean environment; returns whether its mat-debug log exists. */
async function leavesLog(code: string, env: Record<string, string> = {}): Promise<boolean> {
  const clean: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/', ...env };
  // Process ids are reused: a log some earlier process with the same pid left behind is older than this child.
  const started = Date.now() - 1000;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `${code}\nconsole.log(process.pid);`], {
    env: clean,
    cwd: dirname(RUNTIME),
  });
  const log = join('/tmp', `mat-debug-${stdout.trim().split('\n').at(-1)}.log`);
  const found = existsSync(log) && statSync(log).mtimeMs >= started;
  await rm(log, { force: true });
  return found;
}

describe('ONNX Runtime telemetry', () => {
  it('onnxruntime-node alone leaves /tmp/mat-debug-<pid>.log (the control)', async () => {
    const plain = `const ort = (await import('onnxruntime-node')).default;
      await ort.InferenceSession.create(${JSON.stringify(ONET)});`;
    expect(await leavesLog(plain)).toBe(true);
  });

  it('loadModel of @eolgul/runtime leaves none, and respects an app that set ORT_DISABLE_TELEMETRY itself', async () => {
    const ours = `const { loadModel } = await import(${JSON.stringify(RUNTIME)});
      const m = await loadModel(${JSON.stringify(ONET)}); await m.dispose();`;
    expect(await leavesLog(ours)).toBe(false);
    expect(await leavesLog(ours, { ORT_DISABLE_TELEMETRY: '0' })).toBe(true);
  });
});
