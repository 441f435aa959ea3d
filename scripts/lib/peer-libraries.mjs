// How the benchmarks start the peer libraries in Node, one thread each (tfjs-backend-wasm has no threads in Node):
// @vladmandic/face-api and @vladmandic/human from their node-wasm builds. Shared by bench-pipeline and bench-detectors.
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';

const require = createRequire(import.meta.url);

/** The tfjs-backend-wasm `.wasm` folder next to a package (with a trailing separator). @param {string} pkgDir */
function wasmDirOf(pkgDir) {
  return (
    dirname(
      createRequire(join(pkgDir, 'package.json')).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'),
    ) + sep
  );
}

/**
 * face-api's node-wasm build on the wasm backend, with the given nets loaded from the package's model/ folder
 * (`loadFromDisk`). @param {string[]} nets e.g. `['ssdMobilenetv1', 'faceLandmark68Net']`
 * @returns {Promise<{ faceapi: any, modelDir: string }>}
 */
export async function loadFaceApiWasm(nets) {
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  const pkgDir = dirname(require.resolve('@vladmandic/face-api/package.json'));
  faceapi.tf.setWasmPaths(wasmDirOf(pkgDir));
  if (!(await faceapi.tf.setBackend('wasm'))) throw new Error('face-api: wasm backend failed');
  await faceapi.tf.ready();
  const modelDir = join(pkgDir, 'model');
  for (const net of nets) await faceapi.nets[net].loadFromDisk(modelDir);
  return { faceapi, modelDir };
}

/**
 * Human's node-wasm build with everything off except the `face` parts given (merged over: iris, emotion, antispoof,
 * liveness, attention and gear off), result cache and image filters off, models fetched from `modelsUrl` (Node's wasm
 * build cannot read file://), loaded and checked to run on wasm.
 * @param {{ modelsUrl: string, face: object }} o
 */
export async function loadHumanWasm({ modelsUrl, face }) {
  const pkgDir = resolve(dirname(require.resolve('@vladmandic/human')), '..');
  const { Human } = require(join(pkgDir, 'dist', 'human.node-wasm.js'));
  const off = { enabled: false };
  const human = new Human({
    debug: false,
    backend: 'wasm',
    wasmPath: wasmDirOf(pkgDir),
    modelBasePath: modelsUrl,
    cacheSensitivity: 0,
    warmup: 'none',
    filter: off,
    face: { enabled: true, iris: off, emotion: off, antispoof: off, liveness: off, attention: off, gear: off, ...face },
    body: off,
    hand: off,
    object: off,
    gesture: off,
    segmentation: off,
  });
  await human.load();
  await human.tf.ready();
  if (human.tf.getBackend() !== 'wasm') throw new Error(`human: backend is ${human.tf.getBackend()}, not wasm`);
  return human;
}
