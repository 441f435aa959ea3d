// @vladmandic/human's face detector in one thread on its Node wasm build (tfjs-backend-wasm, no threads in Node), with
// one detector model per process (job.humanModel: Human caches its detector model in a module variable, so a second
// Human instance in the same process would silently reuse the first model). Face mesh, iris, description, emotion,
// antispoof, liveness, attention, body, hand, object, gesture, segmentation and image filters are off, the result cache
// is off (cacheSensitivity 0), maxDetected 100, iouThreshold 0.1 (Human's default), rotation off, and detector.scale 1
// so the returned box is the detector's own box (squared) rather than Human's 1.4× enlargement for the mesh crop.
// One run at the lowest threshold (job.minConfidence); the parent derives the higher ones. Models are fetched from the
// parent's HTTP server on 127.0.0.1 (job.modelsUrl, the human-models package's models/ folder), because Node's wasm
// build cannot read file://. Input: sharp-decoded RGB as an int32 tensor4d (created inside the timed call).
import { createRequire } from 'node:module';
import { loadHumanWasm } from '../lib/peer-libraries.mjs';
import { readJob, runConfigs, decodeRgb } from './common.mjs';

const job = readJob();
const require = createRequire(import.meta.url);
const sharp = require('sharp');
const minConfidence = job.minConfidence ?? 0.1;
const human = await loadHumanWasm({
  modelsUrl: job.modelsUrl,
  face: {
    detector: {
      modelPath: job.humanModel,
      maxDetected: 100,
      minConfidence,
      iouThreshold: 0.1,
      scale: 1,
      rotation: false,
      minSize: 0,
    },
    mesh: { enabled: false },
    description: { enabled: false },
  },
});
const loaded = Object.entries(human.models.models ?? {})
  .filter(([, m]) => m)
  .map(([k]) => k);

const configs = [
  {
    id: `human ${job.humanModel.replace(/\.json$/, '')}@${minConfidence}`,
    run: async (img) => {
      const input = human.tf.tensor4d(img.data, [1, img.height, img.width, 3], 'int32');
      try {
        const res = await human.detect(input);
        if (res.error) throw new Error(`human: ${res.error}`);
        return res.face.map((f) => ({ box: f.box, score: f.boxScore ?? f.score }));
      } finally {
        input.dispose();
      }
    },
  },
];

await runConfigs(job, (p) => decodeRgb(sharp, p), configs, {
  library: 'human',
  version: human.version,
  model: job.humanModel,
  modelsLoaded: loaded,
  runtime: `tfjs ${human.tf.version_core} ${human.tf.getBackend()} backend, 1 thread`,
});
