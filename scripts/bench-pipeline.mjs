#!/usr/bin/env node
// Speed of eolgul's default pipeline beside @vladmandic/face-api and @vladmandic/human on the same images, each library
// in its own process and one thread (issue 8), then eolgul's worker pool on every core. Writes
// docs/benchmarks/pipeline.md.
//
//   pnpm bench:pipeline            (= turbo run build && node scripts/bench-pipeline.mjs)
//   node scripts/bench-pipeline.mjs [--data DIR] [--n 500] [--only eolgul,frontdoor,face-api,human,pool,frontdoor-pool,cli]
//                                   [--out FILE]
//                                   [--max-load 1.5] [--wait 300] [--workers N]
//
// Images: the fixed selection of selectImages() in scripts/bench-pipeline/common.mjs — every image of
// ../shared/data/lfw-subset/images sorted by `<Name>/<file>`, then indices floor(i · total / 500), i = 0 … 499. The
// SHA-256 of the selected names is printed and written so runs can be compared.
// Work per image, for every library: decode the JPEG with sharp, detect every face, its landmarks and its descriptor
// (emotion, age, gender etc. off). Every runner is a child process with one thread of inference (ONNX Runtime intra-op
// 1 for eolgul; tfjs-backend-wasm for the peers, single-threaded in Node) and libvips limited to one thread
// (VIPS_CONCURRENCY=1). Each runner does one warm-up call on the first image, then times all images one after the
// other. The machine is shared: before each run the script waits (up to --wait seconds) for the 1-minute load average
// to fall to --max-load, and it records the load average next to every figure. CPU time per image (user + system,
// all threads) is reported too: it is much less sensitive to other processes than wall-clock time.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESULT_MARK, selectImages } from './bench-pipeline/common.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const here = join(root, 'scripts', 'bench-pipeline');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const dataDir = resolve(opt('data', join(root, '..', 'shared', 'data', 'lfw-subset', 'images')));
const n = Number(opt('n', '500'));
const outFile = resolve(opt('out', join(root, 'docs', 'benchmarks', 'pipeline.md')));
const only = new Set(opt('only', 'eolgul,frontdoor,face-api,human,pool,frontdoor-pool,cli').split(','));
const maxLoad = Number(opt('max-load', '1.5'));
const waitS = Number(opt('wait', '300'));
const workers = Number(opt('workers', String(os.availableParallelism())));

