// @vladmandic/face-api in one thread on its Node wasm build (tfjs-backend-wasm, no threads in Node): SSD MobileNet v1
// detection (its default, minConfidence 0.5) + 68-point landmarks + 128-d face descriptor for every face, models read
// with loadFromDisk from the package's model/ folder. Input: sharp-decoded RGB as an int32 tensor3d. See common.mjs.
import { createRequire } from 'node:module';
import { loadFaceApiWasm } from '../lib/peer-libraries.mjs';
import { readJob, timeImages, emit, decodeRgb } from './common.mjs';

const job = readJob();
const require = createRequire(import.meta.url);
const sharp = require('sharp');
const t0 = performance.now();
const { faceapi } = await loadFaceApiWasm(['ssdMobilenetv1', 'faceLandmark68Net', 'faceRecognitionNet']);
const loadMs = performance.now() - t0;
const options = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 });

const r = await timeImages(
  job.images,
  async (path) => {
    const { data, width, height } = await decodeRgb(sharp, path);
    const input = faceapi.tf.tensor3d(data, [height, width, 3], 'int32');
    try {
      const faces = await faceapi.detectAllFaces(input, options).withFaceLandmarks().withFaceDescriptors();
      return { faces: faces.length, dim: faces[0]?.descriptor.length ?? 0 };
    } finally {
      input.dispose();
    }
  },
  () => faceapi.tf.memory().numTensors,
);
emit({
  library: 'face-api',
  backend: faceapi.tf.getBackend(),
  loadMs,
  ...r,
  numTensorsNote: 'tf.memory().numTensors after the warm-up and after the last image (model weights included)',
});
