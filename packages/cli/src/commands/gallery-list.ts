import type { Command } from 'commander';
import { pointsFlags } from '../cli-alignment.js';
import type { CliContext } from '../cli-context.js';
import { openGallery } from '../cli-gallery.js';
import { printable } from '../cli-output.js';

/** `eolgul gallery list`: identities, size, model, threshold and the recorded alignment. */
export function addGalleryListCommand(gallery: Command, ctx: CliContext): void {
  gallery
    .command('list')
    .requiredOption('--gallery <dir>')
    .option('--json')
    .description(
      'Identities, embedding count, dimension, model, default threshold and how the faces were aligned (the flags enroll recorded).',
    )
    .action(async (opts: { gallery: string; json?: boolean }) => {
      const { io } = ctx;
      const g = await openGallery(opts.gallery);
      try {
        const names = g.identities();
        const preprocess = g.manifest.preprocess ?? null;
        if (opts.json)
          io.out(
            JSON.stringify({
              identities: names,
              size: g.size,
              dimension: g.dimension,
              modelId: g.modelId,
              threshold: g.defaultThreshold,
              preprocess,
            }),
          );
        else {
          const aligned = preprocess === null ? 'alignment not recorded' : `aligned with ${pointsFlags(preprocess)}`;
          io.out(
            printable(
              `${names.length} identities, ${g.size} embeddings, D=${g.dimension}, model ${g.modelId}, threshold ${g.defaultThreshold}, ${aligned}`,
            ),
          );
          // One name per line, its control characters escaped (a name could otherwise add lines or drive the terminal).
          for (const n of names) io.out(printable(n));
        }
      } finally {
        await g.close();
      }
      ctx.setExit(0);
    });
}
