import type { Command } from 'commander';
import { DEFAULT_THRESHOLD } from 'eolgul';
import type { CliContext } from '../cli-context.js';
import { decimal } from '../cli-options.js';
import { printable, round } from '../cli-output.js';

/** `eolgul verify <a> <b>`: 1:1 verification of the main faces of two images. */
export function addVerifyCommand(program: Command, ctx: CliContext): void {
  program
    .command('verify')
    .description(
      '1:1 verification: L2 distance between the main faces of two images, and same or different at the default threshold.',
    )
    .argument('<imageA>')
    .argument('<imageB>')
    .option(
      '--threshold <t>',
      `L2 distance threshold (default ${DEFAULT_THRESHOLD}, calibrated at FAR = 1e-3)`,
      decimal('threshold'),
    )
    .option(
      '--json',
      'print a JSON object: imageA, imageB, distance, threshold, same, and faceA / faceB: the face compared in each image (index, box, how many faces it has)',
    )
    .action(async (a: string, b: string, opts: { json?: boolean; threshold?: number }) => {
      const recognizer = await ctx.recognizer({ threshold: opts.threshold });
      // Each image's main face: the one on the image centre.
      const { distance, same, threshold, faceA, faceB } = await recognizer.verify(a, b);
      if (opts.json)
        ctx.io.out(JSON.stringify({ imageA: a, imageB: b, distance: round(distance), threshold, same, faceA, faceB }));
      else {
        ctx.io.out(
          `distance ${round(distance)} (threshold ${threshold}): ${same ? 'same person' : 'different people'}`,
        );
        // With several faces in an image, say which one was compared.
        for (const [image, face] of [[a, faceA] as const, [b, faceB] as const])
          if (face.faces > 1)
            ctx.io.out(
              `${printable(image)} has ${face.faces} faces: compared the main one, at ${JSON.stringify(face.box)}`,
            );
      }
      ctx.setExit(0);
    });
}
