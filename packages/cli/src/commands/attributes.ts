import type { Command } from 'commander';
import { createAttributeEstimator, type FaceAttributes } from '@eolgul/attributes';
import { NoFaceError } from '@eolgul/core';
import { DETECTION_MAX_SIDE, readImage } from 'eolgul/node';
import type { CliContext } from '../cli-context.js';
import { addFilesFromOptions, type FilesFromOptions, inputPaths } from '../cli-inputs.js';
import { errorObject, printable, reasonOf, round } from '../cli-output.js';

/** What `attributes` (and `identify --attributes`) print for one face: age, gender, its probability, head pose. */
export function attributesAnswer(a: FaceAttributes) {
  return {
    age: round(a.age, 1),
    gender: a.gender,
    genderScore: round(a.genderScore, 3),
    pose: { yaw: round(a.pose.yaw, 1), pitch: round(a.pose.pitch, 1), roll: round(a.pose.roll, 1) },
  };
}

/** `eolgul attributes <image...>`: age, gender and head pose of each image's main face (or of face crops, --aligned). */
export function addAttributesCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('attributes')
    .description(
      "Age (years), gender and head pose (yaw, pitch, roll in degrees; yaw > 0 turned toward the image's right) of the main face of each image.",
    )
    .option(
      '--json',
      'one JSON object per input image per line, in input order: {image, age, gender, genderScore, pose: {yaw, pitch, roll}}, or {image, error: {code, message}}',
    )
    .option('--aligned', 'each image is an already-cropped face (no detection)')
    .argument('[image...]', 'image files');
  addFilesFromOptions(command).action(
    async (args: string[], opts: { json?: boolean; aligned?: boolean } & FilesFromOptions) => {
      const { io } = ctx;
      const images = await inputPaths(args, opts);
      // --aligned: each image is a face crop, taken whole; otherwise the front door finds the main face.
      const estimator = opts.aligned ? await createAttributeEstimator() : undefined;
      if (estimator) ctx.onClose(() => estimator.dispose());
      const recognizer = opts.aligned ? undefined : await ctx.recognizer({ attributes: true });
      let failed = 0;
      for (const f of images) {
        try {
          const a = estimator
            ? await estimator.estimate(await readImage(f, { maxSide: DETECTION_MAX_SIDE }))
            : (await recognizer!.analyse(f, { mainFace: true })).faces[0]?.attributes;
          if (!a) throw new NoFaceError(f);
          const answer = attributesAnswer(a);
          if (opts.json) io.out(JSON.stringify({ image: f, ...answer }));
          else
            io.out(
              `${printable(f)}: ${answer.gender} (${answer.genderScore}), ${answer.age} years, yaw ${answer.pose.yaw}° pitch ${answer.pose.pitch}° roll ${answer.pose.roll}°`,
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
