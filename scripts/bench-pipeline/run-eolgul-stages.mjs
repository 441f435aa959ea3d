// eolgul's default pipeline in one thread, stage by stage, composed from the packages (the front door has no per-stage
// clock): readImage (in-thread JPEG decoder, sharp for other files) → detect (fr_detect boxes + MTCNN RNet/ONet 5 points, ONNX Runtime, 1 thread) → alignFace
// (112 px) → createFaceEmbedder().embedBatch (fr_feature at job.precision, 512-d) for every face found. Emotion off. See common.mjs.
// The 5 points run inside detect(); to time them apart, ONet's refine runs a second time on the same boxes, outside the
// pipeline: landmarks = that second run, detect = detect() minus it. The pipeline total leaves the second run out.
import { emit, quantile, readJob } from './common.mjs';

const job = readJob();
const precision = job.precision ?? 'fp32';
const t0 = performance.now();
const { alignFace, createFaceDetector, createMtcnn } = await import('@eolgul/detector');
const { DETECTION_MAX_SIDE, readImage } = await import('@eolgul/detector/node');
const { createFaceEmbedder } = await import('@eolgul/embedder');
const detector = await createFaceDetector({ threads: 1 });
const mtcnn = await createMtcnn({ threads: 1, nets: 'refine' });
const embedder = await createFaceEmbedder({ threads: 1, precision });
const loadMs = performance.now() - t0;

const STAGES = ['decode', 'detect', 'landmarks', 'align', 'embed'];
/** One image through the pipeline; returns each stage's milliseconds and the faces. */
async function stages(path) {
  const a = performance.now();
  const image = await readImage(path, { maxSide: DETECTION_MAX_SIDE });
  const b = performance.now();
  const faces = await detector.detect(image);
  const c = performance.now();
  if (faces.length > 0)
    await mtcnn.refine(
      image,
      faces.map((f) => f.box),
    );
  const d = performance.now();
  const crops = faces.map((f) => alignFace(image, f.landmarks, embedder.inputSize));
  const e = performance.now();
  const embeddings = faces.length > 0 ? await embedder.embedBatch(crops) : [];
  const f = performance.now();
  const ms = { decode: b - a, detect: c - b - (d - c), landmarks: d - c, align: e - d, embed: f - e };
  return { ms, total: b - a + (c - b) + (e - d) + (f - e), faces: faces.length, dim: embeddings[0]?.length ?? 0 };
}

const w0 = performance.now();
await stages(job.images[0]);
const warmupMs = performance.now() - w0;
const sums = Object.fromEntries(STAGES.map((s) => [s, 0]));
const totals = [];
let faces = 0,
  withFace = 0,
  dim = 0;
const cpu0 = process.cpuUsage();
for (const p of job.images) {
  const r = await stages(p);
  for (const s of STAGES) sums[s] += r.ms[s];
  totals.push(r.total);
  faces += r.faces;
  if (r.faces > 0) withFace++;
  if (r.dim) dim = r.dim;
}
const cpu = process.cpuUsage(cpu0);
const n = job.images.length;
const pipelineMs = totals.reduce((s, x) => s + x, 0);
emit({
  library: 'eolgul-stages',
  precision,
  loadMs,
  warmupMs,
  images: n,
  /** Mean milliseconds per image of each stage (wall clock, one thread). */
  stageMs: Object.fromEntries(STAGES.map((s) => [s, sums[s] / n])),
  imagesPerSecond: (n * 1000) / pipelineMs,
  p50: quantile(totals, 0.5),
  p95: quantile(totals, 0.95),
  /** CPU of the whole loop, the second ONet run included. */
  cpuMsPerImageWithExtraLandmarks: (cpu.user + cpu.system) / 1000 / n,
  faces,
  imagesWithFace: withFace,
  descriptorLength: dim,
  numTensors: null,
});
await detector.dispose();
await mtcnn.dispose();
await embedder.dispose();
