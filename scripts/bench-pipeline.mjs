#!/usr/bin/env node
// Speed of eolgul's pipeline at both embedder precisions (FP32, int8) beside @vladmandic/face-api and @vladmandic/human
// on the same images, each library in its own process and one thread; eolgul per stage; `eolgul embed` on every core;
// and the LFW View-2 accuracy of each precision through `eolgul lfw eval`. Writes docs/benchmarks/pipeline.md.
//
//   pnpm bench:pipeline            (= turbo run build && node scripts/bench-pipeline.mjs)
//   node scripts/bench-pipeline.mjs [--quick] [--data DIR] [--n 500] [--precision fp32,int8]
//        [--only frontdoor,stages,models,face-api,human,side-by-side,frontdoor-pool,cli,lfw]
//        [--lfw DIR] [--lfw-pairs 300]
//        [--out FILE] [--max-load 1.5] [--wait 300] [--workers N]
//
// --quick: a check that every part runs (about 3 minutes on a quiet 2-core machine): 50 images, 20 pairs of each kind
// per LFW fold (400 pairs), no waiting for a quiet machine, report written to a temporary file unless --out is given.
// Its figures are not the benchmark's: the lead's run is the full one.
//
// Images: the fixed selection of selectImages() in scripts/bench-pipeline/common.mjs — every image of
// ../shared/data/lfw-subset/images sorted by `<Name>/<file>`, then indices floor(i · total / n), i = 0 … n − 1. The
// SHA-256 of the selected names is printed and written so runs can be compared.
// Work per image, for every library: decode the JPEG with sharp, detect every face, its landmarks and its descriptor
// (emotion, age, gender etc. off). Every runner is a child process with one thread of inference (ONNX Runtime intra-op
// 1 for eolgul; tfjs-backend-wasm for the peers, single-threaded in Node) and libvips limited to one thread
// (VIPS_CONCURRENCY=1). Each runner does one warm-up call on the first image, then times all images one after the
// other. The machine is shared: before each run the script waits (up to --wait seconds) for the 1-minute load average
// to fall to --max-load, and it records the load average next to every figure. CPU time per image (user + system,
// all threads) is reported too: it is much less sensitive to other processes than wall-clock time.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RESULT_MARK, selectImages } from './bench-pipeline/common.mjs';
import { lfwPairsSubset } from './bench-pipeline/lfw-pairs.mjs';
import { pipelineReport } from './bench-pipeline/report.mjs';
import { writeBenchmarkDoc } from './lib/write-doc.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const here = join(root, 'scripts', 'bench-pipeline');
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    data: { type: 'string', default: join(root, '..', 'shared', 'data', 'lfw-subset', 'images') },
    lfw: { type: 'string', default: join(root, '..', 'shared', 'data', 'lfw-subset') },
    n: { type: 'string' },
    'lfw-pairs': { type: 'string' },
    precision: { type: 'string', default: 'fp32,int8' },
    only: { type: 'string', default: 'frontdoor,stages,models,face-api,human,side-by-side,frontdoor-pool,cli,lfw' },
    out: { type: 'string' },
    'max-load': { type: 'string', default: '1.5' },
    wait: { type: 'string' },
    workers: { type: 'string', default: String(os.availableParallelism()) },
  },
});
const quick = args.quick;
const dataDir = resolve(args.data);
const n = Number(args.n ?? (quick ? 50 : 500));
const lfwPairs = Number(args['lfw-pairs'] ?? (quick ? 20 : 300));
const precisions = args.precision.split(',');
for (const p of precisions) if (p !== 'fp32' && p !== 'int8') throw new Error(`--precision: fp32 or int8, got ${p}`);
const only = new Set(args.only.split(','));
const maxLoad = Number(args['max-load']);
const waitS = Number(args.wait ?? (quick ? 0 : 300));
const workers = Number(args.workers);
const tmp = mkdtempSync(join(os.tmpdir(), 'eolgul-bench-pipeline-'));
const outFile = resolve(
  args.out ?? (quick ? join(tmp, 'pipeline.md') : join(root, 'docs', 'benchmarks', 'pipeline.md')),
);

const cliBin = join(root, 'packages', 'cli', 'dist', 'cli.js');
for (const f of [cliBin, join(root, 'packages', 'eolgul', 'dist', 'node', 'index.js')]) {
  if (!existsSync(f)) {
    console.error(`missing ${f}: build first (pnpm build)`);
    process.exit(1);
  }
}

// ---------- images ----------
const sel = selectImages(dataDir, n);
const selectionHash = createHash('sha256').update(sel.rel.join('\n')).digest('hex');
console.log(
  `${sel.rel.length} of ${sel.total} images of ${dataDir} (sha256 of the names ${selectionHash.slice(0, 16)}…)`,
);

