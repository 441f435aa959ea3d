import * as path from 'node:path';
import type { Command } from 'commander';
import { EolgulError } from '@eolgul/core';
import type { CliContext } from '../cli-context.js';
import { openGallery } from '../cli-gallery.js';
import { printable } from '../cli-output.js';

/** `eolgul gallery export --out <prefix>`: the gallery as an NPY + CSV pair and its identities' CSV. */
export function addGalleryExportCommand(gallery: Command, ctx: CliContext): void {
  gallery
    .command('export')
    .requiredOption('--gallery <dir>')
    .description(
      'Export the gallery as an NPY + CSV pair: <prefix>.npy float32 [N, D], <prefix>.csv (image,category), and <prefix>.identities.csv (category,name).',
    )
    .requiredOption('--out <prefix>', 'writes <prefix>.npy, <prefix>.csv and <prefix>.identities.csv')
    .action(async (opts: { gallery: string; out: string }) => {
      const rel = path.relative(path.resolve(opts.gallery), path.resolve(path.dirname(opts.out)));
      if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
        throw new EolgulError(
          'INVALID_ARGUMENT',
          `--out ${opts.out} is inside the gallery folder ${opts.gallery}; export elsewhere`,
        );
      }
      const g = await openGallery(opts.gallery);
      try {
        await g.exportPair(`${opts.out}.npy`, `${opts.out}.csv`);
        ctx.io.out(`exported ${g.size} embeddings -> ${printable(opts.out)}.npy, ${printable(opts.out)}.csv`);
      } finally {
        await g.close();
      }
      ctx.setExit(0);
    });
}
