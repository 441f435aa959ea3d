// The ONNX models of eolgul's default pipeline called alone, in one process and one thread: CPU milliseconds per call
// of each (onnxruntime-node, 1 intra-op thread, graph optimisation 'all', as the pipeline loads them), on inputs made
// from the job's images (the detector's whole-image tensor, each image's centre crop at RNet's, ONet's and the
// embedder's input size). Rounds alternate the models so that a busy minute touches all of them alike; the median round
// is reported. With the calls per image counted by the stages runner, the sum is the CPU time that model inference
// alone needs per image: a floor under the pipeline's. See common.mjs.
import { emit, readJob } from './common.mjs';

const job = readJob();
const { MODELS } = await import('@eolgul/models');
const { modelsDir } = await import('@eolgul/models/node');
const { loadModel } = await import('@eolgul/runtime');
const { imageToTensor, resizeToTensor, resampleArea } = await import('@eolgul/core');
const { readImage } = await import('@eolgul/detector/node');
const { join } = await import('node:path');

/** Catalogue models of the default pipeline (both precisions), with the side of their square crop (0: whole image). */
const WANTED = [
  ['rfb320', 0],
  ['detector-int8', 0],
  ['mtcnn-rnet', 24],
  ['mtcnn-onet', 48],
  ['embedder', 112],
  ['embedder-int8', 112],
];
const models = [];
for (const [name, side] of WANTED) {
  const entry = MODELS[name];
  if (!entry) continue; // a model this checkout does not ship
  const model = await loadModel(join(modelsDir(), entry.files[0].name), { threads: 1 });
  models.push({ name, side, entry, model, inputName: model.inputNames[0] });
}

const images = [];
for (const path of job.images.slice(0, job.modelImages ?? 100)) images.push(await readImage(path));

/** The model's input for an image: the whole image (detector) or its centre square resampled to the crop size. */
function inputFor(m, image) {
  const [, c, h, w] = m.entry.input.shape;
  const dims = [1, c, h, w];
  if (m.side === 0) return { data: resizeToTensor(image, w, h, m.entry.input.tensor), dims };
  const s = Math.min(image.width, image.height) / 2;
  const crop = resampleArea(image, { x: (image.width - s) / 2, y: (image.height - s) / 2, w: s, h: s }, m.side);
  return { data: imageToTensor(crop, m.side, m.side, m.entry.input.tensor), dims };
}
const inputs = models.map((m) => images.map((image) => inputFor(m, image)));

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const rounds = job.modelRounds ?? 5;
const perRound = models.map(() => []);
for (const [k, m] of models.entries())
  for (const feed of inputs[k].slice(0, 3)) await m.model.run({ [m.inputName]: feed });
for (let r = 0; r < rounds; r++) {
  for (let j = 0; j < models.length; j++) {
    const k = (j + r) % models.length; // rotate the order each round
    const m = models[k];
    const c0 = cpuMs();
    for (const feed of inputs[k]) await m.model.run({ [m.inputName]: feed });
    perRound[k].push((cpuMs() - c0) / inputs[k].length);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
emit({
  library: 'eolgul-models',
  images: images.length,
  rounds,
  /** Median over rounds of the CPU milliseconds per call, and the fastest round, by catalogue name. */
  models: Object.fromEntries(
    models.map((m, k) => [
      m.name,
      { file: m.entry.files[0].name, cpuMsPerCall: median(perRound[k]), minCpuMsPerCall: Math.min(...perRound[k]) },
    ]),
  ),
  numTensors: null,
});
for (const m of models) await m.model.dispose();
