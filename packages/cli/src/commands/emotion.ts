import type { Command } from 'commander';
import type { Box } from '@eolgul/core';
import { NoFaceError } from '@eolgul/core';
import { createEmotionClassifier, type EmotionResult } from '@eolgul/emotion';
import { DETECTION_MAX_SIDE, readImage } from 'eolgul/node';
import type { CliContext } from '../cli-context.js';
import { addFilesFromOptions, type FilesFromOptions, inputPaths } from '../cli-inputs.js';
import { errorObject, printable, reasonOf, round } from '../cli-output.js';

/** `eolgul emotion <image...>`: the expression of every face (or of already-cropped faces with --aligned). */
export function addEmotionCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('emotion')
    .description('Facial expression of every face (7 classes: angry, disgust, fear, happy, sad, surprise, neutral).')
    .option(
      '--json',
      'one JSON object per input image per line, in input order: {image, faces: [{box, emotion, scores}]} (no box with --aligned), or {image, error: {code, message}}',
    )
    .option('--aligned', 'each image is an already-cropped face (no detection)')
    .argument('[image...]', 'image files');
  addFilesFromOptions(command).action(
    async (args: string[], opts: { json?: boolean; aligned?: boolean } & FilesFromOptions) => {
      const { io } = ctx;
      const images = await inputPaths(args, opts);
      // --aligned: each image is a face crop, classified whole; otherwise the front door finds the faces.
      const classifier = opts.aligned ? await createEmotionClassifier() : undefined;
      if (classifier) ctx.onClose(() => classifier.dispose());
      const recognizer = opts.aligned ? undefined : await ctx.recognizer({ emotion: 'accurate' });
      let failed = 0;
      for (const f of images) {
        try {
          const faces: { box?: Box; emotion: EmotionResult }[] = classifier
            ? [{ emotion: await classifier.classify(await readImage(f, { maxSide: DETECTION_MAX_SIDE })) }]
            : (await recognizer!.analyse(f)).faces.map(({ box, emotion }) => ({ box, emotion: emotion! }));
          if (faces.length === 0) throw new NoFaceError(f);
          if (opts.json) {
            const answers = faces.map(({ box, emotion }) => ({
              ...(box && { box }),
              emotion: emotion.label,
              scores: roundScores(emotion.scores),
            }));
            io.out(JSON.stringify({ image: f, faces: answers }));
          } else
            for (const { box, emotion } of faces)
              io.out(
                `${printable(f)}${box ? ` ${JSON.stringify(box)}` : ''}: ${emotion.label} (${round(emotion.score, 3)})`,
              );
        } catch (err) {
          failed++;
          io.err(`failed ${printable(f)}: ${reasonOf(err)}`);
          if (opts.json) io.out(JSON.stringify({ image: f, error: errorObject(err) }));
        }
      }
      ctx.setExit(failed > 0 ? 1 : 0);
    },
  );
}

function roundScores(scores: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, round(v, 4)]));
}
