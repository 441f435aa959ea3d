// Outputs of the detector, the embedder and the emotion classifier on the committed demo images (and images made from
// them: a 3×3 mosaic, a face cut by the image edge), for every configuration the packages offer. Recorded once from
// the code before a refactoring (scripts/record-reference-outputs.mjs) and compared with the code after it
// (packages/{detector,embedder,emotion}/test/*-reference-outputs.test.ts): code that only moved gives the same bytes.
// Long arrays (68 and 468 landmarks, embeddings) are kept as SHA-256 of their float64 / float32 bytes.
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DATA = join(ROOT, 'examples', 'data');

/** The demo images: gallery (16) and probes (10), sorted, as paths relative to examples/data. */
export function demoImages() {
  const out = [];
  for (const person of readdirSync(join(DATA, 'gallery')).sort()) {
    for (const f of readdirSync(join(DATA, 'gallery', person)).sort()) out.push(`gallery/${person}/${f}`);
  }
  for (const f of readdirSync(join(DATA, 'probes')).sort()) out.push(`probes/${f}`);
  return out;
}

/** A `cols × rows` mosaic of equally sized RGB images (row-major), e.g. 3×3 LFW images → 750×750. */
function mosaic(images, cols) {
  const { width: w, height: h } = images[0];
  const rows = Math.ceil(images.length / cols);
  const W = w * cols;
  const data = new Uint8Array(W * h * rows * 3);
  images.forEach((im, k) => {
    const ox = (k % cols) * w,
      oy = Math.floor(k / cols) * h;
    for (let y = 0; y < h; y++) data.set(im.data.subarray(y * w * 3, (y + 1) * w * 3), ((oy + y) * W + ox) * 3);
  });
  return { data, width: W, height: h * rows };
}

/** Columns [x0, x0 + width) of an image. */
function columns(image, x0, width) {
  const data = new Uint8Array(width * image.height * 3);
  for (let y = 0; y < image.height; y++) {
    data.set(image.data.subarray((y * image.width + x0) * 3, (y * image.width + x0 + width) * 3), y * width * 3);
  }
  return { data, width, height: image.height };
}

/**
 * The images every output is computed on: the 26 demo images, a 3×3 mosaic of the first 9 (750×750: several faces,
 * and the detector's block-averaging shrink), and two faces cut by the image edge (the right 150 columns of a portrait,
 * and the right 120 of another, whose box RNet rejects: the 68-point fallback).
 * @param readImage `readImage` of `@eolgul/detector` (or `/node`).
 * @returns `[name, RgbImage][]`.
 */
export async function referenceImages(readImage) {
  const names = demoImages();
  const images = [];
  for (const n of names) images.push([n, await readImage(join(DATA, n))]);
  images.push([
    'mosaic-3x3',
    mosaic(
      images.slice(0, 9).map(([, im]) => im),
      3,
    ),
  ]);
  const serena = images.find(([n]) => n.includes('Serena_Williams_0001'))[1];
  images.push(['edge-cut', columns(serena, 100, 150)]);
  const tom = images.find(([n]) => n.includes('Tom_Hanks_0008'))[1];
  images.push(['edge-cut-onet-rejects', columns(tom, 130, 120)]);
  return images;
}

const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');
const pointsHash = (pts) => sha(new Uint8Array(Float64Array.from(pts.flatMap((p) => [p.x, p.y])).buffer));
const vectorHash = (v) => sha(new Uint8Array(Float32Array.from(v).buffer));

/** A detection as plain JSON: box, score, 5 points exact; 68 / 468 points as hashes. */
function face(f) {
  const out = { box: [...f.box], score: f.score, landmarks: f.landmarks.map((p) => [p.x, p.y]) };
  if (f.landmarks68) out.landmarks68 = pointsHash(f.landmarks68);
  if (f.mesh) out.mesh = pointsHash(f.mesh);
  return out;
}

