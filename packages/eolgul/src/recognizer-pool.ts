/**
 * Node: analysis in worker threads (piscina), each holding its own copy of the models with one ONNX Runtime thread per
 * model by default, so n workers use n cores. The gallery stays in the calling thread.
 * @module
 */
import { Piscina } from 'piscina';
import { bytesOf, isBlobLike } from './image-input.js';
import type { AnalysedImage, Analyser } from './recognizer-analyser.js';
import type { ResolvedConfig } from './recognizer-config.js';
import type { PipelineAnalyseOptions, PipelineInfo } from './recognizer-pipeline.js';
import type { ImageInput } from './recognizer-types.js';
import { reviveError, type SentError } from './recognizer-worker-errors.js';

/** A job for a worker: report the loaded models, or analyse one image. */
export type PoolTask =
  | { kind: 'load' }
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
    emotion: config.emotion,
    threads: config.threads,
  };
  const pool = new Piscina({
    filename: new URL('./recognizer-worker.js', import.meta.url).href,
    minThreads: n,
    maxThreads: n,
    idleTimeout: Number.POSITIVE_INFINITY,
    concurrentTasksPerWorker: 1,
    workerData: workerConfig,
  });
  let info: PipelineInfo;
  try {
    const loaded = await Promise.all(Array.from({ length: n }, () => pool.run({ kind: 'load' } satisfies PoolTask)));
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
