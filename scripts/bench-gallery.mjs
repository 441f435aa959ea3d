#!/usr/bin/env node
/**
 * Gallery search benchmark: exact 1:N identification over N = 1e4, 1e5, 1e6 unit vectors of D = 128 and 512,
 * measured beside a memory-bandwidth pass (a plain sum over an array of the same size and content) and a naive
 * per-row loop, in the same process. Writes docs/benchmarks/gallery.md and prints the table.
 *
 *   pnpm --filter @eolgul/gallery build && node scripts/bench-gallery.mjs [--quick]
 *   EOLGUL_GALLERY_KERNEL=js node scripts/bench-gallery.mjs     # the TypeScript kernel instead of WebAssembly SIMD
 *
 * Each run rewrites its kernel's section of docs/benchmarks/gallery.md and keeps the other sections.
 *
 * Vectors are uniform random directions (seeded xorshift, normalised): search cost does not depend on the values.
 * Each gallery holds N / 10 identities of 10 images. At N = 1e6 the first 1e5 rows are repeated (ties do not change the work). Timings are medians of several runs after a warm-up run.
 */
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { Gallery } from '../packages/gallery/dist/index.js';
import { euclideanDistance } from '../packages/core/dist/index.js';

const quick = process.argv.includes('--quick');
const SIZES = quick ? [1e4, 1e5] : [1e4, 1e5, 1e6];
const DIMS = [128, 512];
const BATCH = 16;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function xorshift(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296 - 0.5;
  };
}

/** N unit vectors, row-major [N, D]; above 1e5 rows, 1e5 generated rows are tiled (search cost does not depend on values). */
function unitRows(N, D, seed) {
  if (N > 1e5) {
    const base = unitRows(1e5, D, seed);
    const out = new Float32Array(N * D);
    for (let o = 0; o < out.length; o += base.length)
      out.set(base.subarray(0, Math.min(base.length, out.length - o)), o);
    return out;
  }
  const r = xorshift(seed);
  const out = new Float32Array(N * D);
  for (let i = 0; i < N; i++) {
    const o = i * D;
    let n = 0;
    for (let j = 0; j < D; j++) {
      const v = r();
      out[o + j] = v;
      n += v * v;
    }
    const s = 1 / Math.sqrt(n);
    for (let j = 0; j < D; j++) out[o + j] *= s;
  }
  return out;
}

/**
 * Times several functions in interleaved rounds (so that other load on the machine hits them alike) and returns,
 * per function, the fastest run in ms. One warm-up call each first. Rounds continue until `minRounds` are done and
 * about `budgetMs` has passed.
 */
function race(fns, minRounds, budgetMs) {
  for (const fn of Object.values(fns)) fn();
  const best = Object.fromEntries(Object.keys(fns).map((k) => [k, Infinity]));
  const start = performance.now();
  let rounds = 0;
  while (rounds < minRounds || (performance.now() - start < budgetMs && rounds < 100)) {
    for (const [k, fn] of Object.entries(fns)) {
      const t0 = performance.now();
      fn();
      best[k] = Math.min(best[k], performance.now() - t0);
    }
    rounds++;
  }
  return { ...best, rounds };
}

/** Bandwidth reference: a plain sum, one accumulator (what a simple loop does). */
function sum1(a) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}
/** Bandwidth reference: a plain sum with four accumulators (not limited by add latency). */
function sum4(a) {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < a.length; i += 4) {
    s0 += a[i];
    s1 += a[i + 1];
    s2 += a[i + 2];
    s3 += a[i + 3];
  }
  for (; i < a.length; i++) s0 += a[i];
  return s0 + s1 + s2 + s3;
}
/**
 * The strictest bandwidth reference: a WebAssembly SIMD sum (f32x4, four accumulators) over a copy of the same bytes
 * in WebAssembly memory. Its source (compiled with wabt 1.0.39):
 *   (module (import "env" "mem" (memory 1 65536))
 *     (func (export "sum") (param $p i32) (param $end i32) (result f32) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
 *       (block $done (loop $l (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
 *         (local.set $a0 (f32x4.add (local.get $a0) (v128.load (local.get $p))))            ;; likewise $a1..$a3 at offsets 16, 32, 48
 *         (local.set $p (i32.add (local.get $p) (i32.const 64))) (br $l)))
 *       ;; returns the sum of the 16 lanes
 *   ))
 */
