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

/** One face of a JSON line of `identify` (box, identity, distance, emotion) or `emotion` (box, emotion, scores). */
export interface JsonFace {
  box: [number, number, number, number];
  identity?: string | null;
  distance?: number | null;
  emotion: string | null;
  emotionScore?: number | null;
  scores?: Record<string, number>;
}

/** One line of `identify --json` or `emotion --json`: an image's faces, or why it could not be analysed. */
export interface JsonLine {
  image: string;
  width?: number;
  height?: number;
  faces?: JsonFace[];
  error?: { code: string; message: string };
}

/** The JSON lines of a command's stdout, one object per non-empty line. */
export function jsonLines(out: string[]): JsonLine[] {
  return out.filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/**
 * Every face of `identify --json` (or `emotion --json`) output, one line per image, flattened: each face with its
 * image's path.
 */
export function facesOf(out: string[]): (JsonFace & { image: string })[] {
  return jsonLines(out).flatMap((row) => (row.faces ?? []).map((f) => ({ image: row.image, ...f })));
}
