#!/usr/bin/env node
// Is an int8 form of the RFB-320 detector worth shipping? Builds RFB320_INT8 (packages/models/scripts/int8-models.mjs:
// every Conv but the first two, QDQ) and the other forms below from fr_detect.onnx and calibration/fr_detect.int8.json
// (written by `node scripts/calibrate-int8.mjs --model detector`), then, in one process, one thing at a time:
//
// - speed: the 320×240 input tensors of `--images` LFW images, made as detectRfb320 makes them, run through FP32 and
//   each form in turn (the order rotated every round), one intra-op thread, graph optimisation 'all' (as
//   @eolgul/runtime loads every model); CPU ms per call from process.cpuUsage (user + system) over all images; min and
//   median over `--rounds` rounds, and the median of the per-round ratios form / FP32 (the machine's load moves
//   between minutes; the ratio inside one round does not).
// - agreement (`--agree name,…`): the detector with FP32 and with each named form on every LFW image and every
//   NUAA-dev frame at `--min-score` (default 0.5, the detector's default): images whose box count differs, whose boxes
//   do not all pair up at IoU ≥ 0.9, and whose main face box (mainFaceIndex) differs (IoU < 0.9, or found by one only).
// - LFW View-2 (10 folds, 6000 pairs): the front door (`createFaceRecognizer`, default detector and landmarks) embeds
//   the main face of every image of the pairs as `eolgul lfw eval` does, scored by @eolgul/lfw-tools' evaluatePairs:
//   FP32 detector + FP32 embedder, FP32 detector + int8 embedder (`precision: 'int8'`), and RFB320_INT8 + int8
//   embedder (a temporary model folder, `modelBasePath`, holding the bundled files with fr_detect.onnx replaced).
//
// Writes docs/benchmarks/int8-detector.md (`--out` elsewhere).
//
//   pnpm bench:int8-detector       (= turbo run build && node scripts/bench-int8-detector.mjs)
//   node scripts/bench-int8-detector.mjs [--quick] [--data ../shared/data] [--images 300] [--rounds 5]
//     [--only all,wide] [--agree after-stem] [--workers 0] [--out FILE]
//
// --quick checks that every part runs: 30 inputs, 2 rounds, agreement on 200 LFW images and 40 NUAA frames, 20 pairs
// of each kind per fold; report to a temporary file unless --out is given. Its figures are not the benchmark's.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { euclideanDistance, imageToTensor, resizeImage } from '@eolgul/core';
import { createFaceDetector, mainFaceIndex, readImage } from '@eolgul/detector';
import { evaluatePairs, parsePairs } from '@eolgul/lfw-tools';
import { MODELS } from '@eolgul/models';
import { loadModel } from '@eolgul/runtime';
import { createFaceRecognizer } from 'eolgul';
import { lfwPairsSubset } from './bench-pipeline/lfw-pairs.mjs';
import { GOALS } from './bench-pipeline/report.mjs';
import { benchCommit, packageVersion } from './lib/bench-meta.mjs';
import { listImages } from './lib/lfw-images.mjs';
import { writeBenchmarkDoc } from './lib/write-doc.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const modelsPkg = join(root, 'packages', 'models');
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    data: { type: 'string', default: join(root, '..', 'shared', 'data') },
    images: { type: 'string' },
    rounds: { type: 'string' },
    only: { type: 'string', default: '' },
    agree: { type: 'string', default: 'after-stem' },
    'min-score': { type: 'string', default: '0.5' },
    workers: { type: 'string', default: '0' },
    out: { type: 'string' },
  },
});
const quick = args.quick;
const tmp = mkdtempSync(join(os.tmpdir(), 'eolgul-bench-int8-detector-'));
const outFile = resolve(
  args.out ?? (quick ? join(tmp, 'int8-detector.md') : join(root, 'docs', 'benchmarks', 'int8-detector.md')),
);
const { onnx } = createRequire(join(modelsPkg, 'package.json'))('onnx-proto');
const { RFB320_INT8: recipe, buildInt8Model } = await import(join(modelsPkg, 'scripts', 'int8-models.mjs'));

