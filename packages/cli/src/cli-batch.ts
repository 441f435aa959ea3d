import { availableParallelism } from 'node:os';
import { NoFaceError } from '@eolgul/core';
import type { CliContext } from './cli-context.js';
import { errorObject } from './cli-output.js';

/** Default `--workers`: `os.availableParallelism()`, one worker thread per core. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** The main face's embedding of one image, or why there is none. */
export type MainFaceResult = { ok: true; embedding: Float32Array } | { ok: false; code: string; message: string };

/**
 * Embeds the main face of every image (the face on the image centre; detected again at a low score when the first
 * pass finds none) through the front door, with `workers` worker threads (1 = this thread), for `embed` and `lfw eval`.
 * @param onDone called once per finished image, in completion order (e.g. to tick a progress bar).
 * @returns one answer per path, in input order: an image that cannot be read or holds no face is an answer too.
 */
export async function embedMainFaces(
  ctx: CliContext,
  paths: readonly string[],
  workers: number,
  onDone: () => void = () => {},
): Promise<MainFaceResult[]> {
  const threads = Math.min(workers, paths.length);
  const recognizer = await ctx.recognizer({ workers: threads > 1 ? threads : 0 });
  const results: MainFaceResult[] = new Array(paths.length);
  const one = async (i: number): Promise<MainFaceResult> => {
    try {
      const { faces } = await recognizer.analyse(paths[i], { mainFace: true });
      if (faces.length === 0) throw new NoFaceError(paths[i]);
      return { ok: true, embedding: faces[0].embedding };
    } catch (err) {
      return { ok: false, ...errorObject(err) };
    } finally {
      onDone();
    }
  };
  // A few images in flight per worker keeps every worker busy without queueing the whole list at once.
  let next = 0;
  const lane = async () => {
    while (next < paths.length) {
      const i = next++;
      results[i] = await one(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, threads) * 2 }, lane));
  return results;
}
