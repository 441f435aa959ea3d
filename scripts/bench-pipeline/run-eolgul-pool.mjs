// eolgul's batch pool: analyseImages(paths, 'main', { workers }) of @eolgul/cli, the code behind `eolgul embed` and
// `eolgul lfw eval` (worker threads, each loading its own models, ONNX Runtime with one thread per worker). The time
// runs from the call to the last answer, so it includes starting the workers and loading their models.
// job.workers: worker count (default os.availableParallelism()).
import os from 'node:os';
import { readJob, emit } from './common.mjs';

const job = readJob();
const cli = await import('@eolgul/cli');
if (typeof cli.analyseImages !== 'function') {
  emit({ library: 'eolgul-pool', skipped: '@eolgul/cli does not export analyseImages' });
  process.exit(0);
}
const workers = job.workers ?? os.availableParallelism();
const loadavgStart = os.loadavg();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const results = await cli.analyseImages(job.images, 'main', { workers });
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const ok = results.filter((r) => r.ok);
emit({
  library: 'eolgul-pool',
  workers,
  images: job.images.length,
  wallMs,
  imagesPerSecond: (job.images.length * 1000) / wallMs,
  cpuMsPerImage: (cpu.user + cpu.system) / 1000 / job.images.length,
  faces: ok.length,
  imagesWithFace: ok.length,
  descriptorLength: ok[0]?.faces[0]?.embedding.length ?? 0,
  loadavgStart,
  loadavgEnd: os.loadavg(),
  numTensors: null,
});
