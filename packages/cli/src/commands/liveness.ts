import type { Command } from 'commander';
import { NoFaceError } from '@eolgul/core';
import type { CliContext } from '../cli-context.js';
import { addFilesFromOptions, type FilesFromOptions, inputPaths } from '../cli-inputs.js';
import { errorObject, printable, reasonOf, round } from '../cli-output.js';

/** `eolgul liveness <image...>`: passive liveness of each image's main face (a live person, or a photo of one). */
export function addLivenessCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('liveness')
    .description(
      'Passive liveness of the main face of each image (a camera frame): live, or a printed photo held to the camera. Score in [0, 1], higher = more live; live when at least 0.5.',
    )
    .option(
      '--json',
      'one JSON object per input image per line, in input order: {image, live, score}, or {image, error: {code, message}} (no face, unreadable image)',
    )
    .argument('[image...]', 'image files: whole camera frames, not face crops');
  addFilesFromOptions(command).action(async (args: string[], opts: { json?: boolean } & FilesFromOptions) => {
    const { io } = ctx;
    const images = await inputPaths(args, opts);
    const recognizer = await ctx.recognizer({ liveness: true });
    let failed = 0;
    for (const f of images) {
      try {
        const [face] = (await recognizer.analyse(f, { mainFace: true })).faces;
        if (!face?.liveness) throw new NoFaceError(f);
        const { live, score } = face.liveness;
        if (opts.json) io.out(JSON.stringify({ image: f, live, score: round(score, 4) }));
        else io.out(`${printable(f)}: ${live ? 'live' : 'not live'} (${round(score, 4)})`);
      } catch (err) {
        failed++;
        io.err(`failed ${printable(f)}: ${reasonOf(err)}`);
        if (opts.json) io.out(JSON.stringify({ image: f, error: errorObject(err) }));
      }
    }
    ctx.setExit(failed > 0 ? 1 : 0);
  });
}
