// face-api's face recognition net — the dlib ResNet-34 face descriptor ("dlib_face_recognition_resnet_model_v1", 128-d,
// 150×150 RGB input), ported to TensorFlow.js by face-api — as an embedder for scripts/bench-accuracy.mjs, on the
// project's own detection and landmarks, with dlib's own chip alignment.
//
// Model: @vladmandic/face-api 1.7.15, model/face_recognition_model-weights_manifest.json + .bin, loaded by face-api's
// hand-written FaceRecognitionNet (not a tfjs graph model), run on the tfjs wasm backend in Node through face-api's
// node-wasm build (dist/face-api.node-wasm.js), the same tfjs-core instance as @eolgul/runtime's.
//
// Preprocessing: FaceRecognitionNet.forwardInput (face-api src/faceRecognitionNet/FaceRecognitionNet.ts) takes the image
// as 0–255 RGB, pads it to a square and resizes it to 150×150 (a no-op for our 150×150 crop), then computes
// (x − [122.782, 117.001, 104.298]) / 255. dlib's own input layer (dlib/dnn/input.h, input_rgb_image_sized<150>)
// divides by 256 instead of 255; `input: 'dlib'` feeds x' = (x − mean)·255/256 + mean so that face-api's formula gives
// dlib's exact (x − mean)/256.
//
// Alignment: dlib's `extract_image_chip(img, get_face_chip_details(shape, 150, 0.25))` as in dlib's
// examples/dnn_face_recognition_ex.cpp. get_face_chip_details (dlib/image_transforms/interpolation.h, davisking/dlib)
// fits a least-squares similarity from the chip to the image over the 68-point mean face shape `mean_face_shape_x/y`
// (points 17–67 without the eyebrows 17–26 and the lower lip 55–59, 65–67), each mean point mapped to the chip as
// (padding + m) / (2·padding + 1) · size. Our detector gives 5 points (eye centres, nose tip, mouth corners, see
// fivePoints in @eolgul/detector), so the 5-point template is the same reduction applied to dlib's mean face:
// eye centres = mean of points 37, 38, 40, 41 and 43, 44, 46, 47 (0-based), nose tip = 30, mouth corners =
// mean(48, 60) and mean(54, 64); then the same padding formula.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getTf } from '@eolgul/runtime';
import { templateForSize, dlibChipPoint, dlibChipTemplate } from '@eolgul/detector';

// dlib's mean face and its 5-point chip template live in @eolgul/detector (DLIB_MEAN_FACE, dlibChipPoint, dlibChipTemplate).
export const dlibTemplate5 = dlibChipTemplate;

/** The 68-point indices get_face_chip_details fits (17–67 without eyebrows 17–26 and lower lip 55–59, 65–67). */
export const DLIB_CHIP_POINTS = Object.freeze(
  Array.from({ length: 51 }, (_, k) => k + 17).filter((i) => !(i <= 26 || (i >= 55 && i <= 59) || i >= 65)),
);

/** dlib's exact 68-point chip template: {@link DLIB_CHIP_POINTS} on the chip (33 points). */
export function dlibTemplate68(size = 150, padding = 0.25) {
  return DLIB_CHIP_POINTS.map((i) => dlibChipPoint(i, size, padding));
}

const DLIB_MEAN_RGB = [122.782, 117.001, 104.298];

/**
 * Loads face-api's FaceRecognitionNet on the tfjs wasm backend.
 * @param {object} [o]
 * @param {'dlib' | 'dlib68' | 'arcface'} [o.template] alignment: dlib's chip reduced to our 5 points (default), dlib's
 *   exact 33-point fit on the detector's 68 landmarks, or the ArcFace 112 template scaled to 150.
 * @param {'face-api' | 'dlib'} [o.input] scale: face-api's (x − mean)/255 (default) or dlib's (x − mean)/256.
 * @param {boolean} [o.normalize] L2-normalise the 128-d descriptor (default true).
 * @returns {{ inputSize: 150, template: {x:number,y:number}[], landmarksOf?: (face) => {x:number,y:number}[],
 *   embed(crop): Promise<Float32Array>, dispose(): Promise<void> }}
 */
export async function createFaceApiDlibEmbedder({ template = 'dlib', input = 'face-api', normalize = true } = {}) {
  const tf0 = await getTf(); // the project's tfjs-core, wasm backend (face-api's build shares this tfjs-core instance)
  const require = createRequire(fileURLToPath(import.meta.url));
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  if (faceapi.tf.engine() !== tf0.engine()) throw new Error("face-api does not share @eolgul/runtime's tfjs-core");
  if (faceapi.tf.getBackend() !== 'wasm')
    throw new Error(`face-api: expected the wasm backend, got ${faceapi.tf.getBackend()}`);
  const net = new faceapi.FaceRecognitionNet();
  await net.loadFromDisk(join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model'));
  const size = 150;
  const tf = faceapi.tf;
  return {
    inputSize: size,
    template:
      template === 'arcface'
        ? templateForSize(size)
        : template === 'dlib68'
          ? dlibTemplate68(size)
          : dlibTemplate5(size),
    ...(template === 'dlib68' && { landmarksOf: (face) => DLIB_CHIP_POINTS.map((i) => face.landmarks68[i]) }),
    async embed(crop) {
      let x;
      if (input === 'dlib') {
        const f = new Float32Array(crop.data.length);
        for (let i = 0; i < f.length; i++)
          f[i] = ((crop.data[i] - DLIB_MEAN_RGB[i % 3]) * 255) / 256 + DLIB_MEAN_RGB[i % 3];
        x = tf.tensor3d(f, [crop.height, crop.width, 3], 'float32');
      } else {
        x = tf.tensor3d(crop.data, [crop.height, crop.width, 3], 'int32');
      }
      try {
        const d = Float32Array.from(await net.computeFaceDescriptor(x));
        if (normalize) {
          const n = Math.hypot(...d);
          for (let i = 0; i < d.length; i++) d[i] /= n;
        }
        return d;
      } finally {
        x.dispose();
      }
    },
    async dispose() {
      net.dispose();
    },
  };
}