/**
 * The forms compared: which Convs stay float, and the operator format. 'after-stem' is RFB320_INT8, the candidate
 * whose box agreement and LFW accuracy are measured.
 */
const FORMS = {
  'after-stem': {
    recipe,
    what: 'RFB320_INT8: every Conv but the 3-channel stem and the first 16-channel depthwise one, QDQ',
  },
  'after-stem-qop': { recipe: { ...recipe, format: 'qoperator' }, what: 'the same Convs in QLinear operators' },
  all: { recipe: { ...recipe, floatOutputs: () => false }, what: 'every Conv, QDQ' },
  wide: {
    recipe: { ...recipe, floatOutputs: (c) => c.inputChannels < 32 || c.outputChannels < 32 },
    what: 'only the Convs of ≥ 32 input and output channels, QDQ',
  },
};
const modelsDir = join(modelsPkg, 'models');
const fp32 = readFileSync(join(modelsDir, recipe.source));
const table = JSON.parse(readFileSync(join(modelsPkg, 'calibration', recipe.table), 'utf8'));
const only = new Set(args.only ? args.only.split(',') : []);
const variants = Object.entries(FORMS).map(([name, f]) => ({
  name,
  what: f.what,
  bytes: buildInt8Model(onnx, f.recipe, fp32, table),
}));
const lfwDir = join(args.data, 'lfw-subset', 'images');
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const median = (a) => {
  const s = [...a].sort((p, q) => p - q);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const started = Date.now();
const run = { loadStart: load() };

// ---------- speed ----------
{
  const { rel, paths } = listImages(lfwDir, Number(args.images ?? (quick ? 30 : 300)));
  const [, , h, w] = MODELS.rfb320.input.shape;
  const inputs = [];
  for (const p of paths) {
    const small = resizeImage(await readImage(p), w, h);
    inputs.push({ data: imageToTensor(small.data, w, h, MODELS.rfb320.input.tensor), dims: [1, 3, h, w] });
  }
  const models = [
    { name: 'fp32', what: 'none (fr_detect.onnx as shipped)', bytes: fp32 },
    ...variants.filter((v) => !only.size || only.has(v.name)),
  ];
  for (const m of models) {
    m.model = await loadModel(m.bytes, { threads: 1 });
    m.ms = [];
    for (const x of inputs.slice(0, 20)) await m.model.run({ [m.model.inputNames[0]]: x });
  }
  const rounds = Number(args.rounds ?? (quick ? 2 : 5));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < models.length; k++) {
      const m = models[(k + r) % models.length];
      const name = m.model.inputNames[0];
      const t0 = process.cpuUsage();
      for (const x of inputs) await m.model.run({ [name]: x });
      const t = process.cpuUsage(t0);
      m.ms.push((t.user + t.system) / 1000 / inputs.length);
    }
    console.log(`round ${r + 1}: ${models.map((m) => `${m.name} ${m.ms[r].toFixed(3)}`).join(', ')}`);
  }
  run.speed = {
    inputs: rel.length,
    rounds,
    load: load(),
    rows: models.map((m) => ({
      name: m.name,
      what: m.what,
      bytes: m.bytes.length,
      min: Math.min(...m.ms),
      median: median(m.ms),
      ratio: median(m.ms.map((v, r) => v / models[0].ms[r])),
    })),
  };
  for (const m of models) await m.model.dispose();
  console.log(JSON.stringify(run.speed));
}

