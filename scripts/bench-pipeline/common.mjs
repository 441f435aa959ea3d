// Shared by scripts/bench-pipeline.mjs and its per-library runners (scripts/bench-pipeline/run-*.mjs).
//
// A runner is started by the parent as `node run-<lib>.mjs <job.json>`; the job file holds { images: string[],
// humanModelsUrl?: string }. The runner loads its library, runs one warm-up call on the first image, then times every
// image (decode + detection + landmarks + descriptor of every face) one after the other in its single thread, and
// prints one line `BENCH_RESULT {json}` on stdout.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { listImages } from '../lib/lfw-images.mjs';

/** Marker of the runner's result line on stdout. */
export const RESULT_MARK = 'BENCH_RESULT ';

/**
 * The fixed selection of the benchmark: every image under `dir` (one sub-folder per identity), as `<Name>/<file>`
 * sorted in code-point order, then the images at indices floor(i · total / n) for i = 0 … n − 1 (spread evenly over
 * the sorted list, so over the identities). Returns absolute paths and the relative names.
 * @param {string} dir @param {number} n
 */
export function selectImages(dir, n) {
  const sel = listImages(dir, n);
  if (sel.total < n) throw new Error(`${dir} holds ${sel.total} images, fewer than ${n}`);
  return sel;
}

/** Value at quantile q (0–1) of the numbers, nearest-rank on the sorted copy. @param {number[]} xs @param {number} q */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** Reads the job file named on the command line. */
export function readJob() {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node run-<lib>.mjs <job.json>');
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Decodes an image file to interleaved RGB bytes with sharp (as the peers get their input). */
export async function decodeRgb(sharp, path) {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * Times `analyse(path)` over the job's images after one warm-up call on the first image.
 * `analyse` returns the number of faces found and the descriptor length (0 when no face).
 * @param {string[]} images
 * @param {(path: string) => Promise<{ faces: number, dim: number }>} analyse
 * @param {() => number} [countTensors] tf.memory().numTensors of the library, read after the warm-up and at the end.
 * @param {number} [startAt] epoch ms (Date.now()) to wait for after the warm-up: runners started side by side then
 *   time the same moments, whatever their load times.
 */
export async function timeImages(images, analyse, countTensors, startAt) {
  const w0 = performance.now();
  await analyse(images[0]);
  const warmupMs = performance.now() - w0;
  const late = startAt === undefined ? 0 : Date.now() - startAt;
  if (late < 0) await new Promise((ok) => setTimeout(ok, -late));
  const numTensorsAfterWarmup = countTensors ? countTensors() : null;
  const loadavgStart = os.loadavg();
  const cpu0 = process.cpuUsage();
  const ms = [];
  let faces = 0,
    withFace = 0,
    dim = 0;
  const t0 = performance.now();
  for (const p of images) {
    const s = performance.now();
    const r = await analyse(p);
    ms.push(performance.now() - s);
    faces += r.faces;
    if (r.faces > 0) withFace++;
    if (r.dim) dim = r.dim;
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    images: images.length,
    warmupMs,
    /** ms after startAt that timing began (> 0: this runner was not ready in time), else undefined. */
    startedLateMs: startAt === undefined ? undefined : Math.max(0, late),
    wallMs,
    imagesPerSecond: (images.length * 1000) / wallMs,
    p50: quantile(ms, 0.5),
    p95: quantile(ms, 0.95),
    cpuMsPerImage: (cpu.user + cpu.system) / 1000 / images.length,
    faces,
    imagesWithFace: withFace,
    descriptorLength: dim,
    loadavgStart,
    loadavgEnd: os.loadavg(),
    numTensorsAfterWarmup,
    numTensors: countTensors ? countTensors() : null,
  };
}

/** Prints the runner's result line (peak RSS from process.resourceUsage(), in MiB). */
export function emit(result) {
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${RESULT_MARK}${JSON.stringify({ ...result, maxRssMiB })}\n`);
}
