import type { EmbedderPrecision, FaceRecognizer, FaceRecognizerConfig } from 'eolgul';
import type { Alignment, DetectorName, RefineMode } from './cli-alignment.js';
import type { CliIo } from './cli-output.js';

/** Exit codes: 0 success, 1 some input failed (reported on stderr), 2 usage or fatal error. */
export type ExitCode = 0 | 1 | 2;

/** The recognizer options a command chooses; detector, landmarks and precision come from the global flags. */
export type RecognizerOptions = Omit<FaceRecognizerConfig, 'detector' | 'landmarks' | 'precision'>;

/** What every command gets from the program: where to write, how to end, the global options, the models. */
export interface CliContext {
  readonly io: CliIo;
  /** Records the exit code of the command that ran. */
  setExit(code: ExitCode): void;
  /** The global flags `--detector`, `--refine` and `--precision`. */
  flags(): { detector: DetectorName; refine: RefineMode; precision: EmbedderPrecision };
  /** The alignment the global flags choose. */
  alignment(): Alignment;
  /**
   * Loads the models through the front door (`createFaceRecognizer` of `eolgul`) with this run's detector, landmarks
   * and precision and `options`; the recognizer is disposed when the command ends, however it ends.
   */
  recognizer(options?: RecognizerOptions): Promise<FaceRecognizer>;
  /**
   * Runs `close` when the command ends, however it ends. Closers and recognizers are released last first: a gallery
   * opened before the recognizer that searches it is closed after the recognizer is disposed.
   */
  onClose(close: () => Promise<void>): void;
}
