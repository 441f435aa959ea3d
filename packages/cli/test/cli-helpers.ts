import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { runCli, type CliIo } from '../src/cli-program.js';

export const DATA = join(__dirname, '..', '..', '..', 'examples', 'data');

/** Runs the CLI in-process and captures stdout/stderr lines and the exit code. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(...l.split('\n')), err: (l) => err.push(...l.split('\n')), isTTY: false };
  const code = await runCli(argv, io);
  return { code, out, err };
}

/** A python3 that has numpy, or undefined. */
export function pythonWithNumpy(): string | undefined {
  for (const py of ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(py, ['-c', 'import numpy'], { stdio: 'ignore' });
      return py;
    } catch {
      /* try the next */
    }
  }
  return undefined;
}
