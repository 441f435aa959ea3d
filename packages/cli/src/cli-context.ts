import type { DetectOptions } from '@eolgul/detector';
import type { EmotionClassifierConfig } from '@eolgul/emotion';
import type { Alignment, DetectorName } from './cli-alignment.js';
import type { CliIo } from './cli-output.js';
import type { Pipeline } from './cli-pipeline.js';

/** Exit codes: 0 success, 1 some input failed (reported on stderr), 2 usage or fatal error. */
export type ExitCode = 0 | 1 | 2;

/** What every command gets from the program: where to write, how to end, the global options, the models. */
export interface CliContext {
  readonly io: CliIo;
  /** Records the exit code of the command that ran. */
  setExit(code: ExitCode): void;
  /** The detector chosen by `--detector`. */
  detector(): DetectorName;
  /** Detection options from the global flags (`--refine`), for every command that detects. */
  detectOptions(): DetectOptions;
  /** The alignment `--detector` and `--refine` choose. */
  alignment(): Alignment;
  /**
   * The models, loaded once per run on first use with this run's detector and landmarks (and the emotion classifier
   * when asked for), disposed after the command.
   */
  pipeline(emotion?: boolean | EmotionClassifierConfig): Promise<Pipeline>;
}