// ---------- box agreement ----------
/** IoU of two `[x, y, w, h]` boxes. */
const iou = (a, b) => {
  const iw = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  if (iw <= 0 || ih <= 0) return 0;
  return (iw * ih) / (a[2] * a[3] + b[2] * b[3] - iw * ih);
};
/** Greedy pairing by IoU: true when every box of `a` pairs with one of `b` at IoU ≥ 0.9 (equal counts assumed). */
const allPaired = (a, b) => {
  const free = new Set(b.keys());
  for (const f of a) {
    let best = -1,
      bestIou = 0.9;
    for (const j of free) {
      const v = iou(f.box, b[j].box);
      if (v >= bestIou) [best, bestIou] = [j, v];
    }
    if (best < 0) return false;
    free.delete(best);
  }
  return true;
};
{
  const lfw = listImages(lfwDir, quick ? 200 : undefined).paths;
  const nuaaDir = join(args.data, 'liveness-nuaa-dev');
  const nuaa = ['live', 'spoof'].flatMap((d) =>
    readdirSync(join(nuaaDir, d))
      .filter((f) => /\.(jpe?g|png)$/i.test(f))
      .sort()
      .map((f) => join(nuaaDir, d, f)),
  );
  const options = { minScore: Number(args['min-score']), maxFaces: 1000 };
  run.agreement = { minScore: options.minScore, rows: [] };
  const reference = await createFaceDetector({ threads: 1 });
  for (const name of args.agree ? args.agree.split(',') : []) {
    const v = variants.find((x) => x.name === name);
    if (!v) throw new Error(`no form ${name}: ${variants.map((x) => x.name).join(', ')}`);
    const detector = await createFaceDetector({ threads: 1, detectorModel: v.bytes });
    for (const [set, files] of [
      ['LFW', lfw],
      ['NUAA-dev', quick ? nuaa.filter((_, i) => i % 7 === 0) : nuaa],
    ]) {
      const c = { form: name, set, images: files.length, count: 0, boxes: 0, mainOneSide: 0, mainIous: [] };
      Object.assign(c, { faces: 0, facesInt8: 0, scoreDiff: 0 });
      for (const file of files) {
        const image = await readImage(file);
        const a = await reference.detect(image, options);
        const b = await detector.detect(image, options);
        c.faces += a.length;
        c.facesInt8 += b.length;
        if (a.length !== b.length) c.count++;
        else if (!allPaired(a, b)) c.boxes++;
        const ma = a.length ? a[mainFaceIndex(a, image)] : undefined;
        const mb = b.length ? b[mainFaceIndex(b, image)] : undefined;
        if (!ma !== !mb) c.mainOneSide++;
        else if (ma && iou(ma.box, mb.box) < 0.9) c.mainIous.push(iou(ma.box, mb.box));
        else if (ma) c.scoreDiff = Math.max(c.scoreDiff, Math.abs(ma.score - mb.score));
      }
      c.mainIous.sort((p, q) => p - q);
      run.agreement.rows.push(c);
      console.log(JSON.stringify(c));
    }
    await detector.dispose();
  }
  await reference.dispose();
  run.agreement.load = load();
}

