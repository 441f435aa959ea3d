// @vladmandic/face-api in one thread on its Node wasm build (tfjs-backend-wasm, no threads in Node): SSD MobileNet v1
// detection (its default, minConfidence 0.5) + 68-point landmarks + 128-d face descriptor for every face, models read
// with loadFromDisk from the package's model/ folder. Input: sharp-decoded RGB as an int32 tensor3d. See common.mjs.
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { readJob, timeImages, emit, decodeRgb } from './common.mjs';

const job = readJob();
const require = createRequire(import.meta.url);
const sharp = require('sharp');
const t0 = performance.now();
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const pkgDir = dirname(require.resolve('@vladmandic/face-api/package.json'));
const wasmDir = dirname(createRequire(join(pkgDir, 'package.json')).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
faceapi.tf.setWasmPaths(wasmDir + sep);
if (!(await faceapi.tf.setBackend('wasm'))) throw new Error('face-api: wasm backend failed');
await faceapi.tf.ready();
const modelDir = join(pkgDir, 'model');
await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
const loadMs = performance.now() - t0;
const options = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 });

const r = await timeImages(job.images, async (path) => {
  const { data, width, height } = await decodeRgb(sharp, path);
  const input = faceapi.tf.tensor3d(data, [height, width, 3], 'int32');
  try {
    const faces = await faceapi.detectAllFaces(input, options).withFaceLandmarks().withFaceDescriptors();
    return { faces: faces.length, dim: faces[0]?.descriptor.length ?? 0 };
  } finally {
    input.dispose();
  }
}, () => faceapi.tf.memory().numTensors);
emit({
  library: 'face-api', backend: faceapi.tf.getBackend(), loadMs, ...r,
  numTensorsNote: 'tf.memory().numTensors after the warm-up and after the last image (model weights included)',
});