/** Detector configurations: [name, load-time config, per-call options]. Old option names, which stay as aliases. */
export const DETECTOR_RUNS = [
  ['default', {}, {}],
  ['refine-none', {}, { refine: 'none' }],
  ['refine-none-2-passes-68', {}, { refine: 'none', landmarkPasses: 2, withLandmarks68: true }],
  ['refine-onet-68', {}, { withLandmarks68: true }],
  ['refine-mesh', {}, { refine: 'mesh', withMesh: true }],
  ['low-score', {}, { minScore: 0.2, iouThreshold: 0.3 }],
  ['mtcnn', { detector: 'mtcnn' }, {}],
  ['mtcnn-68-low', { detector: 'mtcnn' }, { withLandmarks68: true, minScore: 0.5 }],
];

/**
 * Every detector configuration on every reference image, then MTCNN's `refine` on the default detector's boxes.
 * @param api `{ createFaceDetector, createMtcnn }` of `@eolgul/detector`.
 */
export async function detectorOutputs(api, images) {
  const out = {};
  for (const [name, config, options] of DETECTOR_RUNS) {
    const d = await api.createFaceDetector(config);
    try {
      out[name] = {};
      for (const [n, im] of images) out[name][n] = (await d.detect(im, options)).map(face);
    } finally {
      await d.dispose();
    }
  }
  const m = await api.createMtcnn();
  try {
    out['mtcnn-refine'] = {};
    for (const [n, im] of images) {
      const boxes = out.default[n].map((f) => f.box).filter((b) => b[2] > 0 && b[3] > 0);
      out['mtcnn-refine'][n] = (await m.refine(im, boxes)).map((f) => (f ? face(f) : null));
    }
  } finally {
    await m.dispose();
  }
  return out;
}

/** The aligned 112×112 crop of each detected face (default detector), in image order. */
async function crops(api, images) {
  const d = await api.createFaceDetector();
  try {
    const res = [];
    for (const [n, im] of images) {
      const faces = await d.detect(im);
      faces.forEach((f, i) => {
        res.push([`${n}#${i}`, api.alignFace(im, f.landmarks, 112)]);
      });
    }
    return res;
  } finally {
    await d.dispose();
  }
}

/**
 * Embeddings of every face's aligned crop: one at a time, in one batch, and with test-time flip; plus the crops.
 * @param api `{ createFaceDetector, alignFace, createFaceNet }` (the deprecated name, an alias of createFaceEmbedder).
 */
export async function embedderOutputs(api, images) {
  const all = await crops(api, images);
  const out = { crops: {}, single: {}, batch: {}, flip: {} };
  for (const [n, c] of all) out.crops[n] = sha(c.data);
  const e = await api.createFaceNet();
  try {
    out.dimension = e.dimension;
    for (const [n, c] of all) out.single[n] = vectorHash(await e.embed(c));
    const batch = await e.embedBatch(all.map(([, c]) => c));
    all.forEach(([n], i) => {
      out.batch[n] = vectorHash(batch[i]);
    });
  } finally {
    await e.dispose();
  }
  const f = await api.createFaceNet({ flip: true });
  try {
    for (const [n, c] of all.slice(0, 8)) out.flip[n] = vectorHash(await f.embed(c));
  } finally {
    await f.dispose();
  }
  return out;
}

/** Emotion configurations: [name, config]. */
export const EMOTION_RUNS = [
  ['default', {}],
  ['human-emotion-flip', { model: 'human-emotion', flip: true }],
  ['faceplugin-expression', { model: 'faceplugin-expression' }],
];

/**
 * Emotion scores of the main face of each image (its default-detector box), and of the whole image (no box).
 * @param api `{ createFaceDetector, createEmotionClassifier }`.
 */
export async function emotionOutputs(api, images) {
  const d = await api.createFaceDetector();
  const boxes = [];
  try {
    for (const [n, im] of images) boxes.push([n, im, (await d.detect(im))[0]?.box]);
  } finally {
    await d.dispose();
  }
  const out = {};
  for (const [name, config] of EMOTION_RUNS) {
    const e = await api.createEmotionClassifier(config);
    try {
      out[name] = {};
      for (const [n, im, box] of boxes) {
        if (box) out[name][n] = (await e.classify(im, box)).scores;
        out[name][`${n} (whole image)`] = (await e.classify(im)).scores;
      }
    } finally {
      await e.dispose();
    }
  }
  return out;
}