const cliBin = join(root, 'packages', 'cli', 'dist', 'cli.js');
for (const f of [
  cliBin,
  join(root, 'packages', 'detector', 'dist', 'index.js'),
  join(root, 'packages', 'facenet', 'dist', 'index.js'),
]) {
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
const tmp = mkdtempSync(join(os.tmpdir(), 'eolgul-bench-pipeline-'));
const jobFile = join(tmp, 'job.json');

// ---------- Human's models over HTTP on 127.0.0.1 ----------
const rootReq = createRequire(join(root, 'package.json'));
const humanDir = resolve(dirname(rootReq.resolve('@vladmandic/human')), '..');
const humanModels = join(humanDir, 'models');
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
writeFileSync(jobFile, JSON.stringify({ images: sel.paths, humanModelsUrl, workers }));

// ---------- running ----------
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitForQuiet(label) {
  const t0 = Date.now();
  while (os.loadavg()[0] > maxLoad && Date.now() - t0 < waitS * 1000) {
    console.log(`  [${label}] load average ${os.loadavg()[0].toFixed(2)} > ${maxLoad}: waiting`);
    await sleep(15_000);
  }
  return os.loadavg();
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

const results = [];
async function runner(key, script, env = { VIPS_CONCURRENCY: '1' }) {
  if (!only.has(key)) return;
  const loadBefore = await waitForQuiet(key);
  console.log(`running ${key} (load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')})`);
  const r = await run([join(here, script), jobFile], env);
  const line = r.stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
  if (r.code !== 0 || !line) {
    console.error(`${key} failed (exit ${r.code}):\n${r.stderr.slice(-3000)}`);
    results.push({ library: key, failed: `exit ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}` });
    return;
  }
  const res = { key, ...JSON.parse(line.slice(RESULT_MARK.length)), loadavgBefore: loadBefore };
  results.push(res);
  console.log(`  ${JSON.stringify(res)}`);
}

// eolgul twice: through the front door (`eolgul`, what apps use) and composed by hand from the packages, the path
// these figures were first taken on, kept to show what the front door costs.
await runner('eolgul', 'run-eolgul.mjs');
await runner('frontdoor', 'run-eolgul-frontdoor.mjs');
await runner('face-api', 'run-face-api.mjs');
await runner('human', 'run-human.mjs');
await runner('pool', 'run-eolgul-pool.mjs', {});
await runner('frontdoor-pool', 'run-eolgul-frontdoor-pool.mjs', {});

// The `eolgul embed` command over the same images (a folder of symlinks <Name>/<file>), timed from spawn to exit:
// Node start, worker start, model loads, every image, NPY + CSV writes.
if (only.has('cli')) {
  const dir = join(tmp, 'images');
  for (const [i, rel] of sel.rel.entries()) {
    mkdirSync(join(dir, dirname(rel)), { recursive: true });
    symlinkSync(sel.paths[i], join(dir, rel));
  }
  const loadBefore = await waitForQuiet('cli');
  console.log(
    `running eolgul embed --workers ${workers} (load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')})`,
  );
  const r = await run([
    '-r',
    join(here, 'rss-on-exit.cjs'),
    cliBin,
    'embed',
    dir,
    '--out',
    join(tmp, 'emb'),
    '--workers',
    String(workers),
  ]);
  const usageLine = r.stderr.split('\n').find((l) => l.startsWith('BENCH_USAGE '));
  const usage = usageLine ? JSON.parse(usageLine.slice('BENCH_USAGE '.length)) : {};
  const m = /embedded (\d+) of (\d+)/.exec(r.stdout);
  if (r.code !== 0 || !m) {
    results.push({
      library: 'eolgul-cli',
      failed: `exit ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    });
  } else {
    const res = {
      key: 'cli',
      library: 'eolgul-cli',
      workers,
      images: n,
      wallMs: r.wallMs,
      imagesPerSecond: (n * 1000) / r.wallMs,
      cpuMsPerImage: usage.cpuMs / n,
      maxRssMiB: usage.maxRssMiB,
      faces: Number(m[1]),
      imagesWithFace: Number(m[1]),
      descriptorLength: 512,
      loadavgBefore: loadBefore,
      loadavgEnd: os.loadavg(),
    };
    results.push(res);
    console.log(`  ${JSON.stringify(res)}`);
  }
}
server.close();
rmSync(tmp, { recursive: true, force: true });

// ---------- report ----------
const version = (name, from = root) => {
  try {
    const req = createRequire(join(from, 'package.json'));
    let dir = dirname(req.resolve(name));
    while (
      !existsSync(join(dir, 'package.json')) ||
      JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== name
    )
      dir = dirname(dir);
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
};
const pkgVersion = (p) => JSON.parse(readFileSync(join(root, 'packages', p, 'package.json'), 'utf8')).version;
let commit = '?';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  if (execFileSync('git', ['status', '--porcelain', '--', 'packages', 'scripts'], { cwd: root }).toString().trim())
    commit += ' (with uncommitted changes)';
} catch {}
const cpus = os.cpus();
const f = (x, d = 1) => (x == null || Number.isNaN(x) ? 'n/a' : x.toFixed(d));
const la = (a) => (a ? a.map((l) => l.toFixed(2)).join(' ') : 'n/a');
const names = {
  eolgul: 'eolgul, packages composed by hand (1 thread)',
  'eolgul-frontdoor': 'eolgul front door, `createFaceRecognizer().analyse` (1 thread)',
  'face-api': `@vladmandic/face-api ${version('@vladmandic/face-api')} (wasm, 1 thread)`,
  human: `@vladmandic/human ${version('@vladmandic/human')} (wasm, 1 thread)`,
  'eolgul-pool': `eolgul pool, analyseImages of @eolgul/cli, ${workers} workers`,
  'eolgul-frontdoor-pool': `eolgul front door, \`createFaceRecognizer({ workers: ${workers} })\``,
  'eolgul-cli': `\`eolgul embed --workers ${workers}\` (whole command)`,
};
const rowsSingle = results.filter((r) => ['eolgul', 'eolgul-frontdoor', 'face-api', 'human'].includes(r.library));
const peers = rowsSingle.filter((r) => !r.library.startsWith('eolgul') && !r.failed);
const fasterPeer = peers.sort((a, b) => b.imagesPerSecond - a.imagesPerSecond)[0];
const ok = (library) => results.find((r) => r.library === library && !r.failed && !r.skipped);
const eo = ok('eolgul');
const pool = ok('eolgul-pool');
const door = ok('eolgul-frontdoor');
const doorPool = ok('eolgul-frontdoor-pool');
const cliRun = ok('eolgul-cli');
const best = [eo, door, pool, doorPool, cliRun]
  .filter(Boolean)
  .sort((a, b) => b.imagesPerSecond - a.imagesPerSecond)[0];
/** The front door's speed against the packages composed by hand, in the same run. */
const doorRatio = (a, b) =>
  a && b
    ? `${f(a.imagesPerSecond, 2)} against ${f(b.imagesPerSecond, 2)} images/s (${f((a.imagesPerSecond / b.imagesPerSecond - 1) * 100)} %), CPU ${f(a.cpuMsPerImage)} against ${f(b.cpuMsPerImage)} ms / image (${f((a.cpuMsPerImage / b.cpuMsPerImage - 1) * 100)} %)`
    : 'n/a';
const ratio = (r) => (r && fasterPeer ? `${(r.imagesPerSecond / fasterPeer.imagesPerSecond).toFixed(1)}×` : 'n/a');
const now = new Date();

const single = rowsSingle.map((r) =>
  r.failed
    ? `| ${names[r.library]} | failed: ${r.failed} |||||||||||`
    : `| ${names[r.library]} | **${f(r.imagesPerSecond, 2)}** | ${f(r.p50)} | ${f(r.p95)} | ${f(r.cpuMsPerImage)} | ${f(r.loadMs, 0)} | ${f(r.warmupMs, 0)} | ${f(r.maxRssMiB, 0)} | ${r.numTensors == null ? 'n/a' : `${r.numTensorsAfterWarmup} → ${r.numTensors}`} | ${r.faces} / ${r.imagesWithFace} | ${r.descriptorLength} | ${la(r.loadavgStart)} → ${la(r.loadavgEnd)} |`,
);
const multi = results
  .filter((r) => ['eolgul-pool', 'eolgul-frontdoor-pool', 'eolgul-cli'].includes(r.library))
  .map((r) =>
    r.failed || r.skipped
      ? `| ${names[r.library]} | ${r.failed ? `failed: ${r.failed}` : `skipped: ${r.skipped}`} |||||`
      : `| ${names[r.library]} | **${f(r.imagesPerSecond, 2)}** | ${f(r.wallMs / 1000, 2)} | ${f(r.cpuMsPerImage)} | ${f(r.maxRssMiB, 0)} | ${la(r.loadavgBefore)} → ${la(r.loadavgEnd)} |`,
  );

const md = `# Pipeline speed: eolgul beside face-api and Human

Measured by \`pnpm bench:pipeline\` (\`scripts/bench-pipeline.mjs\`) on ${now.toISOString().slice(0, 10)} (${now.toISOString()}), commit ${commit}.

**Machine:** ${cpus.length} logical cores (os.availableParallelism() = ${os.availableParallelism()}), ${cpus[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}, no GPU.
Node ${process.version}. eolgul packages: detector ${pkgVersion('detector')}, facenet ${pkgVersion('facenet')}, cli ${pkgVersion('cli')};
onnxruntime-node ${version('onnxruntime-node', join(root, 'packages', 'runtime'))}, sharp ${version('sharp', join(root, 'packages', 'detector'))};
@vladmandic/face-api ${version('@vladmandic/face-api')}, @vladmandic/human ${version('@vladmandic/human')},
@tensorflow/tfjs ${version('@tensorflow/tfjs')}, @tensorflow/tfjs-backend-wasm ${version('@tensorflow/tfjs-backend-wasm', join(root, 'packages', 'runtime'))}.

**Images:** ${n} of the ${sel.total} images of \`../shared/data/lfw-subset/images\` (250×250 JPEG): all files sorted by
\`<Name>/<file>\`, then indices ⌊i · ${sel.total} / ${n}⌋ for i = 0 … ${n - 1}; SHA-256 of the newline-joined names
\`${selectionHash}\` (first ${sel.rel[0]}, last ${sel.rel[n - 1]}).

**Work per image, every library:** decode the JPEG with sharp, find every face, its landmarks and its face descriptor
(emotion, age, gender, iris, anti-spoofing off).
- eolgul: \`readImage\` → \`createFaceDetector().detect\` (RFB-320 detector + MTCNN RNet / ONet 5 points, ONNX Runtime, 1 intra-op thread) →
  \`alignFace(…, 112)\` → \`createFaceNet().embedBatch\` (512-d), composed by hand; and the same through the front door,
  \`createFaceRecognizer({ threads: 1 }).analyse(path)\` (its gallery empty).
- face-api: its Node wasm build, SSD MobileNet v1 (minConfidence 0.5, its default detector) → 68 landmarks → 128-d descriptor,
  \`detectAllFaces(tensor).withFaceLandmarks().withFaceDescriptors()\`.
- Human: its Node wasm build, BlazeFace (maxDetected 20) → FaceMesh (468 points) → FaceRes descriptor (1024-d); result cache
  off (\`cacheSensitivity: 0\`), image filters off; models served to it over HTTP on 127.0.0.1 (its wasm build cannot read \`file://\`).

Each library runs in its own child process with one thread of inference (tfjs-backend-wasm has no threads in Node) and
libvips limited to one thread (\`VIPS_CONCURRENCY=1\`). Model load = from the runner's import of the library to models
ready (backend init included, Node start excluded); then one warm-up call on the first image, then the ${n} images timed
one by one. *CPU ms / image* is user + system CPU time of the whole process divided by the images: the machine is
shared with other work, and CPU time is far less sensitive to that than wall-clock time. *Load avg* is
\`os.loadavg()\` (1, 5, 15 min) at the start and end of the timed loop, on ${os.availableParallelism()} cores (the run being measured counts for about 1 of it): each run waited (up to ${waitS} s) for the 1-minute load
average to fall to ${maxLoad}${
  results.some((r) => r.loadavgBefore && r.loadavgBefore[0] > maxLoad)
    ? `; **${results
        .filter((r) => r.loadavgBefore && r.loadavgBefore[0] > maxLoad)
        .map((r) => r.library)
        .join(
          ', ',
        )} started on a busier machine** (the wait ran out), so their wall-clock figures are pessimistic and the CPU column is the fairer comparison`
    : ', and every run started at or below it'
}.

## One thread each

| library | images / s | ms / image p50 | p95 | CPU ms / image | model load (ms) | warm-up (ms) | peak RSS (MiB) | tf numTensors after warm-up → end | faces / images with a face | descriptor | load avg start → end |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${single.join('\n')}

eolgul's default pipeline runs on ONNX Runtime only: tfjs is loaded by \`@eolgul/emotion\` alone (off here), so there is
no tensor count to report (n/a). The peers' counts include their model weights; ${
  peers.length
    ? peers
        .map(
          (r) =>
            `${r.library} ${r.numTensors === r.numTensorsAfterWarmup ? 'kept the same count' : `went from ${r.numTensorsAfterWarmup} to ${r.numTensors}`} over the ${r.images} images`,
        )
        .join(', ')
    : 'n/a'
}.

## eolgul on every core

| run | images / s | wall (s) | CPU ms / image | peak RSS (MiB) | load avg before → end |
| --- | ---: | ---: | ---: | ---: | --- |
${multi.join('\n')}

The pool time runs from the call to the last answer (worker start and their model loads included); the \`eolgul embed\`
time runs from spawning the command to its exit (Node start, workers, models, every image, NPY + CSV writes). These
use the main face of each image (\`'main'\` mode, detection retried at score 0.2 when none is found), as \`eolgul embed\` does.

## The front door against the packages composed by hand

- One thread: ${doorRatio(door, eo)}.
- ${workers} workers: ${doorRatio(doorPool, pool)}.

## Against the goal

Faster peer on this run: ${fasterPeer ? `${names[fasterPeer.library]}, ${f(fasterPeer.imagesPerSecond, 2)} images/s` : 'n/a'}.
- eolgul, one thread: ${ratio(eo)} the faster peer's images per second (front door: ${ratio(door)}).
- eolgul pool on ${workers} cores: ${ratio(pool)} (front door: ${ratio(doorPool)})${cliRun ? `; \`eolgul embed\` end to end: ${ratio(cliRun)}` : ''}.
- Goal of issue 8: ≥ 10× — ${best && fasterPeer ? (best.imagesPerSecond / fasterPeer.imagesPerSecond >= 10 ? 'met' : 'not met') : 'n/a'} on this run (best eolgul run: ${best ? names[best.library] : 'n/a'}).
`;
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, md);
console.log(`\n${md}`);
console.log(`wrote ${outFile}`);
