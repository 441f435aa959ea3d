import type { Command } from 'commander';
import { euclideanDistance } from '@eolgul/core';
import { DEFAULT_THRESHOLD } from '@eolgul/facenet';
import type { CliContext } from '../cli-context.js';
import { decimal } from '../cli-options.js';
import { round } from '../cli-output.js';
import { readForDetection } from '../cli-pipeline.js';

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
    .option('--json', 'print a JSON object')
    .action(async (a: string, b: string, opts: { json?: boolean; threshold?: number }) => {
      const p = await ctx.pipeline();
      const fa = await p.mainFace(await readForDetection(a), a);
      const fb = await p.mainFace(await readForDetection(b), b);
      const distance = euclideanDistance(fa.embedding, fb.embedding);
      const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
      const same = distance <= threshold;
      if (opts.json) ctx.io.out(JSON.stringify({ imageA: a, imageB: b, distance: round(distance), threshold, same }));
      else
        ctx.io.out(
          `distance ${round(distance)} (threshold ${threshold}): ${same ? 'same person' : 'different people'}`,
        );
      ctx.setExit(0);
    });
}
