// @vladmandic/human in one thread on its Node wasm build (tfjs-backend-wasm, no threads in Node): BlazeFace detection +
// FaceMesh (468 landmarks) + FaceRes descriptor (1024-d) for every face (maxDetected 20); iris, emotion, antispoof,
// liveness, attention, body, hand, object, gesture, segmentation and image filters off; result cache off
// (cacheSensitivity 0) so every image is analysed in full. Models are fetched from the parent's HTTP server on
// 127.0.0.1 (job.humanModelsUrl), which serves the package's models/ folder (Node's wasm build cannot read file://).
import { createRequire } from 'node:module';
import { loadHumanWasm } from '../lib/peer-libraries.mjs';
import { readJob, timeImages, emit, decodeRgb } from './common.mjs';

const job = readJob();
const require = createRequire(import.meta.url);
const sharp = require('sharp');
const t0 = performance.now();
const human = await loadHumanWasm({
  modelsUrl: job.humanModelsUrl,
  face: { detector: { maxDetected: 20, rotation: false }, mesh: { enabled: true }, description: { enabled: true } },
});
const loadMs = performance.now() - t0;

const r = await timeImages(
  job.images,
  async (path) => {
    const { data, width, height } = await decodeRgb(sharp, path);
    const input = human.tf.tensor4d(data, [1, height, width, 3], 'int32');
    try {
      const res = await human.detect(input);
      if (res.error) throw new Error(`human: ${res.error}`);
      const withDescriptor = res.face.filter((f) => f.embedding?.length);
      return { faces: res.face.length, dim: withDescriptor[0]?.embedding.length ?? 0 };
    } finally {
      input.dispose();
    }
  },
  () => human.tf.memory().numTensors,
);
emit({
  library: 'human',
  backend: human.tf.getBackend(),
  loadMs,
  ...r,
  numTensorsNote: 'tf.memory().numTensors after the warm-up and after the last image (model weights included)',
});
