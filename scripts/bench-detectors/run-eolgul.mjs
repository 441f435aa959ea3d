// eolgul's own detector (createFaceDetector from @eolgul/detector: fr_detect.onnx on ONNX Runtime, 1 thread; its
// detect() also finds each face's 5 points, included in the time: the default refine 'onet' runs MTCNN's RNet and ONet
// twice per face, and the 68-point model fr_landmark.onnx where ONet rejects the box).
// Runs: minScore 0.5 (default) and 0.2 on the image as it is, and at 0.2 on the image padded with a grey (127) border
// of 20 % or 50 % of its side (zoom out, for close-ups), padded left/right to the detector input's 4:3 aspect, or
// cropped to its centre 60 % (zoom in). Boxes are mapped back to the original image's pixels. See common.mjs.
import { createRequire } from 'node:module';
import { readJob, runConfigs, decodeRgb } from './common.mjs';

const job = readJob();
const require = createRequire(import.meta.url);
const sharp = require('sharp');
const { createFaceDetector } = await import('@eolgul/detector');
const detector = await createFaceDetector({ threads: 1 });

/** The image with a border of `p` px (left/right) and `q` px (top/bottom) filled with grey 127. */
function pad(img, p, q) {
  const W = img.width + 2 * p,
    H = img.height + 2 * q;
  const out = new Uint8Array(W * H * 3).fill(127);
  for (let y = 0; y < img.height; y++) {
    out.set(img.data.subarray(y * img.width * 3, (y + 1) * img.width * 3), ((y + q) * W + p) * 3);
  }
  return { data: out, width: W, height: H };
}

/** The centre `frac` of the image (a crop of round(frac · side) px per side). */
function crop(img, frac) {
  const w = Math.round(img.width * frac),
    h = Math.round(img.height * frac);
  const x0 = Math.floor((img.width - w) / 2),
    y0 = Math.floor((img.height - h) / 2);
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    out.set(img.data.subarray(((y + y0) * img.width + x0) * 3, ((y + y0) * img.width + x0 + w) * 3), y * w * 3);
  }
  return { image: { data: out, width: w, height: h }, x0, y0 };
}

const plain = (faces) => faces.map((f) => ({ box: f.box, score: f.score }));
const shifted = (faces, dx, dy) =>
  faces.map((f) => ({ box: [f.box[0] + dx, f.box[1] + dy, f.box[2], f.box[3]], score: f.score }));

// Higher thresholds and the CLI's retry rule are derived by the parent from the 0.5 and 0.2 runs (see there).
const configs = [
  { id: 'eolgul@0.5', run: async (img) => plain(await detector.detect(img)) },
  { id: 'eolgul@0.2', run: async (img) => plain(await detector.detect(img, { minScore: 0.2 })) },
];
for (const [name, frac] of [
  ['pad20', 0.2],
  ['pad50', 0.5],
]) {
  configs.push({
    id: `eolgul ${name}@0.2`,
    run: async (img) => {
      const p = Math.round(img.width * frac),
        q = Math.round(img.height * frac);
      return shifted(await detector.detect(pad(img, p, q), { minScore: 0.2 }), -p, -q);
    },
  });
}
configs.push({
  id: 'eolgul 4:3@0.2',
  run: async (img) => {
    // Pad to the detector input's 4:3 aspect so the face is not stretched when resized to 320×240.
    const p = Math.max(0, Math.round(((img.height * 4) / 3 - img.width) / 2));
    const q = Math.max(0, Math.round(((img.width * 3) / 4 - img.height) / 2));
    return shifted(await detector.detect(pad(img, p, q), { minScore: 0.2 }), -p, -q);
  },
});
configs.push({
  id: 'eolgul crop60@0.2',
  run: async (img) => {
    const c = crop(img, 0.6);
    return shifted(await detector.detect(c.image, { minScore: 0.2 }), c.x0, c.y0);
  },
});

await runConfigs(job, (p) => decodeRgb(sharp, p), configs, {
  library: 'eolgul',
  runtime: 'onnxruntime-node, 1 intra-op thread',
  model: 'fr_detect.onnx (+ fr_landmark.onnx per face) from @eolgul/models',
});
await detector.dispose();
