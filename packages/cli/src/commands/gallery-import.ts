import { type Command, Option } from 'commander';
import { DEFAULT_THRESHOLD } from 'eolgul';
import { Gallery } from '@eolgul/gallery';
import { pointsFlags } from '../cli-alignment.js';
import type { CliContext } from '../cli-context.js';
import { galleryExists } from '../cli-gallery.js';
import { decimal } from '../cli-options.js';
import { printable } from '../cli-output.js';

/** `eolgul gallery import --npy <f> --csv <f>`: create or extend a gallery from an NPY + CSV pair. */
export function addGalleryImportCommand(gallery: Command, ctx: CliContext): void {
  gallery
    .command('import')
    .requiredOption('--gallery <dir>')
    .description(
      'Create or extend a gallery from an NPY + CSV pair (float32 [N, D] + image,category; the names come from <csv name>.identities.csv when it exists, as `gallery export` writes it, else from the image names <Name>_<k>.jpg).',
    )
    .requiredOption('--npy <file>')
    .requiredOption('--csv <file>')
    .addOption(
      new Option('--model-id <id>', 'embedding model the vectors come from').default('faceplugin-fr_feature-512'),
    )
    .option('--threshold <t>', 'default threshold stored with the gallery', decimal('threshold'))
    .action(async (opts: { gallery: string; npy: string; csv: string; modelId: string; threshold?: number }) => {
      const { io } = ctx;
      // The size before, so that the count printed is the rows imported, not the gallery's total.
      const existing = (await galleryExists(opts.gallery)) ? await Gallery.open(opts.gallery, {}) : undefined;
      const sizeBefore = existing?.size ?? 0;
      await existing?.close();
      const g = await Gallery.importPair(opts.gallery, opts.npy, opts.csv, {
        create: true,
        modelId: opts.modelId,
        defaultThreshold: opts.threshold ?? DEFAULT_THRESHOLD,
      });
      try {
        if (!existing)
          io.out(
            `imported ${g.size} embeddings of ${g.identities().length} identities into ${printable(opts.gallery)}`,
          );
        else
          io.out(
            `imported ${g.size - sizeBefore} embeddings into ${printable(opts.gallery)}, which now holds ${g.size} embeddings of ${g.identities().length} identities`,
          );
        // The pair holds no record of how its faces were aligned, but this gallery does: it now vouches for rows it cannot check.
        const stored = g.manifest.preprocess;
        if (stored !== undefined) {
          io.err(
            printable(
              `warning: ${opts.npy} carries no record of how its faces were aligned, and gallery ${opts.gallery} records ${pointsFlags(stored)} (preprocess ${JSON.stringify(stored)}): distances to the imported rows hold only if they were made with those flags`,
            ),
          );
        }
      } finally {
        await g.close();
      }
      ctx.setExit(0);
    });
}
