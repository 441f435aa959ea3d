#!/usr/bin/env node
// Latency of one video frame through eolgul's whole real-time path, on one core (issue 8), and a 10,000-frame soak that
// shows whether tensors or memory grow. Writes docs/benchmarks/frame.md.
//
//   pnpm bench:frame               (= turbo run build && node scripts/bench-frame.mjs)
//   node scripts/bench-frame.mjs [--runs 300] [--warmup 20] [--soak 10000] [--every 1000] [--gallery 10000]
//                                [--out FILE] [--max-load 1.5] [--wait 300]
//
// The frame: 640×480 RGB, a plain grey (128) background with the central 150×150 of an LFW photo
// (examples/data/probes/Tom_Hanks_0008.jpg) scaled to 200×200 pasted at (220, 120): one face, composed with sharp
// when the script starts and kept as raw RGB (a decoded camera frame; decoding is not part of the timing).
// Per frame: detect (RFB-320 + MTCNN RNet / ONet 5 points, ONNX Runtime) → alignFace 112 → embed (512-d) → identify against
// an in-memory gallery of 10,000 random unit vectors (seeded) + the embedding of another photo of the same person
// (examples/data/gallery/Tom_Hanks/Tom_Hanks_0004.jpg) → emotion (default classifier: Human mini-Xception on tfjs-wasm
// + faceplugin expression on ONNX Runtime). The latency is measured twice: with that default emotion classifier and with
// the single real-time model `eolgul watch` uses ({ model: 'human-emotion' }); the soak uses the default. Every model
// runs with one thread (ONNX Runtime intra-op 1; tfjs wasm has no threads in Node) and libvips with one
// (VIPS_CONCURRENCY=1), so the frame uses one core.
// The machine is shared: the script waits (up to --wait s) for the 1-minute load average to fall to --max-load and
// records os.loadavg() next to every figure, with the CPU time per frame, which other processes barely change.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCommit, packageVersion } from './lib/bench-meta.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
if (process.env.VIPS_CONCURRENCY !== '1') {
  // libvips reads its thread count once at start: re-run this script with one libvips thread.
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, VIPS_CONCURRENCY: '1' },
  });
  process.exit(r.status ?? 1);
}
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const runs = Number(opt('runs', '300'));
const warmup = Number(opt('warmup', '20'));
const soak = Number(opt('soak', '10000'));
const every = Number(opt('every', '1000'));
const gallerySize = Number(opt('gallery', '10000'));
const outFile = resolve(opt('out', join(root, 'docs', 'benchmarks', 'frame.md')));
const maxLoad = Number(opt('max-load', '1.5'));
const waitS = Number(opt('wait', '300'));
if (!(runs >= 200)) throw new Error('--runs must be at least 200');

for (const p of ['detector', 'facenet', 'emotion', 'gallery', 'runtime']) {
  if (!existsSync(join(root, 'packages', p, 'dist', 'index.js'))) {
    console.error(`missing packages/${p}/dist: build first (pnpm build)`);
    process.exit(1);
  }
}
const { readImage, createFaceDetector, alignFace } = await import('@eolgul/detector');
const { createFaceNet } = await import('@eolgul/facenet');
const { createEmotionClassifier } = await import('@eolgul/emotion');
const { Gallery } = await import('@eolgul/gallery');
const { getTf } = await import('@eolgul/runtime');
const sharp = createRequire(join(root, 'packages', 'detector', 'package.json'))('sharp');
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

const FRAME_SRC = join(root, 'examples', 'data', 'probes', 'Tom_Hanks_0008.jpg');
const ENROLL_SRC = join(root, 'examples', 'data', 'gallery', 'Tom_Hanks', 'Tom_Hanks_0004.jpg');

/** The 640×480 test frame as raw RGB (see the header). */
async function composeFrame() {
  const face = await sharp(FRAME_SRC)
    .extract({ left: 50, top: 50, width: 150, height: 150 })
    .resize(200, 200)
    .removeAlpha()
    .png()
    .toBuffer();
  const { data, info } = await sharp({
    create: { width: 640, height: 480, channels: 3, background: { r: 128, g: 128, b: 128 } },
  })
    .composite([{ input: face, left: 220, top: 120 }])
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/** Seeded unit vectors (mulberry32 + Box–Muller), `[n, d]` row-major. */
function randomUnitRows(n, d, seed) {
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let i = 0; i < d; i++) {
      const g = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
      out[r * d + i] = g;
      s += g * g;
    }
    const k = 1 / Math.sqrt(s);
    for (let i = 0; i < d; i++) out[r * d + i] *= k;
  }
  return out;
}

