#!/usr/bin/env node
// Writes the calibration tables of the int8 models (packages/models/calibration/<model>.json) that the models build
// (packages/models/scripts/int8-models.mjs) quantises with. Run it again when an upstream FP32 model changes.
//
//   node scripts/calibrate-int8.mjs [--data ../shared/data] [--check]
//
// Calibration images: every face of UTKFace-dev (504 aligned 200×200 faces, ages 1–110, padded by 50 px of mirrored
// border so the whole-image detector sees a face in a scene) and of NUAA-dev (280 webcam frames, live and printed
// photos). None of them is an LFW image, so nothing of the LFW evaluation (pairs or identification) is seen here.
// The FP32 pipeline (default detector, MTCNN ONet points, ArcFace alignment) makes each image's main-face crop; the
// embedder's input is that crop as BGR planes, (v − 127.5) / 128, as @eolgul/facenet feeds it.
// Then, on the prepared FP32 graph: per-channel ranges → equalisation factors; per-tensor min/max, then a 2048-bin
// histogram → the range of least squared error. --check builds the int8 model from the new table and prints the
// cosine of its embeddings to FP32's on the calibration crops.
import { createRequire } from 'node:module';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { alignFace, createFaceDetector, mainFaceIndex, readImage } from '@eolgul/detector';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const modelsPkg = join(root, 'packages', 'models');
const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: join(root, '..', 'shared', 'data') },
    check: { type: 'boolean', default: false },
  },
});
const req = createRequire(join(modelsPkg, 'package.json'));
const { onnx } = req('onnx-proto');
const ort = createRequire(join(root, 'packages', 'runtime', 'package.json'))('onnxruntime-node');
const scripts = join(modelsPkg, 'scripts');
const { INT8_MODELS, CALIBRATION_FORMAT, buildInt8Model, prepareForInt8, sha256 } = await import(
  join(scripts, 'int8-models.mjs')
);
const { equalizationGroups, equalizationFactors, equalize } = await import(join(scripts, 'onnx-equalize.mjs'));
const { quantizationPlan, withExtraOutputs } = await import(join(scripts, 'onnx-quantize.mjs'));
const { Histogram, minMseRange, widen, widenChannels } = await import(join(scripts, 'onnx-calibrate.mjs'));

// ---------- calibration images → aligned crops ----------
const UTK_PAD = 50;
const sets = [
  { name: 'UTKFace-dev', dir: join(args.data, 'utkface-dev', 'images'), pad: UTK_PAD },
  { name: 'NUAA-dev live', dir: join(args.data, 'liveness-nuaa-dev', 'live'), pad: 0 },
  { name: 'NUAA-dev spoof', dir: join(args.data, 'liveness-nuaa-dev', 'spoof'), pad: 0 },
];
const detector = await createFaceDetector({ threads: 1 });
const SIZE = 112;
const crops = [];
const counts = [];
for (const set of sets) {
  const files = readdirSync(set.dir)
    .filter((f) => /\.(jpe?g|png)$/i.test(f))
    .sort();
  let found = 0;
  for (const f of files) {
    let input = readFileSync(join(set.dir, f));
    if (set.pad)
      input = await sharp(input)
        .extend({ top: set.pad, bottom: set.pad, left: set.pad, right: set.pad, extendWith: 'mirror' })
        .png()
        .toBuffer();
    const image = await readImage(input);
    let faces = await detector.detect(image);
    if (!faces.length) faces = await detector.detect(image, { minScore: 0.2 });
    if (!faces.length) continue;
    crops.push(alignFace(image, faces[mainFaceIndex(faces, image)].landmarks, SIZE));
    found++;
  }
  counts.push(`${set.name} ${found} of ${files.length}`);
  console.log(`${set.name}: ${found} of ${files.length} images with a face`);
}
await detector.dispose();
const images = `${counts.join(', ')} (UTKFace padded by ${UTK_PAD} px of mirrored border); no LFW image`;

/** The embedder's input for a crop: BGR planes, (v − 127.5) / 128. */
function embedderInput(crop) {
  const n = SIZE * SIZE;
  const x = new Float32Array(3 * n);
  for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) x[c * n + p] = (crop.data[p * 3 + 2 - c] - 127.5) / 128;
  return new ort.Tensor('float32', x, [1, 3, SIZE, SIZE]);
}
const inputs = crops.map(embedderInput);

/** Runs `model` (extra outputs `names`) over every input, handing each output set to `visit`. */
async function each(model, names, visit) {
  const session = await ort.InferenceSession.create(
    onnx.ModelProto.encode(withExtraOutputs(onnx, model, names)).finish(),
    { intraOpNumThreads: 1 },
  );
  for (const x of inputs) visit(await session.run({ [session.inputNames[0]]: x }));
  await session.release();
}

const out = join(modelsPkg, 'calibration');
mkdirSync(out, { recursive: true });
const upstream = join(dirname(req.resolve('faceplugin-face-recognition-js/package.json')), 'model');
for (const recipe of INT8_MODELS) {
  const source = readFileSync(join(upstream, recipe.source));
  const model = prepareForInt8(onnx, source);
  // 1. Per-channel ranges of each rescalable group → equalisation factors.
  const groups = equalizationGroups(model);
  const channel = new Map();
  await each(
    model,
    groups.flatMap((g) => g.tensors),
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
  const { tensors } = quantizationPlan(model, { floatOutputs: recipe.floatOutputs });
  const minmax = new Map();
  await each(model, tensors, (o) => {
    for (const t of tensors) minmax.set(t, widen(minmax.get(t), o[t].data));
  });
  const hist = new Map(tensors.map((t) => [t, new Histogram(...minmax.get(t))]));
  await each(model, tensors, (o) => {
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
  if (args.check) {
    const q8 = await ort.InferenceSession.create(buildInt8Model(onnx, recipe, source, table), { intraOpNumThreads: 1 });
    const f32 = await ort.InferenceSession.create(source, { intraOpNumThreads: 1 });
    const cos = [];
    for (const x of inputs) {
      const a = Object.values(await f32.run({ [f32.inputNames[0]]: x }))[0].data;
      const b = Object.values(await q8.run({ [q8.inputNames[0]]: x }))[0].data;
      let d = 0,
        na = 0,
        nb = 0;
      for (let i = 0; i < a.length; i++) {
        d += a[i] * b[i];
        na += a[i] * a[i];
        nb += b[i] * b[i];
      }
      cos.push(d / Math.sqrt(na * nb));
    }
    cos.sort((p, q) => p - q);
    const mean = cos.reduce((s, v) => s + v, 0) / cos.length;
    console.log(
      `${recipe.output}: cosine to FP32 on the ${cos.length} crops: mean ${mean.toFixed(4)}, min ${cos[0].toFixed(4)}`,
    );
  }
}
