/**
 * Input → faces without a gallery: decode, then the pipeline, with faces mapped back to the input's pixels. The same
 * code runs in the calling thread and in each worker thread, so both give the same answers.
 * @module
 */
import { toSourcePixels } from '@eolgul/detector';
import type { ModelName } from '@eolgul/models';
import type { ModelSource } from '@eolgul/runtime';
import type { DecodeInput, DecodedInput } from './image-input.js';
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

/** The image as `toSourcePixels` sees it with source and decoded sizes swapped: it then maps source → decoded. */
const swapSizes = (image: DecodedInput) => ({
  width: image.sourceWidth,
  height: image.sourceHeight,
  sourceWidth: image.width,
  sourceHeight: image.height,
});

/**
 * Loads the pipeline in this thread. Calls run one at a time, in order: the models run one image at a time anyway, and
 * queuing before the decode keeps at most one decoded image in memory however many calls are waiting.
 * @throws {ModelLoadError} a model cannot be loaded.
 */
export async function createLocalAnalyser(
  config: ResolvedConfig,
  decode: DecodeInput,
  source: (name: ModelName) => ModelSource,
): Promise<Analyser> {
  const pipeline = await createPipeline(config, source);
  let tail: Promise<unknown> = Promise.resolve();
  const { dimension, modelId, preprocess } = pipeline;
  return {
    info: { dimension, modelId, preprocess },
    analyse(input, name, options) {
      const run = async (): Promise<AnalysedImage> => {
        const image = await decode(input, name);
        // Faces given in the input's pixels are mapped onto the decoded (possibly downscaled) image.
        const onImage = options.faces?.map((f) => toSourcePixels(f, swapSizes(image)));
        const { faces, main } = await pipeline.analyse(image, { ...options, faces: onImage });
        return {
          width: image.sourceWidth,
          height: image.sourceHeight,
          faces: faces.map((f) => toSourcePixels(f, image)),
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
