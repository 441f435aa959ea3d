/**
 * `@eolgul/cli`: the `eolgul` command and the composed pipeline it uses.
 * @packageDocumentation
 */
export { runCli, buildProgram, type CliIo, type ExitCode } from './cli-program.js';
export {
  createPipeline,
  RETRY_MIN_SCORE,
  type Pipeline,
  type PipelineOptions,
  type AnalysedFace,
} from './cli-pipeline.js';
export { listImages, identityOf, IMAGE_EXTENSIONS } from './cli-files.js';
export { analyseImages, defaultWorkers, type PoolOptions } from './cli-pool.js';
export type { PoolMode, PoolResult } from './cli-pool-task.js';
export { annotateImage, type Annotation } from './cli-annotate.js';
