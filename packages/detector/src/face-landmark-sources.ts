/**
 * The models that place the 5 alignment points, each loaded once: when the detector is created for the configured
 * source, otherwise on the first call that asks for it (a failed load is retried on the next call).
 * @module
 */
import type { InferenceModel } from '@eolgul/runtime';
import { loadDetectorModel } from './detector-models.js';
import { createMtcnn, type Mtcnn } from './face-detector-mtcnn.js';
import type { FaceDetectorConfig, LandmarksSource } from './face-detector.js';

/** A value loaded once, on first use; a failed load is forgotten so the next use tries again. */
interface Once<T> {
  get(): Promise<T>;
  /** The value when it was loaded, else undefined. */
  loaded(): Promise<T | undefined>;
}

function once<T>(load: () => Promise<T>): Once<T> {
  let p: Promise<T> | undefined;
  return {
    get() {
      p ??= load().catch((err: unknown) => {
        p = undefined;
        throw err;
      });
      return p;
    },
    loaded: async () => p?.catch(() => undefined),
  };
}

/** The landmark models of one face detector. */
export interface LandmarkSources {
  /** The 68-point model. */
  landmarks68: Once<InferenceModel>;
  /** MTCNN's RNet and ONet, for ONet's points on another detector's boxes. */
  onet: Once<Mtcnn>;
  /** FaceMesh (TensorFlow.js). */
  mesh: Once<InferenceModel>;
  /** Frees whatever was loaded. */
  dispose(): Promise<void>;
}

/**
 * Sets up the landmark models of a detector and loads the ones it needs from the start: for the RFB-320 detector the
 * 68-point model (the fallback of ONet's points, and the seed of FaceMesh's crops) and the configured source; for
 * MTCNN, which has its own ONet points, only FaceMesh when it is configured.
 * @throws {ModelLoadError} when a model loaded now cannot be loaded (those loaded so far are freed).
 */
export async function createLandmarkSources(
  config: FaceDetectorConfig,
  kind: 'rfb320' | 'mtcnn',
  landmarks: LandmarksSource,
): Promise<LandmarkSources> {
  const sources: LandmarkSources = {
    onet: once(() =>
      createMtcnn({
        modelBasePath: config.modelBasePath,
        onProgress: config.onProgress,
        threads: config.threads,
        models: config.mtcnnModels,
        nets: 'refine',
      }),
    ),
    landmarks68: once(() => loadDetectorModel('landmarks68', config.landmarkModel, config)),
    mesh: once(() => loadDetectorModel('facemesh', config.meshModel, config, { backend: 'tfjs' })),
    async dispose() {
      await (await this.onet.loaded())?.dispose();
      await (await this.landmarks68.loaded())?.dispose();
      await (await this.mesh.loaded())?.dispose();
    },
  };
  try {
    if (kind === 'rfb320' && landmarks === 'onet') await sources.onet.get();
    if (kind === 'rfb320') await sources.landmarks68.get();
    if (landmarks === 'mesh') await sources.mesh.get();
  } catch (err) {
    await sources.dispose();
    throw err;
  }
  return sources;
}
