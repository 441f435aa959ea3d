import { createRequire } from 'node:module';
import { Command, Option } from 'commander';
import { createFaceRecognizer, type EmbedderPrecision } from 'eolgul';
import { alignmentOf, type DetectorName, type RefineMode, recognizerChoice } from './cli-alignment.js';
import type { CliContext, ExitCode } from './cli-context.js';
import { type CliIo, defaultIo, printable, reasonOf } from './cli-output.js';
import { addAttributesCommand } from './commands/attributes.js';
import { addCheckCommand } from './commands/check.js';
import { addEmbedCommand } from './commands/embed.js';
import { addEmotionCommand } from './commands/emotion.js';
import { addEnrollCommand } from './commands/enroll.js';
import { addGalleryExportCommand } from './commands/gallery-export.js';
import { addGalleryImportCommand } from './commands/gallery-import.js';
import { addGalleryListCommand } from './commands/gallery-list.js';
import { addGalleryRemoveCommand } from './commands/gallery-remove.js';
import { addGalleryRenameCommand } from './commands/gallery-rename.js';
import { addIdentifyCommand } from './commands/identify.js';
import { addLfwEvalCommand } from './commands/lfw-eval.js';
import { addLfwFilterCommand } from './commands/lfw-filter.js';
import { addLivenessCommand } from './commands/liveness.js';
import { addVerifyCommand } from './commands/verify.js';
import { addWatchCommand } from './commands/watch.js';

export type { CliIo } from './cli-output.js';
export type { ExitCode } from './cli-context.js';

/**
 * Builds the `eolgul` command-line program. Commands: embed, enroll, identify, watch, verify, emotion, liveness,
 * attributes, lfw eval,
 * lfw filter, check, gallery list|remove|rename|export|import (one file each under `commands/`). See the package
 * README for the contract. The models a command loaded are freed after it succeeds; use {@link runCli} to free them
 * whatever happens.
 * @param io output sinks (stdout/stderr by default).
 * @param setExit receives the exit code of the command that ran.
 */
export function buildProgram(io: CliIo = defaultIo, setExit: (code: ExitCode) => void = () => {}): Command {
  return createProgram(io, setExit).program;
}

/** The program and a `close` that releases what its command opened (models, worker threads, galleries). */
function createProgram(rawIo: CliIo, setExit: (code: ExitCode) => void) {
  // stderr is always text for a person: whatever a message quotes (commander echoes arguments as typed) is escaped,
  // its line breaks kept. stdout is escaped where each command prints names and paths as text, never in --json.
  const io: CliIo = { ...rawIo, err: (l) => rawIo.err(l.split('\n').map(printable).join('\n')) };
  const program = new Command('eolgul')
    .description(
      'Face recognition on the command line: detect, align, embed, enroll, identify, verify, emotion, LFW evaluation.',
    )
    .version(cliVersion(), '-V, --version', 'print the eolgul version')
    // One line after a usage error (the whole help pushed the error off the screen); each command's help lists the
    // options that go before it (--precision, --detector, …) as global options.
    .showHelpAfterError("(run 'eolgul --help', or 'eolgul <command> --help', for the options)")
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .addOption(
      new Option(
        '--refine <mode>',
        "landmarks for alignment: 'onet' = MTCNN's ONet on each detector box (about 1 ms per face; LFW pairs 99.70 %, TAR at FAR = 1e-3 99.33 %), 'none' = the 68-point model (0.2 ms; 99.60 %, 99.13 %), 'mesh' = MediaPipe FaceMesh in two passes (about 12 ms per face; 99.67 %, 99.47 %)",
      )
        .choices(['onet', 'none', 'mesh'])
        .default('onet'),
    )
    .addOption(
      new Option(
        '--detector <name>',
        "face detector: 'fr_detect' (about 3 ms per image) or 'mtcnn' (the MTCNN cascade and its own 5 points: LFW pairs 99.70 %, TAR at FAR = 1e-3 99.43 %; about 16 ms per 250 px image, finds smaller background faces)",
      )
        .choices(['fr_detect', 'mtcnn'])
        .default('fr_detect'),
    )
    .addOption(
      new Option(
        '--precision <p>',
        "embedder precision: 'fp32' or 'int8' (the int8 copy of the same embedder: the embedder about 3 times faster on CPUs with 8-bit dot-product instructions, a whole image about 1.6 times; same LFW accuracy to within 0.05 pt; galleries work with either)",
      )
        .choices(['fp32', 'int8'])
        .default('fp32'),
    );

  const flags = () => program.opts<{ refine: RefineMode; detector: DetectorName; precision: EmbedderPrecision }>();
  const closers: (() => Promise<void>)[] = [];
  const ctx: CliContext = {
    io,
    setExit,
    flags: () => ({ detector: flags().detector, refine: flags().refine, precision: flags().precision }),
    alignment: () => alignmentOf(flags().detector, flags().refine),
    async recognizer(options = {}) {
      const recognizer = await createFaceRecognizer({
        ...options,
        ...recognizerChoice(flags().detector, flags().refine),
        precision: flags().precision,
      });
      closers.push(() => recognizer.dispose());
      return recognizer;
    },
    onClose: (close) => closers.push(close),
  };
  const close = async () => {
    let failure: unknown;
    while (closers.length > 0) await closers.pop()!().catch((err) => (failure ??= err));
    if (failure !== undefined) throw failure;
  };

  addEmbedCommand(program, ctx);
  addEnrollCommand(program, ctx);
  addIdentifyCommand(program, ctx);
  addWatchCommand(program, ctx);
  addVerifyCommand(program, ctx);
  addEmotionCommand(program, ctx);
  addLivenessCommand(program, ctx);
  addAttributesCommand(program, ctx);
  const lfw = program.command('lfw').description('Labeled Faces in the Wild tools.');
  addLfwEvalCommand(lfw, ctx);
  addLfwFilterCommand(lfw, ctx);
  addCheckCommand(program, ctx);
  const gallery = program.command('gallery').description('Manage a gallery folder.');
  addGalleryListCommand(gallery, ctx);
  addGalleryRemoveCommand(gallery, ctx);
  addGalleryRenameCommand(gallery, ctx);
  addGalleryExportCommand(gallery, ctx);
  addGalleryImportCommand(gallery, ctx);

  program.hook('postAction', close);
  return { program, close };
}

/** The version of @eolgul/cli (from its package.json). */
function cliVersion(): string {
  try {
    return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * Runs the CLI with the given arguments (without `node` and the script name) and resolves with the exit code:
 * 0 success, 1 some input failed, 2 usage or fatal error. Errors are printed to stderr, never thrown. Models, worker
 * threads and galleries the command opened are released before it resolves, whatever happened.
 */
export async function runCli(argv: string[], io: CliIo = defaultIo): Promise<ExitCode> {
  let code: ExitCode = 0;
  const { program, close } = createProgram(io, (c) => (code = c));
  program.exitOverride();
  for (const c of program.commands) {
    c.exitOverride();
    for (const s of c.commands) s.exitOverride();
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0 ? 0 : 2;
    }
    io.err(`error: ${reasonOf(err)}`);
    return 2;
  } finally {
    await close().catch((err) => io.err(`error: ${reasonOf(err)}`));
  }
}
