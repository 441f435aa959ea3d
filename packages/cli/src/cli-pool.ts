import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createPipeline, readForDetection } from './cli-pipeline.js';
import type { DetectOptions, FaceDetectorConfig } from '@eolgul/detector';
import { analyseForPool, type PoolMode, type PoolResult, type PoolWorkerData } from './cli-pool-task.js';

/** Options of {@link analyseImages}. */
export interface PoolOptions {
  /** Worker threads (default: the machine's available parallelism). 1 = analyse in this thread. */
  workers?: number;
  /** Also classify emotion. */
  emotion?: boolean;
  /** Detection options for every image (e.g. `{ refine: 'mesh' }`). */
  detect?: DetectOptions;
  /** Which face detector (default `'fr_detect'`). */
  detector?: FaceDetectorConfig['detector'];
  /** Called once per finished image (in completion order), e.g. to tick a progress bar. */
  onProgress?: () => void;
}

/** Default worker count: `os.availableParallelism()` (2 on the project's CI machine). */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Analyses many image files with a pool of worker threads, each holding its own copy of the models (ONNX Runtime with
 * one intra-op thread per worker, so N workers use N cores). Answers come back in input order. Falls back to the
 * calling thread when `workers` is 1 or the compiled worker script is not available (running from sources).
 * @returns one {@link PoolResult} per path, same order.
 */
export async function analyseImages(
  paths: readonly string[],
  mode: PoolMode,
  options: PoolOptions = {},
): Promise<PoolResult[]> {
  const workers = Math.max(1, Math.min(options.workers ?? defaultWorkers(), paths.length, 64));
  const script = new URL('./cli-worker.js', import.meta.url);
  const canSpawn = script.protocol === 'file:' && existsSync(fileURLToPath(script));
  const results: PoolResult[] = new Array(paths.length);
  if (workers === 1 || !canSpawn) {
    const pipeline = await createPipeline({
      emotion: options.emotion,
      detect: options.detect,
      detector: options.detector,
    });
    try {
      for (let i = 0; i < paths.length; i++) {
        results[i] = await analyseForPool(pipeline, readForDetection, { id: i, path: paths[i], mode });
        options.onProgress?.();
      }
    } finally {
      await pipeline.dispose();
    }
    return results;
  }
  let next = 0;
  await Promise.all(
    Array.from(
      { length: workers },
      () =>
        new Promise<void>((resolve, reject) => {
          const w = new Worker(script, {
            workerData: {
              emotion: !!options.emotion,
              detect: options.detect ?? {},
              detector: options.detector ?? 'fr_detect',
            } satisfies PoolWorkerData,
          });
          const send = () => {
            if (next >= paths.length) {
              w.postMessage('close');
              return;
            }
            const id = next++;
            w.postMessage({ id, path: paths[id], mode });
          };
          w.on('message', (msg: PoolResult | { ready: true }) => {
            if ('ready' in msg) return send();
            results[msg.id] = msg;
            options.onProgress?.();
            send();
          });
          w.on('error', reject);
          w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited with code ${code}`))));
        }),
    ),
  );
  return results;
}