// ---------- LFW View-2 through the front door ----------
{
  const int8Dir = join(tmp, 'models-int8-detector');
  mkdirSync(int8Dir);
  for (const f of readdirSync(modelsDir)) if (f !== recipe.source) symlinkSync(join(modelsDir, f), join(int8Dir, f));
  writeFileSync(join(int8Dir, recipe.source), variants.find((v) => v.name === 'after-stem').bytes);

  let pairsText = readFileSync(join(args.data, 'lfw-subset', 'pairs.txt'), 'utf8');
  if (quick) pairsText = lfwPairsSubset(pairsText, 20);
  const { pairs } = parsePairs(pairsText, 'pairs.txt');
  const wanted = [...new Set(pairs.flatMap((x) => [x.a, x.b]))].sort();
  const workers = Number(args.workers);
  run.lfw = { pairs: pairs.length, images: wanted.length, workers, rows: [] };
  const configs = [
    { detector: 'FP32', embedder: 'FP32', precision: 'fp32' },
    { detector: 'FP32', embedder: 'int8', precision: 'int8' },
    { detector: 'int8 (RFB320_INT8)', embedder: 'int8', precision: 'int8', modelBasePath: int8Dir },
  ];
  for (const cfg of configs) {
    const t0 = Date.now(),
      cpu0 = process.cpuUsage();
    const recognizer = await createFaceRecognizer({
      precision: cfg.precision,
      modelBasePath: cfg.modelBasePath,
      workers,
    });
    const emb = new Map();
    let missingFaces = 0;
    // As `eolgul lfw eval`: the main face of each image (the front door retries at a low score when none is found); an
    // image without one counts its pairs as wrong.
    let next = 0;
    const lane = async () => {
      while (next < wanted.length) {
        const rel = wanted[next++];
        const { faces } = await recognizer.analyse(join(lfwDir, rel), { mainFace: true }).catch((err) => {
          console.error(`no embedding for ${rel}: ${err.code ?? err.name}: ${err.message}`);
          return { faces: [] };
        });
        if (faces.length === 0) missingFaces++;
        emb.set(rel, faces[0]?.embedding ?? null);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, workers) * 2 }, lane));
    await recognizer.dispose();
    const scores = pairs.map((x) => {
      const a = emb.get(x.a),
        b = emb.get(x.b);
      return { fold: x.fold, same: x.same, distance: a && b ? euclideanDistance(a, b) : null };
    });
    const { folds: _, roc: __, ...result } = evaluatePairs(scores, { missingFaces });
    const cpu = process.cpuUsage(cpu0);
    const row = {
      ...cfg,
      ...result,
      wallS: (Date.now() - t0) / 1000,
      cpuMsPerImage: (cpu.user + cpu.system) / 1000 / wanted.length,
      load: load(),
    };
    delete row.modelBasePath;
    run.lfw.rows.push(row);
    console.log(JSON.stringify(row));
  }
}
run.minutes = (Date.now() - started) / 60000;
writeBenchmarkDoc(outFile, report(run));
console.log(`wrote ${outFile}`);
if (!outFile.startsWith(tmp)) rmSync(tmp, { recursive: true, force: true });

