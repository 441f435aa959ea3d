// Worker thread of the batch pool (see cli-pool.ts): loads the pipeline once, then analyses the images it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { createPipeline, readForDetection } from './cli-pipeline.js';
import { analyseForPool, type PoolRequest, type PoolWorkerData } from './cli-pool-task.js';

const data = workerData as PoolWorkerData;
const pipeline = await createPipeline({
  emotion: data.emotion,
  detect: data.detect,
  detector: data.detector,
  threads: 1,
});
parentPort!.on('message', async (msg: PoolRequest | 'close') => {
  if (msg === 'close') {
    await pipeline.dispose();
    parentPort!.close();
    return;
  }
  const result = await analyseForPool(pipeline, readForDetection, msg);
  const transfer = result.ok ? result.faces.map((f) => f.embedding.buffer as ArrayBuffer) : [];
  parentPort!.postMessage(result, transfer);
});
parentPort!.postMessage({ ready: true });
