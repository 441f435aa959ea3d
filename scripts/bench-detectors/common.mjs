// Shared by scripts/bench-detectors.mjs and its per-library runners (scripts/bench-detectors/run-*.mjs).
//
// A runner is started by the parent as `node run-<lib>.mjs <job.json>`; the job file holds
// { images: string[] (absolute paths), rel: string[] (<Name>/<file>), modelsUrl: string, out: string, ...runner options }.
// The runner loads its detectors, decodes each image once with sharp (not timed), runs every configuration on it one
// after the other in its single thread (each call timed with performance.now(), detection only), and writes one JSON
// file (job.out) with, per configuration, per image: the boxes with their scores, the wall milliseconds of the call and
// the CPU milliseconds the process used during it (process.cpuUsage, user + system; the runners are single-threaded, so
// this is less sensitive than wall time to other work on the machine).
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

/** Reads the job file named on the command line. */
export function readJob() {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node run-<lib>.mjs <job.json>');
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Decodes an image file to interleaved RGB bytes with sharp. */
export async function decodeRgb(sharp, path) {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/**
 * True when the box `[x, y, w, h]` (pixels) contains the point (cx, cy), edges included.
 * @param {number[]} b @param {number} cx @param {number} cy
 */
export function containsPoint(b, cx, cy) {
  return cx >= b[0] && cx <= b[0] + b[2] && cy >= b[1] && cy <= b[1] + b[3];
}

/**
 * Runs every configuration on every image and writes the job's result file: per configuration, per image, the boxes
 * found (`[x, y, w, h, score]`, pixels of the original image, rounded to 0.1 px and 1e-4), the wall milliseconds of the
 * call and the process CPU milliseconds during it. The parent derives higher thresholds by dropping lower-scored boxes (exact for greedy NMS, see the parent).
 * A configuration is `{ id, run(img) => Promise<{ box: [x, y, w, h], score }[]> }`, boxes in the image's pixels.
 * One warm-up call of each configuration on the first image is made first and not recorded.
 * @param {{ images: string[], rel: string[], out: string }} job
 * @param {(path: string) => Promise<{ data: Uint8Array, width: number, height: number }>} decode
 * @param {{ id: string, run: (img: any) => Promise<{ box: number[], score: number }[]> }[]} configs
 * @param {object} meta extra fields for the result file (library, versions, notes).
 */
export async function runConfigs(job, decode, configs, meta) {
  const first = await decode(job.images[0]);
  for (const c of configs) await c.run(first);
  const res = Object.fromEntries(configs.map((c) => [c.id, { boxes: [], ms: [], cpuMs: [] }]));
  const load = [os.loadavg()[0]];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let lastLoad = t0;
  const r1 = (v) => Math.round(v * 10) / 10;
  const sizes = [];
  for (let i = 0; i < job.images.length; i++) {
    const img = await decode(job.images[i]);
    sizes.push([img.width, img.height]);
    for (const c of configs) {
      const c0 = process.cpuUsage();
      const s = performance.now();
      const faces = await c.run(img);
      const ms = performance.now() - s;
      const cu = process.cpuUsage(c0);
      const r = res[c.id];
      r.cpuMs.push(Math.round(cu.user + cu.system) / 1000);
      r.boxes.push(
        faces.map((f) => [r1(f.box[0]), r1(f.box[1]), r1(f.box[2]), r1(f.box[3]), Math.round(f.score * 1e4) / 1e4]),
      );
      r.ms.push(Math.round(ms * 1000) / 1000);
    }
    if (performance.now() - lastLoad > 10_000) {
      load.push(os.loadavg()[0]);
      lastLoad = performance.now();
    }
    if (job.progress && (i + 1) % 500 === 0) process.stderr.write(`${meta.library}: ${i + 1}/${job.images.length}\n`);
  }
  load.push(os.loadavg()[0]);
  const cpu = process.cpuUsage(cpu0);
  writeFileSync(
    job.out,
    JSON.stringify({
      ...meta,
      images: job.rel,
      sizes,
      wallMs: performance.now() - t0,
      cpuMs: (cpu.user + cpu.system) / 1000,
      loadavg1: load,
      results: res,
    }),
  );
}
