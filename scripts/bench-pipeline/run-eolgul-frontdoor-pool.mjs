// eolgul's front door with worker threads: createFaceRecognizer({ workers, precision }), then every image's main face
// at once (analyse(path, { mainFace: true }), the work of `eolgul embed`); the pool queues them. Timed from the call
// that creates the recognizer (worker start and their model loads included) to the last answer.
// job.workers: worker count (default os.availableParallelism()); job.precision: 'fp32' (default) or 'int8'.
import os from 'node:os';
import { emit, readJob } from './common.mjs';

const job = readJob();
const workers = job.workers ?? os.availableParallelism();
const precision = job.precision ?? 'fp32';
const { createFaceRecognizer } = await import('eolgul');
const loadavgStart = os.loadavg();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const recognizer = await createFaceRecognizer({ workers, ...(precision === 'fp32' ? {} : { precision }) });
const results = await Promise.allSettled(job.images.map((p) => recognizer.analyse(p, { mainFace: true })));
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
await recognizer.dispose();
const ok = results.filter((r) => r.status === 'fulfilled' && r.value.faces.length > 0);
emit({
  library: 'eolgul-frontdoor-pool',
  precision,
  workers,
  images: job.images.length,
  wallMs,
  imagesPerSecond: (job.images.length * 1000) / wallMs,
  cpuMsPerImage: (cpu.user + cpu.system) / 1000 / job.images.length,
  faces: ok.length,
  imagesWithFace: ok.length,
  descriptorLength: ok[0]?.value.faces[0].embedding.length ?? 0,
  loadavgStart,
  loadavgEnd: os.loadavg(),
  numTensors: null,
});
