import type { RgbImage } from '@eolgul/core';
import type { DetectOptions } from '@eolgul/detector';
import { EolgulError } from '@eolgul/core';
import type { AnalysedFace, Pipeline } from './cli-pipeline.js';

/** What the pool does with one image: `'main'` = the main face only (embed, verify, lfw eval), `'all'` = every face. */
export type PoolMode = 'main' | 'all';

/** A job sent to a pool worker. */
export interface PoolRequest {
  id: number;
  path: string;
  mode: PoolMode;
}

/** Data every pool worker starts with. */
export interface PoolWorkerData {
  emotion: boolean;
  /** Detection options for every image. */
  detect: DetectOptions;
  /** Which face detector. */
  detector: 'fr_detect' | 'mtcnn';
}

/** A pool worker's answer for one image. */
export type PoolResult =
  | { id: number; ok: true; width: number; height: number; faces: AnalysedFace[] }
  | { id: number; ok: false; code: string; message: string };

/** Analyses one image: shared by the in-process path and the worker threads, so both give the same answers. */
export async function analyseForPool(
  pipeline: Pipeline,
  read: (path: string) => Promise<RgbImage>,
  req: PoolRequest,
): Promise<PoolResult> {
  try {
    const image = await read(req.path);
    const faces = req.mode === 'main' ? [await pipeline.mainFace(image, req.path)] : await pipeline.analyse(image);
    return { id: req.id, ok: true, width: image.width, height: image.height, faces };
  } catch (err) {
    const code = err instanceof EolgulError ? err.code : 'ERROR';
    return { id: req.id, ok: false, code, message: (err as Error).message };
  }
}
