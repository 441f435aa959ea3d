import type { Command } from 'commander';
import { EolgulError } from '@eolgul/core';
import type { CliContext } from '../cli-context.js';
import { openGallery } from '../cli-gallery.js';

/** `eolgul gallery remove`: an identity, or one enrolled image by its id. */
export function addGalleryRemoveCommand(gallery: Command, ctx: CliContext): void {
  gallery
    .command('remove')
    .requiredOption('--gallery <dir>')
    .argument('<identityOrImage>')
    .option('--image', 'the argument is an enrolled image id')
    .option('--identity', 'the argument is an identity name')
    .description(
      'Remove an identity, or one enrolled image by its id (a string that is both must be told apart with --image or --identity).',
    )
    .action(async (id: string, opts: { gallery: string; image?: boolean; identity?: boolean }) => {
      if (opts.image && opts.identity)
        throw new EolgulError('INVALID_ARGUMENT', '--image and --identity exclude each other');
      const g = await openGallery(opts.gallery);
      try {
        const kind = opts.image ? 'image' : opts.identity ? 'identity' : undefined;
        ctx.io.out(`removed ${await g.remove(id, { kind })} embedding(s)`);
      } finally {
        await g.close();
      }
      ctx.setExit(0);
    });
}
