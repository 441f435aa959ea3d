import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { annotateImage } from 'eolgul/node';
import type { CliContext } from '../cli-context.js';
import { faceAnswer, recognizerForGallery } from '../cli-gallery.js';
import { attributesAnswer } from './attributes.js';
import { addFilesFromOptions, type FilesFromOptions, inputPaths } from '../cli-inputs.js';
import { decimal } from '../cli-options.js';
import { errorObject, printable, reasonOf, round, textTable } from '../cli-output.js';

interface IdentifyOptions extends FilesFromOptions {
  gallery: string;
  threshold?: number;
  json?: boolean;
  annotate?: string;
  emotion: boolean;
  liveness?: boolean;
  attributes?: boolean;
}

/** `eolgul identify --gallery <dir> <image...>`: every face of every image against the gallery. */
export function addIdentifyCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('identify')
    .description(
      'Identify every face in every image against the gallery: box, identity or unknown, L2 distance, emotion.',
    )
    .requiredOption('--gallery <dir>', 'gallery folder')
    .option(
      '--threshold <t>',
      "L2 distance above which a face is unknown (default: the gallery's, calibrated at FAR = 1e-3)",
      decimal('threshold'),
    )
    .option(
      '--json',
      'one JSON object per input image per line, in input order: {image, width, height, faces: [{box, identity, distance, emotion, emotionScore}]}, or {image, error: {code, message}} for an image that could not be analysed',
    )
    .option('--annotate <dir>', 'write each image with boxes and labels into this folder')
    .option('--no-emotion', 'skip the expression (emotion and emotionScore are null); several times faster')
    .option('--liveness', 'add live and liveScore (passive liveness, in [0, 1]) to each face')
    .option('--attributes', 'add age, gender, genderScore and pose {yaw, pitch, roll} (degrees) to each face')
    .argument('[image...]', 'image files');
  addFilesFromOptions(command).action(async (args: string[], opts: IdentifyOptions) => {
    const { io } = ctx;
    const images = await inputPaths(args, opts);
    const options = {
      emotion: opts.emotion,
      threshold: opts.threshold,
      liveness: !!opts.liveness,
      attributes: !!opts.attributes,
    };
    // An existing empty folder is a gallery with nobody enrolled yet: every face is unknown, nothing is written.
    // A path that does not exist stays an error (a typo must not read as "nobody known").
    const isEmptyDir = (await fs.readdir(opts.gallery).catch(() => undefined))?.length === 0;
    const recognizer = isEmptyDir
      ? await ctx.recognizer(options)
      : (await recognizerForGallery(ctx, opts.gallery, 'identify', options)).recognizer;
    const table = textTable(io, ['image', 'box [x, y, w, h]', 'identity', 'distance', 'emotion']);
    let failed = 0;
    for (const f of images) {
      try {
        // Boxes in the file's pixels as displayed, whatever size it was decoded at.
        const { width, height, faces } = await recognizer.analyse(f);
        const answers = faces.map((face) => ({
          ...faceAnswer(face),
          ...(face.liveness && { live: face.liveness.live, liveScore: round(face.liveness.score, 4) }),
          ...(face.attributes && attributesAnswer(face.attributes)),
        }));
        if (opts.annotate) {
          const labels = answers.map((a) => ({
            box: a.box,
            label: `${a.identity ?? 'unknown'} ${a.distance ?? ''} ${a.emotion ?? ''}`,
            color: a.identity ? '#1a9850' : '#d73027',
          }));
          await fs.mkdir(opts.annotate, { recursive: true });
          const name = `${path.basename(f, path.extname(f))}.annotated.jpg`;
          await fs.writeFile(path.join(opts.annotate, name), await annotateImage(f, labels));
        }
        if (opts.json) io.out(JSON.stringify({ image: f, width, height, faces: answers }));
        else if (answers.length === 0) table.push([printable(f), '-', 'no face', '-', '-']);
        else
          for (const a of answers) {
            const emotion = a.emotion === null ? '-' : `${a.emotion} ${a.emotionScore}`;
            table.push([
              printable(f),
              JSON.stringify(a.box),
              printable(a.identity ?? 'unknown'),
              a.distance ?? '-',
              emotion,
            ]);
          }
      } catch (err) {
        failed++;
        io.err(`failed ${printable(f)}: ${reasonOf(err)}`);
        if (opts.json) io.out(JSON.stringify({ image: f, error: errorObject(err) }));
      }
    }
    if (!opts.json) io.out(table.toString());
    ctx.setExit(failed > 0 ? 1 : 0);
  });
}