const quantile = (xs, q) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitForQuiet() {
  const t0 = Date.now();
  while (os.loadavg()[0] > maxLoad && Date.now() - t0 < waitS * 1000) {
    console.log(`load average ${os.loadavg()[0].toFixed(2)} > ${maxLoad}: waiting`);
    await sleep(15_000);
  }
  return os.loadavg();
}

// ---------- set-up ----------
const t0 = performance.now();
const detector = await createFaceDetector({ threads: 1 });
const facenet = await createFaceNet({ threads: 1 });
const emotion = await createEmotionClassifier({ threads: 1 });
const loadMs = performance.now() - t0;
// The single model `eolgul watch` uses in real time (Human's mini-Xception alone), measured beside the default.
const emotionFast = await createEmotionClassifier({ model: 'human-emotion', threads: 1 });
const tf = await getTf();

const frame = await composeFrame();
const enrollImage = await readImage(ENROLL_SRC);
const [enrollFace] = await detector.detect(enrollImage);
const enrolled = await facenet.embed(alignFace(enrollImage, enrollFace.landmarks, facenet.inputSize));
const gallery = Gallery.inMemory({ dimension: facenet.dimension, modelId: facenet.modelId });
const tg = performance.now();
const ids = Array.from({ length: gallerySize }, (_, i) => `random-${String(i).padStart(5, '0')}`);
await gallery.enrollMany(ids, randomUnitRows(gallerySize, facenet.dimension, 8), ids);
await gallery.enroll('Tom Hanks', [enrolled], ['Tom_Hanks_0004.jpg']);
const galleryMs = performance.now() - tg;

/** User + system CPU time of the process so far, ms. */
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** One frame through the whole path; returns the stage times (wall ms and CPU ms) and the answer. */
async function processFrame(emotion) {
  const s0 = performance.now(),
    c0 = cpuNow();
  const faces = await detector.detect(frame);
  const s1 = performance.now(),
    c1 = cpuNow();
  const out = [];
  const st = { detect: s1 - s0, align: 0, embed: 0, identify: 0, emotion: 0 };
  const cpu = { detect: c1 - c0, align: 0, embed: 0, identify: 0, emotion: 0 };
  for (const face of faces) {
    const a = performance.now(),
      ca = cpuNow();
    const crop = alignFace(frame, face.landmarks, facenet.inputSize);
    const b = performance.now(),
      cb = cpuNow();
    const embedding = await facenet.embed(crop);
    const c = performance.now(),
      cc = cpuNow();
    const [match] = gallery.identify(embedding);
    const d = performance.now(),
      cd = cpuNow();
    const emo = await emotion.classify(frame, face);
    const e = performance.now(),
      ce = cpuNow();
    st.align += b - a;
    st.embed += c - b;
    st.identify += d - c;
    st.emotion += e - d;
    cpu.align += cb - ca;
    cpu.embed += cc - cb;
    cpu.identify += cd - cc;
    cpu.emotion += ce - cd;
    out.push({ match, emotion: emo.label });
  }
  return { total: performance.now() - s0, st, cpu, faces: out };
}

const first = await processFrame(emotion);
if (first.faces.length !== 1) throw new Error(`the test frame should hold one face, found ${first.faces.length}`);
const answer = first.faces[0];
console.log(
  `frame: 1 face → ${answer.match.identity} (L2 ${answer.match.distance.toFixed(3)}, accepted ${answer.match.accepted}), emotion ${answer.emotion}`,
);

