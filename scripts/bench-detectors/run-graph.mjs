// Face-detector graph models of the human-models package that Human 3.3.6 cannot run correctly as its face detector,
// run here directly with Human's bundled tfjs (wasm backend, 1 thread), models fetched from the parent's 127.0.0.1
// HTTP server (job.modelsUrl). job.graphs names which to run (default both):
//
// - `faceboxes`: FaceBoxes (https://github.com/TropComplique/FaceBoxes-tensorflow, as exported there): input the
//   image as it is, uint8 [1, H, W, 3] (tfjs feeds int32); outputs `scores` [1, 200], `boxes` [1, 200, 4] normalised
//   [ymin, xmin, ymax, xmax], `num_boxes`; NMS is inside the graph (IoU 0.3, 200 boxes, score threshold −∞, read from
//   the weights at load time). Human 3.3.6 ships src/face/faceboxes.ts but no longer wires it in (src/models.ts loads
//   BlazeFace for any face.detector.modelPath), and that file resizes to the model's input shape, which is −1 here.
// - `facemesh-detection-full`: MediaPipe's full-range face detector, input [1, 192, 192, 3] in [−1, 1], two outputs
//   [1, 2304, 17] (logit, box centre offset x/y, width, height, 6 key points), one anchor per cell of a 48×48 grid at
//   stride 4. Human 3.3.6 runs it as its face detector but decodes the first output (`Identity_1`); the second output
//   (`Identity`) scores faces far higher. Decoded here exactly as Human's src/face/blazeface.ts does (anchors from
//   facemeshutil.generateAnchors(192), box = (offset + anchor ± size / 2) / 192 × image size, sigmoid score,
//   tf.image.nonMaxSuppression with IoU 0.1, max 100, then squared as squarifyBox), for each output.
//
// job.outputs picks which outputs of facemesh-detection-full are decoded (default [0, 1]).
// One run at the lowest threshold; the parent derives the higher ones. Input tensor creation is inside the timed call.
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { readJob, runConfigs, decodeRgb } from './common.mjs';

const job = readJob();
const require = createRequire(import.meta.url);
const sharp = require('sharp');
const pkgDir = resolve(dirname(require.resolve('@vladmandic/human')), '..');
const { Human } = require(join(pkgDir, 'dist', 'human.node-wasm.js'));
const wasmDir = dirname(
  createRequire(join(pkgDir, 'package.json')).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'),
);
const off = { enabled: false };
const human = new Human({
  debug: false,
  backend: 'wasm',
  wasmPath: wasmDir + sep,
  modelBasePath: job.modelsUrl,
  warmup: 'none',
  face: off,
  body: off,
  hand: off,
  object: off,
  gesture: off,
  segmentation: off,
});
await human.init();
const tf = human.tf;
if (tf.getBackend() !== 'wasm') throw new Error(`tfjs backend is ${tf.getBackend()}, not wasm`);
const graphs = job.graphs ?? ['faceboxes', 'facemesh-detection-full'];
const minScore = job.minScore ?? 0.1;
const configs = [];
const notes = {};

if (graphs.includes('faceboxes')) {
  const model = await tf.loadGraphModel(new URL('faceboxes.json', job.modelsUrl).href);
  const w = (k) => Array.from(model.weights[k][0].dataSync());
  notes.faceboxes = {
    maxOutputSize: w('nms/map/while/non_max_suppression/NonMaxSuppressionV3/max_output_size')[0],
    iouThreshold: w('nms/map/while/non_max_suppression/iou_threshold')[0],
    scoreThreshold: String(w('nms/map/while/non_max_suppression/score_threshold')[0]),
  };
  configs.push({
    id: `faceboxes@${minScore}`,
    run: async (img) => {
      const input = tf.tensor4d(img.data, [1, img.height, img.width, 3], 'int32');
      const outs = await model.executeAsync(input);
      const byName = Object.fromEntries(model.outputs.map((o, i) => [o.name, outs[i]]));
      const [scores, boxes, num] = await Promise.all([
        byName.scores.data(),
        byName.boxes.data(),
        byName.num_boxes.data(),
      ]);
      tf.dispose([input, ...outs]);
      const faces = [];
      for (let i = 0; i < num[0]; i++) {
        if (!(scores[i] >= minScore)) continue;
        const [y1, x1, y2, x2] = boxes.subarray(i * 4, i * 4 + 4);
        faces.push({
          box: [x1 * img.width, y1 * img.height, (x2 - x1) * img.width, (y2 - y1) * img.height],
          score: scores[i],
        });
      }
      return faces;
    },
  });
}

if (graphs.includes('facemesh-detection-full')) {
  const model = await tf.loadGraphModel(new URL('facemesh-detection-full.json', job.modelsUrl).href);
  const size = 192;
  const anchors = [];
  for (let y = 0; y < size / 4; y++) for (let x = 0; x < size / 4; x++) anchors.push(4 * (x + 0.5), 4 * (y + 0.5));
  notes['facemesh-detection-full'] = {
    outputs: model.outputs.map((o) => o.name),
    executeOrder: 'model.execute returns the outputs in model.outputs order; Human takes index 0',
  };
  for (const outIndex of job.outputs ?? [0, 1]) {
    const outName = model.outputs[outIndex].name;
    configs.push({
      id: `facemesh-detection-full output ${outIndex} (${outName})@${minScore}`,
      run: async (img) => {
        const input = tf.tidy(() =>
          tf.sub(
            tf.div(
              tf.image.resizeBilinear(tf.tensor4d(img.data, [1, img.height, img.width, 3], 'int32'), [size, size]),
              127.5,
            ),
            1,
          ),
        );
        const outs = model.execute(input);
        const raw = await outs[outIndex].data();
        tf.dispose([input, ...outs]);
        const n = raw.length / 17;
        const boxes = new Float32Array(n * 4),
          scores = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          const r = i * 17,
            cx = raw[r + 1] + anchors[2 * i],
            cy = raw[r + 2] + anchors[2 * i + 1];
          boxes.set([cx - raw[r + 3] / 2, cy - raw[r + 4] / 2, cx + raw[r + 3] / 2, cy + raw[r + 4] / 2], i * 4);
          scores[i] = 1 / (1 + Math.exp(-raw[r]));
        }
        const bt = tf.tensor2d(boxes, [n, 4]),
          st = tf.tensor1d(scores);
        const keepT = await tf.image.nonMaxSuppressionAsync(bt, st, 100, 0.1, minScore);
        const keep = await keepT.data();
        tf.dispose([bt, st, keepT]);
        const fx = img.width / size,
          fy = img.height / size;
        return Array.from(keep, (i) => {
          const x1 = boxes[i * 4] * fx,
            y1 = boxes[i * 4 + 1] * fy,
            x2 = boxes[i * 4 + 2] * fx,
            y2 = boxes[i * 4 + 3] * fy;
          const half = Math.max(x2 - x1, y2 - y1) / 2,
            cx = (x1 + x2) / 2,
            cy = (y1 + y2) / 2; // squarifyBox
          const sx = Math.max(0, Math.round(cx - half)),
            sy = Math.max(0, Math.round(cy - half));
          const ex = Math.min(img.width, Math.round(cx + half)),
            ey = Math.min(img.height, Math.round(cy + half));
          return { box: [sx, sy, ex - sx, ey - sy], score: scores[i] };
        });
      },
    });
  }
}

await runConfigs(job, (p) => decodeRgb(sharp, p), configs, {
  library: 'tfjs graph (direct)',
  runtime: `tfjs ${tf.version_core} ${tf.getBackend()} backend (bundled in Human ${human.version}), 1 thread`,
  notes,
});
