// eolgul's default pipeline through the front door, in one thread: createFaceRecognizer({ threads: 1, precision }),
// then recognizer.analyse(path) per image (decode → detect → 5 points → align → embed every face; empty gallery,
// emotion off). job.precision: 'fp32' (default) or 'int8'; job.mainFace: only each image's main face, as `eolgul embed`
// does; job.startAt: epoch ms to start timing at (see timeImages). See common.mjs.
import { emit, readJob, timeImages } from './common.mjs';

const job = readJob();
const precision = job.precision ?? 'fp32';
const t0 = performance.now();
const { createFaceRecognizer } = await import('eolgul');
const recognizer = await createFaceRecognizer({ threads: 1, ...(precision === 'fp32' ? {} : { precision }) });
const loadMs = performance.now() - t0;

const r = await timeImages(
  job.images,
  async (path) => {
    const { faces } = await recognizer.analyse(path, job.mainFace ? { mainFace: true } : {});
    return { faces: faces.length, dim: faces[0]?.embedding.length ?? 0 };
  },
  undefined,
  job.startAt,
);
emit({ library: 'eolgul-frontdoor', precision, loadMs, ...r, numTensors: null });
await recognizer.dispose();