// ---------- latency ----------
/** Times `runs` frames after `warmup` frames with the given emotion classifier. */
async function timeFrames(emo) {
  for (let i = 0; i < warmup; i++) await processFrame(emo);
  const loadBefore = await waitForQuiet();
  console.log(`timing ${runs} frames (load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')})`);
  const totals = [];
  const stages = { detect: [], align: [], embed: [], identify: [], emotion: [] };
  const stageCpu = { detect: 0, align: 0, embed: 0, identify: 0, emotion: 0 };
  const cpu0 = process.cpuUsage();
  const lt0 = performance.now();
  for (let i = 0; i < runs; i++) {
    const r = await processFrame(emo);
    totals.push(r.total);
    for (const k of Object.keys(stages)) {
      stages[k].push(r.st[k]);
      stageCpu[k] += r.cpu[k] / runs;
    }
    if (r.faces.length !== 1 || r.faces[0].match.identity !== answer.match.identity)
      throw new Error('the answer changed between frames');
  }
  const latWallMs = performance.now() - lt0;
  const latCpu = process.cpuUsage(cpu0);
  const latency = {
    p50: quantile(totals, 0.5),
    p95: quantile(totals, 0.95),
    min: Math.min(...totals),
    mean: totals.reduce((a, b) => a + b, 0) / runs,
    cpuMsPerFrame: (latCpu.user + latCpu.system) / 1000 / runs,
    fps: (runs * 1000) / latWallMs,
    loadBefore,
    loadAfter: os.loadavg(),
  };
  const stageP50 = Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, quantile(v, 0.5)]));
  console.log(
    `p50 ${latency.p50.toFixed(1)} ms, p95 ${latency.p95.toFixed(1)} ms, CPU ${latency.cpuMsPerFrame.toFixed(1)} ms/frame; stages wall p50 ${JSON.stringify(stageP50)}, CPU mean ${JSON.stringify(stageCpu)}`,
  );
  return { latency, stageP50, stageCpu };
}
const configs = [
  { name: 'default emotion (Human mini-Xception + faceplugin expression, averaged)', ...(await timeFrames(emotion)) },
  {
    name: "real-time emotion (`{ model: 'human-emotion' }`, as `eolgul watch` uses)",
    ...(await timeFrames(emotionFast)),
  },
];
await emotionFast.dispose();
await processFrame(emotion);
const tensorsBeforeSoak = tf.memory().numTensors;

// ---------- soak ----------
const samples = [];
const sample = (frameNo, msSince) => {
  gc();
  const m = process.memoryUsage();
  const s = {
    frame: frameNo,
    rssMiB: m.rss / 2 ** 20,
    heapMiB: m.heapUsed / 2 ** 20,
    externalMiB: m.external / 2 ** 20,
    numTensors: tf.memory().numTensors,
    msPerFrame: msSince,
    loadavg: os.loadavg(),
  };
  samples.push(s);
  console.log(
    `  frame ${frameNo}: RSS ${s.rssMiB.toFixed(1)} MiB, heap ${s.heapMiB.toFixed(1)} MiB, tensors ${s.numTensors}, load ${s.loadavg[0].toFixed(2)}`,
  );
};
if (soak > 0) {
  console.log(`soak: ${soak} frames`);
  sample(0, null);
  let ts = performance.now();
  for (let i = 1; i <= soak; i++) {
    await processFrame(emotion);
    if (i % every === 0) {
      const now = performance.now();
      sample(i, (now - ts) / every);
      ts = performance.now();
    }
  }
}

await detector.dispose();
await facenet.dispose();
await emotion.dispose();
const tensorsAfterDispose = tf.memory().numTensors;

// ---------- report ----------
const commit = benchCommit(root);
const f = (x, d = 1) => (x == null ? 'n/a' : x.toFixed(d));
const la = (a) => a.map((l) => l.toFixed(2)).join(' ');
const now = new Date();
const cpus = os.cpus();
const tensorFlat =
  samples.length > 0 &&
  samples.every((s) => s.numTensors === samples[0].numTensors) &&
  samples[0].numTensors === tensorsBeforeSoak;
const after1k = samples.find((s) => s.frame === every);
const last = samples[samples.length - 1];
const rssGrowth = after1k && last ? last.rssMiB - after1k.rssMiB : null;

