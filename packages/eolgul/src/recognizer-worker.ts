// One worker thread of the recognizer's pool (recognizer-pool.ts): loads the models on its first task, then analyses
// the images it is sent, in the same code as the calling thread (createLocalAnalyser), so both give the same answers.
import { workerData } from 'node:worker_threads';
import type { LoadProgress } from '@eolgul/runtime';
import { decodeNodeInput } from './image-input-node.js';
import { type Analyser, createLocalAnalyser } from './recognizer-analyser.js';
import type { ResolvedConfig } from './recognizer-config.js';
import type { PoolAnswer, PoolTask } from './recognizer-pool.js';
import { sendError } from './recognizer-worker-errors.js';

const config = workerData as ResolvedConfig;
let ready: Promise<Analyser> | undefined;

/** Piscina's task handler. */
export default async function run(task: PoolTask): Promise<PoolAnswer> {
  try {
    // A 'load' task may bring a port to report the model files' progress on.
    const port = task.kind === 'load' ? task.progress : undefined;
    const onProgress = port && ((p: LoadProgress) => port.postMessage(p));
    ready ??= createLocalAnalyser({ ...config, onProgress }, decodeNodeInput);
    const analyser = await ready.finally(() => port?.close());
    if (task.kind === 'load') return { ok: true, info: analyser.info };
    return { ok: true, image: await analyser.analyse(task.input, task.name, task.options) };
  } catch (err) {
    return { ok: false, error: sendError(err) };
  }
}
