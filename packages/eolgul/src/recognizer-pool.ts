/**
 * Node: analysis in worker threads (piscina), each holding its own copy of the models with one ONNX Runtime thread per
 * model by default, so n workers use n cores. The gallery stays in the calling thread.
 * @module
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { LoadProgress } from '@eolgul/runtime';
import { Piscina } from 'piscina';
import { bytesOf, isBlobLike } from './image-input.js';
import type { AnalysedImage, Analyser } from './recognizer-analyser.js';
import type { ResolvedConfig } from './recognizer-config.js';
import type { PipelineAnalyseOptions, PipelineInfo } from './recognizer-pipeline.js';
import type { ImageInput } from './recognizer-types.js';
import { reviveError, type SentError } from './recognizer-worker-errors.js';

/** A job for a worker: load the models (reporting their progress on `progress`), or analyse one image. */
export type PoolTask =
  | { kind: 'load'; progress?: MessagePort }
  | { kind: 'analyse'; input: ImageInput; name: string; options: PipelineAnalyseOptions };

/** A worker's answer. */
export type PoolAnswer =
  | { ok: true; info: PipelineInfo }
  | { ok: true; image: AnalysedImage }
  | { ok: false; error: SentError };

function unwrap(answer: PoolAnswer): PipelineInfo | AnalysedImage {
  if (!answer.ok) throw reviveError(answer.error);
  return 'info' in answer ? answer.info : answer.image;
}

/**
 * Starts `config.workers` worker threads and waits until each has loaded the models.
 * @throws {ModelLoadError} a model cannot be loaded (the worker's error, same class).
 */
export async function createWorkerAnalyser(config: ResolvedConfig): Promise<Analyser> {
  const n = config.workers;
  // Only plain data crosses to the workers: the gallery and the progress callback stay here.
  const workerConfig: Partial<ResolvedConfig> = {
    modelBasePath: config.modelBasePath === undefined ? undefined : String(config.modelBasePath),
    detector: config.detector,
    landmarks: config.landmarks,
    precision: config.precision,
    emotion: config.emotion,
    threads: config.threads,
  };
  const pool = new Piscina({
    filename: new URL('./recognizer-worker.js', import.meta.url).href,
    minThreads: n,
    maxThreads: n,
    idleTimeout: Number.POSITIVE_INFINITY,
    concurrentTasksPerWorker: 2,
    workerData: workerConfig,
  });
  let info: PipelineInfo;
  try {
    // Every worker loads the same files: the first one's load is the progress reported.
    const channel = config.onProgress ? new MessageChannel() : undefined;
    // Left open until the worker closes its end (after its last report); unref'd so it never keeps Node alive.
    channel?.port1.on('message', (p: LoadProgress) => config.onProgress?.(p)).unref();
    const loads = Array.from({ length: n }, (_, i) => {
      const progress = i === 0 ? channel?.port2 : undefined;
      const task: PoolTask = { kind: 'load', progress };
      return pool.run(task, progress ? { transferList: [progress] } : {});
    });
    const loaded = await Promise.all(loads);
    info = unwrap(loaded[0]) as PipelineInfo;
    for (const answer of loaded) unwrap(answer);
  } catch (err) {
    await pool.destroy();
    throw err;
  }
  return {
    info,
    async analyse(input, name, options) {
      // A Blob is read here: its bytes cross to the worker.
      const sent = isBlobLike(input) && !bytesOf(input) ? new Uint8Array(await input.arrayBuffer()) : input;
      const task: PoolTask = { kind: 'analyse', input: sent, name, options };
      return unwrap(await pool.run(task)) as AnalysedImage;
    },
    dispose: () => pool.destroy(),
  };
}
