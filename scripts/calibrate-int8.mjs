#!/usr/bin/env node
// Writes the calibration tables of the int8 models (packages/models/calibration/<model>.json) that the models build
// (packages/models/scripts/int8-models.mjs) quantises with. Run it again when an upstream FP32 model changes.
//
//   node scripts/calibrate-int8.mjs [--data ../shared/data] [--check] [--model embedder|detector]
//
// --model calibrates one model (default: those of INT8_MODELS; 'detector' is RFB320_INT8, measured but not built).
// A table holds the range of every tensor the model's integer form could quantise, not only those its recipe does, so
// other recipes (scripts/bench-int8-detector.mjs) build from the same table.
// Calibration images: every face of UTKFace-dev (504 aligned 200×200 faces, ages 1–110, padded by 50 px of mirrored
// border so the whole-image detector sees a face in a scene) and of NUAA-dev (280 webcam frames, live and printed
// photos). None of them is an LFW image, so nothing of the LFW evaluation (pairs or identification) is seen here.
// The embedder's inputs: the FP32 pipeline (default detector, MTCNN ONet points, ArcFace alignment) makes each image's
// main-face crop, as BGR planes, (v − 127.5) / 128, as @eolgul/embedder feeds it. The detector's: each whole image
// at 320×240, as detectRfb320 feeds it.
// Then, on the prepared FP32 graph: per-channel ranges → equalisation factors; per-tensor min/max, then a 2048-bin
// histogram → the range of least squared error. --check builds each int8 model from the new table and prints the
// cosine of its outputs to FP32's on the calibration inputs.
import { createRequire } from 'node:module';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { imageToTensor, resizeImage } from '@eolgul/core';
import { alignFace, createFaceDetector, mainFaceIndex, readImage } from '@eolgul/detector';
import { MODELS } from '@eolgul/models';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const modelsPkg = join(root, 'packages', 'models');
const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: join(root, '..', 'shared', 'data') },
    check: { type: 'boolean', default: false },
    model: { type: 'string' },
  },
});
const req = createRequire(join(modelsPkg, 'package.json'));
const { onnx } = req('onnx-proto');
const ort = createRequire(join(root, 'packages', 'runtime', 'package.json'))('onnxruntime-node');
const scripts = join(modelsPkg, 'scripts');
const { INT8_MODELS, RFB320_INT8, CALIBRATION_FORMAT, buildInt8Model, prepareForInt8, sha256 } = await import(
  join(scripts, 'int8-models.mjs')
);
const { equalizationGroups, equalizationFactors, equalize } = await import(join(scripts, 'onnx-equalize.mjs'));
const { quantizationPlan, withExtraOutputs } = await import(join(scripts, 'onnx-quantize.mjs'));
const { Histogram, minMseRange, widen, widenChannels } = await import(join(scripts, 'onnx-calibrate.mjs'));

// ---------- calibration images → each model's inputs ----------
const UTK_PAD = 50;
const sets = [
  { name: 'UTKFace-dev', dir: join(args.data, 'utkface-dev', 'images'), pad: UTK_PAD },
  { name: 'NUAA-dev live', dir: join(args.data, 'liveness-nuaa-dev', 'live'), pad: 0 },
  { name: 'NUAA-dev spoof', dir: join(args.data, 'liveness-nuaa-dev', 'spoof'), pad: 0 },
];
/** Every calibration image, decoded (UTKFace padded), with the name of its set. */
const scenes = [];
for (const set of sets) {
  const files = readdirSync(set.dir)
    .filter((f) => /\.(jpe?g|png)$/i.test(f))
    .sort();
  for (const f of files) {
    let input = readFileSync(join(set.dir, f));
    if (set.pad)
      input = await sharp(input)
        .extend({ top: set.pad, bottom: set.pad, left: set.pad, right: set.pad, extendWith: 'mirror' })
        .png()
        .toBuffer();
    scenes.push({ set: set.name, image: await readImage(input) });
  }
}
const padded = `(UTKFace padded by ${UTK_PAD} px of mirrored border); no LFW image`;

const SIZE = 112;
/** The embedder's inputs: each image's main-face crop as BGR planes, (v − 127.5) / 128, as @eolgul/embedder feeds it. */
async function embedderInputs() {
  const detector = await createFaceDetector({ threads: 1 });
  const inputs = [];
  const found = new Map(sets.map((s) => [s.name, 0]));
  for (const { set, image } of scenes) {
    let faces = await detector.detect(image);
    if (!faces.length) faces = await detector.detect(image, { minScore: 0.2 });
    if (!faces.length) continue;
    const crop = alignFace(image, faces[mainFaceIndex(faces, image)].landmarks, SIZE);
    const n = SIZE * SIZE;
    const x = new Float32Array(3 * n);
    for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) x[c * n + p] = (crop.data[p * 3 + 2 - c] - 127.5) / 128;
    inputs.push(new ort.Tensor('float32', x, [1, 3, SIZE, SIZE]));
    found.set(set, found.get(set) + 1);
  }
  await detector.dispose();
  const total = (name) => scenes.filter((s) => s.set === name).length;
  const images = `${sets.map((s) => `${s.name} ${found.get(s.name)} of ${total(s.name)}`).join(', ')} ${padded}`;
  console.log(`embedder: ${inputs.length} crops from ${images}`);
  return { inputs, images };
}

