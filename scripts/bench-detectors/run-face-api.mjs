// @vladmandic/face-api detectors in one thread on its Node wasm build (tfjs-backend-wasm, no threads in Node), models
// read with loadFromDisk from the package's model/ folder: SSD MobileNet v1 (default minConfidence 0.5, maxResults 100)
// and TinyFaceDetector (default inputSize 416, scoreThreshold 0.5), each at its default and lower thresholds.
// Input: sharp-decoded RGB as an int32 tensor3d (tensor creation is inside the timed call). See common.mjs.
import { createRequire } from 'node:module';
import { loadFaceApiWasm } from '../lib/peer-libraries.mjs';
import { readJob, runConfigs, decodeRgb } from './common.mjs';

const job = readJob();
const require = createRequire(import.meta.url);
const sharp = require('sharp');
const { faceapi } = await loadFaceApiWasm(['ssdMobilenetv1', 'tinyFaceDetector']);

const detect = (options) => async (img) => {
  const input = faceapi.tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
  try {
    const faces = await faceapi.detectAllFaces(input, options);
    return faces.map((d) => ({ box: [d.box.x, d.box.y, d.box.width, d.box.height], score: d.score }));
  } finally {
    input.dispose();
  }
};

const configs = [];
for (const minConfidence of job.ssdThresholds ?? [0.1]) {
  configs.push({
    id: `face-api SSD MobileNetV1@${minConfidence}`,
    run: detect(new faceapi.SsdMobilenetv1Options({ minConfidence, maxResults: 100 })),
  });
}
for (const [inputSize, scoreThreshold] of job.tinyConfigs ?? [[416, 0.1]]) {
  configs.push({
    id: `face-api Tiny ${inputSize}@${scoreThreshold}`,
    run: detect(new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold })),
  });
}

await runConfigs(job, (p) => decodeRgb(sharp, p), configs, {
  library: 'face-api',
  version: require('@vladmandic/face-api/package.json').version,
  runtime: `tfjs ${faceapi.tf.version_core} ${faceapi.tf.getBackend()} backend, 1 thread`,
  numTensors: faceapi.tf.memory().numTensors,
});