const SUM_WASM =
  'AGFzbQEAAAABBwFgAn9/AX0CDwEDZW52A21lbQIBAYCABAMCAQAHBwEDc3VtAAAKewF5AQR7AkADQCAAIAFPDQEgAiAA/QAEAP3kASECIAMgAP0ABBD95AEhAyAEIAD9AAQg/eQBIQQgBSAA/QAEMP3kASEFIABBwABqIQAMAAsLIAIgA/3kASAEIAX95AH95AEhAiAC/R8AIAL9HwGSIAL9HwIgAv0fA5KSCw==';
function simdSummer(data) {
  const bytes = Buffer.from(SUM_WASM, 'base64');
  const mem = new WebAssembly.Memory({ initial: Math.ceil((data.byteLength + 65536) / 65536), maximum: 65536 });
  new Float32Array(mem.buffer, 0, data.length).set(data);
  const { sum } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem } }).exports;
  return () => sum(0, data.byteLength);
}

/** The naive loop: core's euclideanDistance on each row's subarray, keep the minimum. */
function naive(data, N, D, probe) {
  let best = Infinity;
  let bestRow = -1;
  for (let r = 0; r < N; r++) {
    const d = euclideanDistance(probe, data.subarray(r * D, (r + 1) * D));
    if (d < best) {
      best = d;
      bestRow = r;
    }
  }
  return bestRow;
}

const results = [];
results.kernel = 'unknown';
let sink = 0;
const t00 = performance.now();
const load0 = loadavg()[0];
for (const D of DIMS) {
  for (const N of SIZES) {
    const tg = performance.now();
    const data = unitRows(N, D, N + D);
    const identities = Array.from({ length: N }, (_, i) => `person ${Math.floor(i / 10)}`);
    const imageIds = Array.from({ length: N }, (_, i) => `img_${i}.jpg`);
    const g = Gallery.inMemory({ dimension: D, modelId: 'bench' });
    results.kernel = g.searchKernel;
    await g.enrollMany(identities, data, imageIds);
    const loadMs = performance.now() - tg;
    const probes = Array.from({ length: BATCH }, (_, i) => unitRows(1, D, 7 + i));
    let q = 0;
    const big = N * D >= 1e8;
    const sumSimd = simdSummer(data);
    const t = race(
      {
        sumSimd: () => (sink += sumSimd()),
        identify: () => (sink += g.identify(probes[q++ % BATCH])[0].distance),
        identifyK10: () => (sink += g.identify(probes[q++ % BATCH], { k: 10 })[0].distance),
        sum1: () => (sink += sum1(data)),
        sum4: () => (sink += sum4(data)),
        naive: () => (sink += naive(data, N, D, probes[q++ % BATCH])),
        batch: () => (sink += g.identifyMany(probes)[0][0].distance),
      },
      big ? 6 : 8,
      3000,
    );
    const {
      identify: identifyMs,
      identifyK10: identifyK10Ms,
      sum1: sum1Ms,
      sum4: sum4Ms,
      sumSimd: sumSimdMs,
      naive: naiveMs,
    } = t;
    const batchMs = t.batch / BATCH;
    // The batch gives the same answers as one-by-one identify.
    const same = g.identifyMany(probes).every((m, i) => m[0].imageId === g.identify(probes[i])[0].imageId);
    if (!same) throw new Error('identifyMany disagrees with identify');
    const row = {
      N,
      D,
      gb: (N * D * 4) / 1e9,
      loadMs,
      identifyMs,
      identifyK10Ms,
      sum1Ms,
      sum4Ms,
      sumSimdMs,
      naiveMs,
      batchMs,
      rounds: t.rounds,
    };
    results.push(row);
    console.log(
      `N=${N.toExponential(0)} D=${D}: identify ${identifyMs.toFixed(3)} ms (${(1000 / identifyMs).toFixed(0)} q/s), ` +
        `k=10 ${identifyK10Ms.toFixed(3)} ms, sum ${sum1Ms.toFixed(3)} / ${sum4Ms.toFixed(3)} / simd ${sumSimdMs.toFixed(3)} ms, naive ${naiveMs.toFixed(3)} ms, ` +
        `batch×${BATCH} ${batchMs.toFixed(3)} ms/probe (setup ${(loadMs / 1000).toFixed(1)} s)`,
    );
    await g.close();
  }
}
const totalS = (performance.now() - t00) / 1000;

