// One worker thread of the recognizer's pool (recognizer-pool.ts): loads the models when it starts, then analyses
// the images it is sent, in the same code as the calling thread (createLocalAnalyser), so both give the same answers.
import { workerData } from 'node:worker_threads';
import { decodeNodeInput } from './image-input-node.js';
import { createLocalAnalyser } from './recognizer-analyser.js';
import type { ResolvedConfig } from './recognizer-config.js';
import { nodeModelSource } from './model-source-node.js';
import type { PoolTask, PoolAnswer } from './recognizer-pool.js';
import { sendError } from './recognizer-worker-errors.js';

const config = workerData as ResolvedConfig;
const ready = createLocalAnalyser(config, decodeNodeInput, nodeModelSource(config.modelBasePath));
// A failed load is reported by the first task; this keeps it from being an unhandled rejection meanwhile.
ready.catch(() => undefined);

/** Piscina's task handler. */
export default async function run(task: PoolTask): Promise<PoolAnswer> {
  try {
    const analyser = await ready;
    if (task.kind === 'load') return { ok: true, info: analyser.info };
    return { ok: true, image: await analyser.analyse(task.input, task.name, task.options) };
  } catch (err) {
    return { ok: false, error: sendError(err) };
  }
}
