import type { Command } from 'commander';
import { copyFilteredPeople } from '@eolgul/lfw-tools';
import type { CliContext } from '../cli-context.js';
import { count } from '../cli-options.js';
import { printable } from '../cli-output.js';

/** `eolgul lfw filter`: copy the people with at least n images. */
export function addLfwFilterCommand(lfw: Command, ctx: CliContext): void {
  lfw
    .command('filter')
    .description(
      'Copy the people with at least <n> images into <out> (LFW layout: <Name>/<Name>_NNNN.jpg), e.g. the LFW people with 10 or more.',
    )
    .requiredOption('--images <dir>', 'LFW-layout folder')
    .requiredOption('--min <n>', 'minimum images per person', count('min'))
    .requiredOption('--out <dir>', 'output folder')
    .action(async (opts: { images: string; min: number; out: string }) => {
      const r = await copyFilteredPeople(opts.images, opts.min, opts.out);
      ctx.io.out(
        `copied ${r.people} people, ${r.images} images with at least ${opts.min} images each -> ${printable(opts.out)}`,
      );
      ctx.setExit(0);
    });
}