/** The Markdown of docs/benchmarks/int8-detector.md from the measurements of this run. */
function report(run) {
  const f = (x, d = 2) => x.toFixed(d);
  const pct = (x) => `${(x * 100).toFixed(2)} %`;
  const pt = (x) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(2)} pt`;
  const cpus = os.cpus();
  const commit = benchCommit(root);
  const { speed, agreement, lfw } = run;
  const s32 = speed.rows[0];
  const sInt8 = speed.rows.find((r) => r.name === 'after-stem');
  const sAll = speed.rows.find((r) => r.name === 'all');
  const lfwAgree = agreement.rows.find((c) => c.form === 'after-stem' && c.set === 'LFW');
  const [l32, lEmb, lBoth] = lfw.rows;
  const drop = (r) => ({ acc: r.accuracy - l32.accuracy, tar: r.tarAtFar1e3 - l32.tarAtFar1e3 });
  const meets = (r) =>
    -drop(r).acc <= GOALS.accuracyDrop + 1e-9 && -drop(r).tar <= GOALS.tarDrop + 1e-9 && r.missingFaces === 0;
  const dBoth = drop(lBoth),
    dEmb = drop(lEmb);
  const saved = sInt8 ? s32.median - sInt8.median : undefined;
  const bar = `within ${GOALS.accuracyDrop * 100} pt of FP32's accuracy and ${GOALS.tarDrop * 100} pt of its TAR at FAR = 1e-3, no image without a face`;
  const saving =
    saved === undefined
      ? ''
      : ` It would save about ${f(saved)} ms of CPU per image (the per-call difference below), ${f((100 * saved) / lEmb.cpuMsPerImage, 0)} % of the ${f(lEmb.cpuMsPerImage, 1)} ms the \`precision: 'int8'\` pipeline took per image in this run's LFW pass.`;
  const verdict = meets(lBoth)
    ? `**The int8 detector meets the bar in this run** (${bar}). It is still not the default: \`precision: 'int8'\` switches only the embedder, and the models build does not make the int8 detector.${saving}`
    : `**The int8 detector misses the bar** (${bar}): ${pt(dBoth.acc)} accuracy, ${pt(dBoth.tar)} TAR, ${lBoth.missingFaces} without a face. So it is not the default: \`precision: 'int8'\` switches only the embedder (${meets(lEmb) ? 'which alone is within the bar' : 'which alone misses the bar too in this run'}: ${pt(dEmb.acc)}, ${pt(dEmb.tar)}).${saving}`;
  const speedRows = speed.rows.map(
    (r) =>
      `| ${r.name} | ${r.what} | ${f(r.bytes / 1024, 0)} | ${f(r.min, 3)} | ${f(r.median, 3)} | ${r === s32 ? '1' : `**${f(r.ratio, 3)}×**`} |`,
  );
  const agreeRows = agreement.rows.map(
    (c) =>
      `| ${c.form} | ${c.set} | ${c.images} | ${c.count} | ${c.boxes} | ${c.mainOneSide} | ${c.mainIous.length} | ${c.mainIous.length ? `${f(c.mainIous[0])}–${f(c.mainIous.at(-1))}` : '–'} | ${c.faces} / ${c.facesInt8} | ${f(c.scoreDiff, 4)} |`,
  );
  const lfwRows = lfw.rows.map(
    (r) =>
      `| ${r.detector} | ${r.embedder} | ${r === l32 ? 'the default' : r === lEmb ? "`precision: 'int8'`" : 'not shipped'} | **${pct(r.accuracy)}** ± ${pct(r.accuracyStd)} | **${pct(r.tarAtFar1e3)}** | ${r === l32 ? '–' : `${pt(drop(r).acc)} / ${pt(drop(r).tar)}`} | ${f(r.auc, 5)} | ${f(r.threshold, 4)} | ${r.missingFaces} | ${f(r.cpuMsPerImage, 1)} | ${r.load} |`,
  );
  return `# The int8 RFB-320 detector: speed, box agreement, LFW accuracy

Generated by \`pnpm bench:int8-detector\` (scripts/bench-int8-detector.mjs) on ${new Date().toISOString().slice(0, 10)}, commit ${commit}${quick ? ' — **a --quick run: its figures are not the benchmark**' : ''}: ${os.platform()} ${os.arch()}, ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${f(os.totalmem() / 2 ** 30, 1)} GiB RAM, no GPU; Node ${process.version}, onnxruntime-node ${packageVersion('onnxruntime-node', join(root, 'packages', 'runtime'))}, sharp ${packageVersion('sharp', join(root, 'packages', 'detector'))}. One process, one part after the other; whole run ${f(run.minutes, 1)} min. 1-, 5- and 15-minute load average at the start ${run.loadStart}, after the speed part ${speed.load}, after the agreement part ${agreement.load} (this run alone counts for about 1; the machine is shared, so compare rows of one table, not with other documents).

## Summary

- Per call, RFB320_INT8 (the int8 form measured for accuracy) takes **${sInt8 ? f(sInt8.ratio, 2) : 'n/a'}×** FP32's CPU time (median ${sInt8 ? f(sInt8.median, 3) : 'n/a'} against ${f(s32.median, 3)} ms, ${speed.inputs} LFW inputs, ${speed.rounds} rounds); ${sAll ? `every Conv in int8 takes ${f(sAll.ratio, 2)}×.` : ''}
- LFW View-2 (${lfw.pairs} pairs, 10 folds): FP32 detector + FP32 embedder ${pct(l32.accuracy)}, TAR ${pct(l32.tarAtFar1e3)} at FAR = 1e-3; FP32 detector + int8 embedder (\`precision: 'int8'\`) ${pct(lEmb.accuracy)}, ${pct(lEmb.tarAtFar1e3)}; int8 detector + int8 embedder ${pct(lBoth.accuracy)}, ${pct(lBoth.tarAtFar1e3)}. Images without a face: ${lfw.rows.map((r) => r.missingFaces).join(', ')}.
${lfwAgree ? `- Boxes at minScore ${agreement.minScore} on the ${lfwAgree.images} LFW images: the int8 detector returns a different number of boxes on ${lfwAgree.count}, moves a box (IoU < 0.9) on ${lfwAgree.boxes} more; the main face (the one embedded) is lost on ${lfwAgree.mainOneSide} and moves on ${lfwAgree.mainIous.length}${lfwAgree.mainIous.length ? ` (IoU ${f(lfwAgree.mainIous[0])}–${f(lfwAgree.mainIous.at(-1))})` : ''}.\n` : ''}- ${verdict}

## CPU time per detector call

The 320×240 input tensors of ${speed.inputs} LFW images (spread evenly over the sorted list), made as the detector makes them, run through each form in turn, the order rotated every round; ONNX Runtime with one intra-op thread and graph optimisation 'all', as @eolgul/runtime loads every model. CPU ms per call (user + system, \`process.cpuUsage\`) over all inputs, min and median over ${speed.rounds} rounds, and the median of the per-round ratios to FP32 (the load moves between minutes, the ratio within a round much less). Each form is built by this run from fr_detect.onnx and packages/models/calibration/fr_detect.int8.json (\`buildInt8Model\` of packages/models/scripts/int8-models.mjs).

| form | Convs in int8 | KiB | min ms | median ms | same-round ratio to FP32 |
| --- | --- | ---: | ---: | ---: | ---: |
${speedRows.join('\n')}

## Box agreement with FP32

\`createFaceDetector()\` (defaults: ONet landmarks) with fr_detect.onnx and with the int8 form (\`detectorModel\`) on every image, minScore ${agreement.minScore}, up to 1000 faces. **count differs**: images where the two return different numbers of boxes; **a box moved**: same number, but not every box pairs with one of the other at IoU ≥ 0.9; **main face**: the face \`mainFaceIndex\` picks (the one \`eolgul lfw eval\` embeds), found by one detector only, or found by both with IoU < 0.9; **score difference**: the largest difference of the main face's score where both main boxes agree.

| form | set | images | count differs | a box moved | main face by one only | main face moved | its IoUs | faces FP32 / int8 | score difference |
| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |
${agreeRows.join('\n')}

## LFW View-2 accuracy

The front door, \`createFaceRecognizer({ precision, modelBasePath, workers: ${lfw.workers} })\` with the default detector and landmarks, embeds the main face of each of the ${lfw.images} images of the ${lfw.pairs} pairs as \`eolgul lfw eval\` does (\`analyse(path, { mainFace: true })\`; a pair with an image without a face counts as wrong), and \`evaluatePairs\` of @eolgul/lfw-tools scores them: 10-fold accuracy (threshold chosen on 9 folds, tested on the 10th), TAR at FAR = 1e-3, AUC. The int8 detector runs from a temporary model folder holding the bundled files with fr_detect.onnx replaced by RFB320_INT8. CPU ms per image is the whole process over that pass (decode, detection, landmarks, alignment, embedding; one pass, not interleaved: a guide, not a ratio).

| detector | embedder | ships as | accuracy ± std | TAR at FAR = 1e-3 | Δ accuracy / Δ TAR to FP32 | AUC | threshold | no face | CPU ms / image | load after |
| --- | --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |
${lfwRows.join('\n')}

The bar for an int8 model to become part of \`precision: 'int8'\`: ${bar}.
`;
}
