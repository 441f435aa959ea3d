import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { openGallery } from '../cli-gallery.js';
import { quoted } from '../cli-output.js';

/** `eolgul gallery rename <old> <new>`: renaming onto an existing name merges the two. */
export function addGalleryRenameCommand(gallery: Command, ctx: CliContext): void {
  gallery
    .command('rename')
    .requiredOption('--gallery <dir>')
    .description('Rename an identity (renaming onto an existing name merges the two).')
    .argument('<old>')
    .argument('<new>')
    .action(async (oldName: string, newName: string, opts: { gallery: string }) => {
      const g = await openGallery(opts.gallery);
      try {
        await g.rename(oldName, newName);
        ctx.io.out(`renamed ${quoted(oldName)} to ${quoted(newName)}`);
      } finally {
        await g.close();
      }
      ctx.setExit(0);
    });
}
