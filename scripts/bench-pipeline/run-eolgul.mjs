// eolgul's default pipeline in one thread: readImage (sharp) → detect (fr_detect + fr_landmark, ONNX Runtime, 1 thread)
// → alignFace (112 px) → embedBatch (fr_feature, 512-d) for every face found. Emotion off. See common.mjs.
import { readJob, timeImages, emit } from './common.mjs';

const job = readJob();
const t0 = performance.now();
const { readImage, createFaceDetector, alignFace } = await import('@eolgul/detector');
const { createFaceNet } = await import('@eolgul/facenet');
const detector = await createFaceDetector({ threads: 1 });
const facenet = await createFaceNet({ threads: 1 });
const loadMs = performance.now() - t0;

const r = await timeImages(job.images, async (path) => {
  const image = await readImage(path);
  const faces = await detector.detect(image);
  if (faces.length === 0) return { faces: 0, dim: 0 };
  const embeddings = await facenet.embedBatch(faces.map((f) => alignFace(image, f.landmarks, facenet.inputSize)));
  return { faces: faces.length, dim: embeddings[0].length };
});
// tfjs is only loaded by @eolgul/emotion (off here): no tensor exists in this process.
emit({
  library: 'eolgul',
  loadMs,
  ...r,
  numTensors: null,
  numTensorsNote: 'n/a: tfjs not loaded (ONNX Runtime only; tfjs is used by emotion, off)',
});
await detector.dispose();
await facenet.dispose();