// ---------- Human's models over HTTP on 127.0.0.1 ----------
const rootReq = createRequire(join(root, 'package.json'));
const humanModels = join(resolve(dirname(rootReq.resolve('@vladmandic/human')), '..'), 'models');
const server = createServer((req, res) => {
  const file = join(humanModels, basename(decodeURIComponent(new URL(req.url, 'http://x').pathname)));
  try {
    res.end(readFileSync(file));
  } catch {
    res.statusCode = 404;
    res.end();
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const humanModelsUrl = `http://127.0.0.1:${server.address().port}/`;

// ---------- running ----------
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/**
 * Waits (up to --wait seconds) for the 1-minute load average to fall to --max-load, says what runs, and returns the
 * load average.
 */
async function waitForQuiet(label) {
  const t0 = Date.now();
  while (os.loadavg()[0] > maxLoad && Date.now() - t0 < waitS * 1000) {
    console.log(`  [${label}] load average ${os.loadavg()[0].toFixed(2)} > ${maxLoad}: waiting`);
    await sleep(15_000);
  }
  const loadBefore = os.loadavg();
  console.log(`running ${label} (load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')})`);
  return loadBefore;
}

/** Runs `node <args>` and returns { code, stdout, stderr, wallMs }. */
function run(nodeArgs, env = {}) {
  return new Promise((ok) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, nodeArgs, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => ok({ code, stdout, stderr, wallMs: performance.now() - t0 }));
  });
}

/** The runner's result (the JSON after RESULT_MARK on its stdout), or undefined when it failed or printed none. */
function resultOf(r) {
  const line = r.stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
  return r.code === 0 && line ? JSON.parse(line.slice(RESULT_MARK.length)) : undefined;
}

const results = [];
const failed = (library, precision, r) =>
  results.push({ library, precision, failed: `exit ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}` });

/** One runner script in its own process (run when `key` is in --only); `precision` goes into its job file. */
async function runner(key, library, script, { precision, env = { VIPS_CONCURRENCY: '1' } } = {}) {
  if (!only.has(key)) return;
  const label = precision ? `${key} ${precision}` : key;
  const loadBefore = await waitForQuiet(label);
  const jobFile = join(tmp, `job-${key}-${precision ?? 'peer'}.json`);
  writeFileSync(jobFile, JSON.stringify({ images: sel.paths, humanModelsUrl, workers, precision }));
  const r = await run([join(here, script), jobFile], env);
  const out = resultOf(r);
  if (!out) {
    console.error(`${label} failed (exit ${r.code}):\n${r.stderr.slice(-3000)}`);
    failed(library, precision, r);
    return;
  }
  const res = { key, ...out, loadavgBefore: loadBefore };
  results.push(res);
  console.log(`  ${JSON.stringify(res)}`);
}

/** `eolgul [--precision p] <args>` timed from spawn to exit, with its CPU time and peak RSS (rss-on-exit.cjs). */
async function cli(label, precision, cliArgs) {
  const loadBefore = await waitForQuiet(label);
  const flags = precision === 'fp32' ? [] : ['--precision', precision];
  const r = await run(['-r', join(here, 'rss-on-exit.cjs'), cliBin, ...flags, ...cliArgs]);
  const usageLine = r.stderr.split('\n').find((l) => l.startsWith('BENCH_USAGE '));
  const usage = usageLine ? JSON.parse(usageLine.slice('BENCH_USAGE '.length)) : {};
  return { r, usage, loadBefore };
}

for (const precision of precisions)
  await runner('frontdoor', 'eolgul-frontdoor', 'run-eolgul-frontdoor.mjs', { precision });
await runner('face-api', 'face-api', 'run-face-api.mjs');
await runner('human', 'human', 'run-human.mjs');
for (const precision of precisions) await runner('stages', 'eolgul-stages', 'run-eolgul-stages.mjs', { precision });
await runner('models', 'eolgul-models', 'run-eolgul-models.mjs');
// The ceiling of the pool: `workers` one-thread front doors in separate processes at once, each timing every image's
// main face (the work of `eolgul embed`) from the same moment after its model load and warm-up. No worker pool, no Node
// start, no model load, no output: what the cores give for this work per image.
async function sideBySide(precision) {
  if (!only.has('side-by-side')) return;
  const label = `side-by-side ${precision} ×${workers}`;
  const loadBefore = await waitForQuiet(label);
  const jobFile = join(tmp, `job-side-by-side-${precision}.json`);
  // Node start, import and model load take under a second on this machine; 5 s leaves room on a busy one.
  const startAt = Date.now() + 5000;
  writeFileSync(jobFile, JSON.stringify({ images: sel.paths, precision, mainFace: true, startAt }));
  const script = join(here, 'run-eolgul-frontdoor.mjs');
  const runs = await Promise.all(
    Array.from({ length: workers }, () => run([script, jobFile], { VIPS_CONCURRENCY: '1' })),
  );
  const each = runs.map(resultOf);
  const bad = each.indexOf(undefined);
  if (bad >= 0) {
    console.error(`${label} failed (exit ${runs[bad].code}):\n${runs[bad].stderr.slice(-3000)}`);
    failed('eolgul-side-by-side', precision, runs[bad]);
    return;
  }
  const wallMs = Math.max(...each.map((e) => e.startedLateMs + e.wallMs));
  const res = {
    key: 'side-by-side',
    library: 'eolgul-side-by-side',
    precision,
    workers,
    images: n * workers,
    wallMs,
    imagesPerSecond: (n * workers * 1000) / wallMs,
    cpuMsPerImage: each.reduce((a, e) => a + e.cpuMsPerImage, 0) / workers,
    startedLateMs: Math.max(...each.map((e) => e.startedLateMs)),
    maxRssMiB: Math.max(...each.map((e) => e.maxRssMiB)),
    loadavgBefore: loadBefore,
    loadavgEnd: os.loadavg(),
  };
  results.push(res);
  console.log(`  ${JSON.stringify(res)}`);
}
for (const precision of precisions) await sideBySide(precision);
for (const precision of precisions)
  await runner('frontdoor-pool', 'eolgul-frontdoor-pool', 'run-eolgul-frontdoor-pool.mjs', { precision, env: {} });

// The `eolgul embed` command over the same images (a folder of symlinks <Name>/<file>), timed from spawn to exit:
// Node start, worker start, model loads, every image, NPY + CSV writes.
if (only.has('cli')) {
  const dir = join(tmp, 'images');
  for (const [i, rel] of sel.rel.entries()) {
    mkdirSync(join(dir, dirname(rel)), { recursive: true });
    symlinkSync(sel.paths[i], join(dir, rel));
  }
  for (const precision of precisions) {
    const out = join(tmp, `emb-${precision}`);
    const label = `eolgul embed --workers ${workers} (${precision})`;
    const { r, usage, loadBefore } = await cli(label, precision, [
      'embed',
      dir,
      '--out',
      out,
      '--workers',
      `${workers}`,
    ]);
    const m = /embedded (\d+) of (\d+)/.exec(r.stdout);
    if (r.code !== 0 || !m) failed('eolgul-cli', precision, r);
    else {
      const res = {
        key: 'cli',
        library: 'eolgul-cli',
        precision,
        workers,
        images: n,
        wallMs: r.wallMs,
        imagesPerSecond: (n * 1000) / r.wallMs,
        cpuMsPerImage: usage.cpuMs / n,
        maxRssMiB: usage.maxRssMiB,
        faces: Number(m[1]),
        loadavgBefore: loadBefore,
        loadavgEnd: os.loadavg(),
      };
      results.push(res);
      console.log(`  ${JSON.stringify({ ...res, wallMs: r.wallMs })}`);
    }
  }
}

// LFW View-2 through `eolgul lfw eval` at each precision (all 6000 pairs, or --lfw-pairs of each kind per fold).
if (only.has('lfw')) {
  const pairsFile = join(args.lfw, 'pairs.txt');
  const pairs = lfwPairs >= 300 ? pairsFile : join(tmp, 'pairs.txt');
  if (pairs !== pairsFile) writeFileSync(pairs, lfwPairsSubset(readFileSync(pairsFile, 'utf8'), lfwPairs));
  for (const precision of precisions) {
    const json = join(tmp, `lfw-${precision}.json`);
    const lfwArgs = ['lfw', 'eval', '--images', join(args.lfw, 'images'), '--pairs', pairs, '--json', json];
    const { r, loadBefore } = await cli(`eolgul lfw eval (${precision})`, precision, [
      ...lfwArgs,
      '--workers',
      `${workers}`,
    ]);
    if (r.code !== 0 || !existsSync(json)) failed('eolgul-lfw', precision, r);
    else {
      const ran = /precision:? (fp32|int8)/i.exec(r.stdout)?.[1] ?? 'not reported';
      const res = { key: 'lfw', library: 'eolgul-lfw', precision, ran, ...JSON.parse(readFileSync(json, 'utf8')) };
      delete res.folds;
      results.push({ ...res, wallMs: r.wallMs, loadavgBefore: loadBefore, loadavgEnd: os.loadavg() });
      console.log(`  ${JSON.stringify({ ...res, wallMs: r.wallMs })}`);
    }
  }
}
server.close();

// ---------- report ----------
const md = pipelineReport(results, {
  root,
  n,
  total: sel.total,
  rel: sel.rel,
  selectionHash,
  workers,
  maxLoad,
  waitS,
  quick,
  lfwPairs,
  precisions,
});
mkdirSync(dirname(outFile), { recursive: true });
writeBenchmarkDoc(outFile, md);
console.log(`\n${md}`);
console.log(`wrote ${outFile}`);
if (!outFile.startsWith(tmp)) rmSync(tmp, { recursive: true, force: true });
