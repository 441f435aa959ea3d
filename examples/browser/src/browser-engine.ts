import { createFaceDetector, type FaceDetector } from '@eolgul/detector';
import { createEmotionClassifier, emotionModelSpec, type EmotionClassifier } from '@eolgul/emotion';
import { createFaceNet, DEFAULT_FACENET_CONFIG, DEFAULT_THRESHOLD, type FaceNet } from '@eolgul/facenet';
import { modelUrl } from '@eolgul/models';

/**
 * Loads the three models of the example in the browser, from files served beside the app (see vite.config.ts):
 * `models/` (the `@eolgul/models` files), `ort/` (onnxruntime-web's wasm) and `tfjs/` (tfjs-backend-wasm's wasm).
 * @module
 */

/** Which TensorFlow.js backend runs the emotion model: `'auto'` picks WebGL on a hardware GPU, wasm otherwise. */
export type TfBackendChoice = 'auto' | 'wasm' | 'webgl';

/** Options of {@link loadEngine}. */
export interface EngineOptions {
  /** Absolute URL of the app's root folder, ending in `/`. */
  base: string;
  /**
   * onnxruntime-web wasm threads (default 1). More threads need a cross-origin isolated page (the app's server sends
   * COOP/COEP). On a 2-core machine 1 is faster: measured 21–23 fps with 1 thread against 10–14 fps with 2, because the
   * extra thread competes with the page's own thread and the camera (docs/benchmarks/browser.md).
   */
  ortThreads?: number;
  /**
   * Run onnxruntime-web in its own worker (`env.wasm.proxy`), off the page's thread (default false; the app turns it
   * on): the page's thread is then free for the image work and the tfjs emotion model while the ONNX models run.
   */
  ortProxy?: boolean;
  /** TensorFlow.js backend (default `'auto'`). */
  tfBackend?: TfBackendChoice;
  /** Progress messages. */
  onStatus?: (message: string) => void;
}

/** The loaded models and what they run on. */
export interface Engine {
  detector: FaceDetector;
  facenet: FaceNet;
  emotion: EmotionClassifier;
  /** L2 threshold of the bundled embedder (`DEFAULT_THRESHOLD` of `@eolgul/facenet`). */
  threshold: number;
  /** E.g. `'onnxruntime-web wasm ×2 threads, tfjs wasm'`. */
  backends: string;
  /** Time to load everything, milliseconds. */
  loadMs: number;
}

/** True when a WebGL context exists and is not a software rasteriser (SwiftShader, llvmpipe). */
function hardwareWebgl(): boolean {
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return false;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    return !/swiftshader|llvmpipe|software/i.test(renderer);
  } catch {
    return false;
  }
}

/**
 * Sets up onnxruntime-web and TensorFlow.js and loads the detector, the embedder and the emotion model.
 * @throws {ModelLoadError} (from the model packages) when a model file cannot be fetched or parsed.
 */
export async function loadEngine(options: EngineOptions): Promise<Engine> {
  const t0 = performance.now();
  const status = options.onStatus ?? (() => {});
  const ort = await import('onnxruntime-web');
  const threads = globalThis.crossOriginIsolated ? Math.max(1, Math.floor(options.ortThreads ?? 1)) : 1;
  ort.env.wasm.wasmPaths = new URL('ort/', options.base).href;
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.proxy = !!options.ortProxy;

  status('starting TensorFlow.js');
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  const tfWasm = await import('@tensorflow/tfjs-backend-wasm');
  tfWasm.setWasmPaths(new URL('tfjs/', options.base).href);
  // The emotion model is small: one thread is enough, and the threaded build's worker (made from a Function's source
  // text) does not survive minification.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  let choice = options.tfBackend ?? 'auto';
  if (choice === 'auto') choice = hardwareWebgl() ? 'webgl' : 'wasm';
  if (choice === 'webgl') await import('@tensorflow/tfjs-backend-webgl');
  if (!(await tf.setBackend(choice))) await tf.setBackend(choice === 'webgl' ? 'wasm' : 'cpu');
  await tf.ready();

  const models = new URL('models/', options.base).href;
  status('loading the face detector');
  const detector = await createFaceDetector({
    detectorModel: modelUrl('detector', models),
    landmarkModel: modelUrl('landmarks', models),
    // RNet + ONet give the 5 points (refine: 'onet', the default); PNet loads with them (27 KB).
    mtcnnModels: {
      pnet: modelUrl('mtcnn-pnet', models),
      rnet: modelUrl('mtcnn-rnet', models),
      onet: modelUrl('mtcnn-onet', models),
    },
  });
  status('loading the face embedder');
  const facenet = await createFaceNet({ ...DEFAULT_FACENET_CONFIG, model: modelUrl('embedder', models) });
  status('loading the emotion model');
  const emotion = await createEmotionClassifier({
    model: { ...emotionModelSpec('human-emotion'), source: modelUrl('emotion', models) },
  });
  return {
    detector,
    facenet,
    emotion,
    threshold: DEFAULT_THRESHOLD,
    backends: `onnxruntime-web wasm ×${threads} thread${threads > 1 ? 's' : ''}${options.ortProxy ? ' (worker)' : ''}, tfjs ${tf.getBackend()}`,
    loadMs: performance.now() - t0,
  };
}
