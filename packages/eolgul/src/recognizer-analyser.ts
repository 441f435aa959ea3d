/**
 * Input → faces without a gallery: decode, then the pipeline, with faces mapped back to the input's pixels. The same
 * code runs in the calling thread and in each worker thread, so both give the same answers.
 * @module
 */
import type { FaceDetection, Point } from '@eolgul/core';
import type { DecodeInput } from './image-input.js';
import type { ResolvedConfig } from './recognizer-config.js';
import {
  createPipeline,
  type PipelineAnalyseOptions,
  type PipelineFace,
  type PipelineInfo,
} from './recognizer-pipeline.js';
import type { ImageInput } from './recognizer-types.js';

/** Faces of one input, in its pixels as displayed; no gallery match. */
export interface AnalysedImage {
  width: number;
  height: number;
  faces: PipelineFace[];
  /** Index of the main face in `faces`, -1 when there is none. */
  main: number;
}

/** Analyses inputs one by one (in this thread) or several at once (worker threads). */
export interface Analyser {
  readonly info: PipelineInfo;
  /**
   * @param input the image. @param name its name in error messages. @param options detection options.
   */
  analyse(input: ImageInput, name: string, options: PipelineAnalyseOptions): Promise<AnalysedImage>;
  dispose(): Promise<void>;
}

/**
 * A face scaled by (`sx`, `sy`): from a downscaled decode to the input's pixels or back. Boxes are rounded to 0.1 px
 * and kept inside `width` × `height`; the face is returned as it is when nothing scales.
 */
function scaleFace<F extends FaceDetection>(face: F, sx: number, sy: number, width: number, height: number): F {
  if (sx === 1 && sy === 1) return face;
  const r = (v: number) => Math.round(v * 10) / 10;
  const [x, y, w, h] = face.box;
  const x1 = Math.min(width, Math.max(0, x * sx));
  const y1 = Math.min(height, Math.max(0, y * sy));
  const x2 = Math.min(width, Math.max(0, (x + w) * sx));
  const y2 = Math.min(height, Math.max(0, (y + h) * sy));
  const map = (p: Point): Point => ({ x: p.x * sx, y: p.y * sy });
  const out: F = { ...face, box: [r(x1), r(y1), r(x2 - x1), r(y2 - y1)], landmarks: face.landmarks.map(map) };
  if (face.landmarks68) out.landmarks68 = face.landmarks68.map(map);
  return out;
}

/**
 * Loads the pipeline in this thread. Calls run one at a time, in order: the models run one image at a time anyway, and
 * queuing before the decode keeps at most one decoded image in memory however many calls are waiting.
 * @throws {ModelLoadError} a model cannot be loaded.
 */
export async function createLocalAnalyser(config: ResolvedConfig, decode: DecodeInput): Promise<Analyser> {
  const pipeline = await createPipeline(config);
  let tail: Promise<unknown> = Promise.resolve();
  const { dimension, modelId, preprocess, threshold } = pipeline;
  return {
    info: { dimension, modelId, preprocess, threshold },
    analyse(input, name, options) {
      const run = async (): Promise<AnalysedImage> => {
        const image = await decode(input, name);
        // Faces are found on the decoded image, possibly downscaled (Node: at most 4096 px a side), and reported in the
        // input's pixels; faces given in the input's pixels are mapped onto the decoded image first.
        const { width, height, sourceWidth, sourceHeight } = image;
        const [sx, sy] = [sourceWidth / width, sourceHeight / height];
        const onImage = options.faces?.map((f) => scaleFace(f, 1 / sx, 1 / sy, width, height));
        const { faces, main } = await pipeline.analyse(image, { ...options, faces: onImage });
        return {
          width: sourceWidth,
          height: sourceHeight,
          faces: faces.map((f) => scaleFace(f, sx, sy, sourceWidth, sourceHeight)),
          main,
        };
      };
      const result = tail.then(run, run);
      tail = result.catch(() => undefined);
      return result;
    },
    dispose: () => pipeline.dispose(),
  };
}
