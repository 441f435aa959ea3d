#!/usr/bin/env node
// Which int8 form of the RFB-320 detector is faster than FP32? Builds RFB320_INT8 (packages/models/scripts/
// int8-models.mjs: every Conv but the first two, QDQ) and the other forms below from fr_detect.onnx
// and calibration/fr_detect.int8.json (written by `node scripts/calibrate-int8.mjs --model detector`), then, in one
// process:
//
// - speed: the 320×240 input tensors of `--images` LFW images, made as detectRfb320 makes them, run through FP32 and
//   each variant in turn (the order rotated every round), one intra-op thread, graph optimisation 'all' (as
//   @eolgul/runtime loads every model); CPU ms per call from process.cpuUsage (user + system) over all images; min and
//   median over `--rounds` rounds, and the median of the per-round ratios variant / FP32 (the machine's load moves
//   between minutes; the ratio inside one round does not).
// - agreement (`--agree name,…`): the detector with FP32 and with each named variant on every LFW image and every
//   NUAA-dev frame at `--min-score` (default 0.7): images whose box count differs, whose boxes do not all pair up at IoU ≥ 0.9, and
//   whose main face box (mainFaceIndex) differs (IoU < 0.9, or found by one only).
//
//   node scripts/bench-int8-detector.mjs [--data ../shared/data] [--images 300] [--rounds 5] [--only all,wide]
//     [--agree after-stem,all] [--skip-speed]
//
// --only and --agree take names of FORMS below.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { imageToTensor, resizeImage } from '@eolgul/core';
import { createFaceDetector, mainFaceIndex, readImage } from '@eolgul/detector';
import { MODELS } from '@eolgul/models';
import { loadModel } from '@eolgul/runtime';
import { listImages } from './lib/lfw-images.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const modelsPkg = join(root, 'packages', 'models');
const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: join(root, '..', 'shared', 'data') },
    images: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '5' },
    only: { type: 'string', default: '' },
    agree: { type: 'string', default: '' },
    'min-score': { type: 'string', default: '0.7' },
    'skip-speed': { type: 'boolean', default: false },
  },
});
const { onnx } = createRequire(join(modelsPkg, 'package.json'))('onnx-proto');
const { RFB320_INT8: recipe, buildInt8Model } = await import(join(modelsPkg, 'scripts', 'int8-models.mjs'));

/**
 * The forms compared: which Convs stay float, and the operator format. On Zen 4, CPU per call against FP32's: every
 * Conv integer 1.00×, only the Convs of ≥ 32 input and output channels 1.00×, RFB320_INT8 and its QLinear operator form
 * 0.77–0.80× (the first two Convs' integer kernels cost twice their float ones).
 */
const FORMS = {
  'after-stem': recipe,
  'after-stem-qop': { ...recipe, format: 'qoperator' },
  all: { ...recipe, floatOutputs: () => false },
  wide: { ...recipe, floatOutputs: (c) => c.inputChannels < 32 || c.outputChannels < 32 },
};
const fp32 = readFileSync(join(modelsPkg, 'models', recipe.source));
const table = JSON.parse(readFileSync(join(modelsPkg, 'calibration', recipe.table), 'utf8'));
const only = new Set(args.only ? args.only.split(',') : []);
const variants = Object.entries(FORMS).map(([name, r]) => ({ name, bytes: buildInt8Model(onnx, r, fp32, table) }));
const lfwDir = join(args.data, 'lfw-subset', 'images');

if (!args['skip-speed']) {
  const { rel, paths } = listImages(lfwDir, Number(args.images));
  const [, , h, w] = MODELS.rfb320.input.shape;
  const inputs = [];
  for (const p of paths) {
    const small = resizeImage(await readImage(p), w, h);
    inputs.push({ data: imageToTensor(small.data, w, h, MODELS.rfb320.input.tensor), dims: [1, 3, h, w] });
  }
  const models = [{ name: 'fp32', bytes: fp32 }, ...variants.filter((v) => !only.size || only.has(v.name))];
  for (const m of models) {
    m.model = await loadModel(m.bytes, { threads: 1 });
    m.ms = [];
    for (const x of inputs.slice(0, 20)) await m.model.run({ [m.model.inputNames[0]]: x });
  }
  const rounds = Number(args.rounds);
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
  const median = (a) => {
    const s = [...a].sort((p, q) => p - q);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  console.log(`\n${rel.length} LFW images at 320×240, ${rounds} rounds, CPU ms per call (1 thread)`);
  console.log('| model | min | median | median of round ratios to FP32 |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const m of models) {
    const ratios = m.ms.map((v, r) => v / models[0].ms[r]);
    console.log(
      `| ${m.name} | ${Math.min(...m.ms).toFixed(3)} | ${median(m.ms).toFixed(3)} | ${median(ratios).toFixed(3)} |`,
    );
  }
  for (const m of models) await m.model.dispose();
}

if (args.agree) {
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
  const lfw = listImages(lfwDir).paths;
  const nuaaDir = join(args.data, 'liveness-nuaa-dev');
  const nuaa = ['live', 'spoof'].flatMap((d) =>
    readdirSync(join(nuaaDir, d))
      .filter((f) => /\.(jpe?g|png)$/i.test(f))
      .sort()
      .map((f) => join(nuaaDir, d, f)),
  );
  const options = { minScore: Number(args['min-score']), maxFaces: 1000 };
  const reference = await createFaceDetector({ threads: 1 });
  for (const name of args.agree.split(',')) {
    const v = variants.find((x) => x.name === name);
    if (!v) throw new Error(`no variant ${name}: ${variants.map((x) => x.name).join(', ')}`);
    const detector = await createFaceDetector({ threads: 1, detectorModel: v.bytes });
    for (const [set, files] of [
      ['LFW', lfw],
      ['NUAA-dev', nuaa],
    ]) {
      const c = { count: 0, boxes: 0, mainOneSide: 0, mainIous: [], faces: 0, facesInt8: 0, scoreDiff: 0 };
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
      console.log(
        `${name} vs fp32, ${set} (${files.length} images, minScore ${options.minScore}): box count differs on ` +
          `${c.count}, same count but a box unpaired at IoU ≥ 0.9 on ${c.boxes}; main face box differs on ` +
          `${c.mainOneSide + c.mainIous.length} (found by one only: ${c.mainOneSide}; IoU < 0.9: ` +
          `${c.mainIous.length}, IoUs ${c.mainIous
            .sort((p, q) => p - q)
            .map((v) => v.toFixed(2))
            .join(' ')}); faces ${c.faces} fp32 / ${c.facesInt8} int8; largest main-face score difference ` +
          `where the main boxes agree ${c.scoreDiff.toFixed(4)}`,
      );
    }
    await detector.dispose();
  }
  await reference.dispose();
}