const f = (x, d = 2) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(d));
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const kernel = results.kernel;
const section = [
  `## Kernel: ${kernel}`,
  '',
  `\`${kernel === 'js' ? 'EOLGUL_GALLERY_KERNEL=js ' : ''}node scripts/bench-gallery.mjs\` on ${new Date().toISOString().slice(0, 10)}: ${cpu}, ${cpus().length} cores, ` +
    `${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, one thread. Run took ${totalS.toFixed(0)} s; ` +
    `load average (1 min) ${load0.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end.`,
  '',
  '| N | D | GB | identify ms | queries/s | identify k=10 ms | sum ×1 ms | sum ×4 ms | sum SIMD ms | identify / sum×4 | identify / sum SIMD | naive ms | batch ms/probe | batch speed-up | rounds |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...results.map(
    (r) =>
      `| ${r.N.toExponential(0)} | ${r.D} | ${r.gb.toFixed(3)} | ${f(r.identifyMs, 3)} | ${f(1000 / r.identifyMs, 1)} | ${f(r.identifyK10Ms, 3)} | ` +
      `${f(r.sum1Ms, 3)} | ${f(r.sum4Ms, 3)} | ${f(r.sumSimdMs, 3)} | ${(r.identifyMs / r.sum4Ms).toFixed(2)} | ${(r.identifyMs / r.sumSimdMs).toFixed(2)} | ${f(r.naiveMs, 3)} | ${f(r.batchMs, 3)} | ` +
      `${(r.identifyMs / r.batchMs).toFixed(2)}× | ${r.rounds} |`,
  ),
  '',
];
const intro = [
  '# Gallery search benchmark',
  '',
  'Exact 1:N search (`Gallery.identify`, k = 1, Euclidean) over N random unit vectors of dimension D in one',
  'contiguous `Float32Array`, against, in the same run, over an array of the same size and content:',
  '- **sum ×1 / sum ×4**: a plain TypeScript sum of every float with one / four accumulators;',
  '- **sum SIMD**: a WebAssembly SIMD sum (f32x4, four accumulators) over a copy of the same bytes: the strictest',
  '  memory-bandwidth pass (the plain sums are limited by scalar instructions, not by memory);',
  "- **naive**: core's `euclideanDistance(probe, data.subarray(row))` for each row, keeping the minimum;",
  `- **batch**: \`identifyMany\` with ${BATCH} probes (matrix × matrix: each block of rows read once for all probes), per probe.`,
  '',
  'Milliseconds, fastest of several interleaved rounds (every method runs once per round, after one warm-up call):',
  'this machine is shared, so the fastest run is the one least disturbed. The goal is identify ≤ 2 × the bandwidth pass at N = 1e6.',
  'Galleries hold N / 10 identities of 10 images; at N = 1e6 the first 1e5 generated rows are repeated.',
  '',
];
mkdirSync(path.join(root, 'docs/benchmarks'), { recursive: true });
const out = path.join(root, 'docs/benchmarks/gallery.md');
const sections = {};
try {
  const text = readFileSync(out, 'utf8');
  for (const part of text.split(/\n(?=## )/).slice(1))
    sections[part.slice(3, part.indexOf('\n')).trim()] = `${part.trimEnd()}\n`;
} catch {
  /* first run */
}
sections[`Kernel: ${kernel}`] = section.join('\n');
const order = ['Kernel: wasm-simd', 'Kernel: js', ...Object.keys(sections).filter((k) => !k.startsWith('Kernel: '))];
writeFileSync(
  out,
  intro.join('\n') +
    '\n' +
    order
      .filter((k) => sections[k])
      .map((k) => sections[k])
      .join('\n'),
);
console.log(
  `\n${section.join('\n')}\nwrote ${path.relative(root, out)} (${totalS.toFixed(0)} s; checksum ${sink.toFixed(1)})`,
);