const md = `# One frame: latency and a ${soak.toLocaleString('en')}-frame soak

Measured by \`pnpm bench:frame\` (\`scripts/bench-frame.mjs\`) on ${now.toISOString().slice(0, 10)} (${now.toISOString()}), commit ${commit}.

**Machine:** ${cpus.length} logical cores, ${cpus[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}, no GPU.
Node ${process.version}; onnxruntime-node ${packageVersion('onnxruntime-node', join(root, 'packages', 'runtime'))}, @tensorflow/tfjs-core and -backend-wasm ${packageVersion('@tensorflow/tfjs-core', join(root, 'packages', 'runtime'))} (tfjs backend: ${tf.getBackend()}), sharp ${packageVersion('sharp', join(root, 'packages', 'detector'))}.

**Frame:** 640×480 RGB, plain grey background, the central 150×150 of the LFW photo \`examples/data/probes/Tom_Hanks_0008.jpg\`
scaled to 200×200 at (220, 120); composed with sharp at start, passed as raw pixels (a decoded camera frame).
**Per frame:** \`detect\` → \`alignFace(…, 112)\` → \`embed\` (512-d) → \`gallery.identify\` (in memory: ${gallerySize.toLocaleString('en')} seeded random unit
vectors + 1 real face, \`Tom_Hanks_0004.jpg\`) → \`emotion.classify\` (default: Human mini-Xception on tfjs-wasm + faceplugin expression on ONNX Runtime).
Answer on every frame: **${answer.match.identity}**, L2 ${answer.match.distance.toFixed(3)} (accepted: ${answer.match.accepted}), emotion ${answer.emotion}.
One core: ONNX Runtime with 1 intra-op thread per model, tfjs-wasm (no threads in Node), libvips with 1 thread.
Model load ${f(loadMs, 0)} ms (detector + embedder + emotion, warm-up runs included); gallery of ${gallerySize.toLocaleString('en')} built in ${f(galleryMs, 0)} ms.

## Latency (${runs} frames after ${warmup} warm-up frames, per configuration)

| emotion model | p50 (ms) | p95 (ms) | min (ms) | mean (ms) | CPU ms / frame | frames / s | load avg before → after |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${configs.map(({ name, latency: l }) => `| ${name} | **${f(l.p50)}** | **${f(l.p95)}** | ${f(l.min)} | ${f(l.mean)} | ${f(l.cpuMsPerFrame)} | ${f(l.fps)} | ${la(l.loadBefore)} → ${la(l.loadAfter)} |`).join('\n')}

Per stage (wall p50 / CPU mean, ms):

| stage | ${configs.map((_, i) => (i === 0 ? 'default emotion' : 'real-time emotion')).join(' | ')} |
| --- | ${configs.map(() => '---:').join(' | ')} |
${Object.keys(configs[0].stageP50)
  .map(
    (k) =>
      `| ${{ detect: 'detect + landmarks', align: 'align (112 px)', embed: 'embed', identify: `identify (${gallerySize.toLocaleString('en')} + 1, default options)`, emotion: 'emotion' }[k]} | ${configs.map((c) => `${f(c.stageP50[k], 2)} / ${f(c.stageCpu[k], 2)}`).join(' | ')} |`,
  )
  .join('\n')}

Goal of issue 8: p50 ≤ 25 ms on one core — ${configs.map(({ name, latency: l }) => `${name.split(' (')[0]}: **${l.p50 <= 25 ? 'met' : 'not met'}** (p50 ${f(l.p50)} ms, CPU ${f(l.cpuMsPerFrame)} ms / frame)`).join('; ')}; load average ${configs.map((c) => la(c.latency.loadBefore)).join(' and ')} on ${cpus.length} cores.

## Soak: ${soak.toLocaleString('en')} frames

RSS, V8 heap (after a full GC) and \`tf.memory().numTensors\` every ${every} frames; ms / frame is the mean over the preceding ${every}. Load averages are \`os.loadavg()\`; this benchmark itself counts for about 1 of them.

| frame | RSS (MiB) | heap used (MiB) | external (MiB) | tf numTensors | ms / frame | load avg (1 min) |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${samples.map((s) => `| ${s.frame} | ${f(s.rssMiB)} | ${f(s.heapMiB)} | ${f(s.externalMiB)} | ${s.numTensors} | ${f(s.msPerFrame)} | ${s.loadavg[0].toFixed(2)} |`).join('\n')}

- Tensors: ${tensorFlat ? `flat — ${tensorsBeforeSoak} before the soak and at every sample (the emotion model's weights)` : `NOT flat — ${tensorsBeforeSoak} before the soak, then ${samples.map((s) => s.numTensors).join(', ')}`}; ${tensorsAfterDispose} after \`dispose()\`.
- RSS from frame ${every} to frame ${last?.frame ?? 'n/a'}: ${rssGrowth == null ? 'n/a' : `${rssGrowth >= 0 ? '+' : ''}${f(rssGrowth)} MiB`}.
`;
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, md);
console.log(`\n${md}\nwrote ${outFile}`);