/** The RFB-320 detector's inputs: each whole image resized to 320×240, as detectRfb320 feeds it. */
function detectorInputs() {
  const [, , h, w] = MODELS.rfb320.input.shape;
  const inputs = scenes.map(({ image }) => {
    const small = resizeImage(image, w, h);
    return new ort.Tensor('float32', imageToTensor(small.data, w, h, MODELS.rfb320.input.tensor), [1, 3, h, w]);
  });
  const images = `${sets.map((s) => `${s.name} ${scenes.filter((x) => x.set === s.name).length}`).join(', ')} ${padded}`;
  return { inputs, images };
}
const inputsOf = { embedder: embedderInputs, rfb320: detectorInputs };

/** Runs `model` (extra outputs `names`) over every input, handing each output set to `visit`. */
async function each(model, names, inputs, visit) {
  const session = await ort.InferenceSession.create(
    onnx.ModelProto.encode(withExtraOutputs(onnx, model, names)).finish(),
    { intraOpNumThreads: 1 },
  );
  for (const x of inputs) visit(await session.run({ [session.inputNames[0]]: x }));
  await session.release();
}

/** Cosine similarity of two outputs (flattened). */
function cosine(a, b) {
  let d = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return d / Math.sqrt(na * nb);
}

const out = join(modelsPkg, 'calibration');
mkdirSync(out, { recursive: true });
const upstream = join(dirname(req.resolve('faceplugin-face-recognition-js/package.json')), 'model');
const known = [...INT8_MODELS, RFB320_INT8];
const recipes = args.model ? known.filter((r) => r.name === args.model) : INT8_MODELS;
if (!recipes.length) throw new Error(`--model: no int8 model ${args.model} (${known.map((r) => r.name).join(', ')})`);
for (const recipe of recipes) {
  const { inputs, images } = await inputsOf[recipe.input]();
  const source = readFileSync(join(upstream, recipe.source));
  const model = prepareForInt8(onnx, source);
  // 1. Per-channel ranges of each rescalable group → equalisation factors.
  const groups = equalizationGroups(model);
  const channel = new Map();
  await each(
    model,
    groups.flatMap((g) => g.tensors),
    inputs,
    (o) => {
      for (const g of groups)
        for (const t of g.tensors) channel.set(t, widenChannels(channel.get(t), o[t].data, o[t].dims));
    },
  );
  const equalization = {};
  for (const g of groups) {
    const C = channel.get(g.tensors[0]).length;
    const ranges = Array.from({ length: C }, (_, c) =>
      Math.max(...g.tensors.map((t) => channel.get(t)[c][1] - channel.get(t)[c][0])),
    );
    equalization[g.tensors[0]] = Array.from(equalizationFactors(ranges, g.depthwise), (v) => Number(v.toPrecision(6)));
  }
  equalize(model, equalization);
  // 2. Per-tensor min/max, then histograms over them → least-squared-error ranges.
  const tensors = quantizationPlan(model).tensors;
  const minmax = new Map();
  await each(model, tensors, inputs, (o) => {
    for (const t of tensors) minmax.set(t, widen(minmax.get(t), o[t].data));
  });
  const hist = new Map(tensors.map((t) => [t, new Histogram(...minmax.get(t))]));
  await each(model, tensors, inputs, (o) => {
    for (const t of tensors) hist.get(t).add(o[t].data);
  });
  const ranges = Object.fromEntries(
    tensors.map((t) => [t, minMseRange(hist.get(t)).map((v) => Number(v.toPrecision(6)))]),
  );
  const table = {
    format: CALIBRATION_FORMAT,
    model: recipe.source,
    sourceSha256: sha256(source),
    images,
    method:
      'cross-layer equalisation from per-channel min/max; per-tensor uint8 range of least squared error (2048-bin histograms)',
    equalization,
    ranges,
  };
  const file = join(out, recipe.table);
  writeFileSync(file, `${JSON.stringify(table, null, 1)}\n`);
  console.log(`wrote ${file}: ${Object.keys(equalization).length} equalised convolutions, ${tensors.length} ranges`);
  if (!args.check) continue;
  const f32 = await ort.InferenceSession.create(source, { intraOpNumThreads: 1 });
  const q8 = await ort.InferenceSession.create(buildInt8Model(onnx, recipe, source, table), { intraOpNumThreads: 1 });
  const cos = [];
  for (const x of inputs) {
    const a = await f32.run({ [f32.inputNames[0]]: x });
    const b = await q8.run({ [q8.inputNames[0]]: x });
    cos.push(Math.min(...f32.outputNames.map((name) => cosine(a[name].data, b[name].data))));
  }
  cos.sort((p, q) => p - q);
  const mean = cos.reduce((s, v) => s + v, 0) / cos.length;
  console.log(
    `${recipe.output}: cosine to FP32 on the ${cos.length} inputs (the least of its outputs): mean ${mean.toFixed(4)}, min ${cos[0].toFixed(4)}`,
  );
  await Promise.all([q8.release(), f32.release()]);
}
