import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type Command, InvalidArgumentError as CommanderArgError } from 'commander';
import { Gallery } from '@eolgul/gallery';
import { checkEmbeddings } from '@eolgul/lfw-tools';
import type { CliContext } from '../cli-context.js';
import { printable, reasonOf } from '../cli-output.js';

/** `eolgul check`: the consistency of an NPY + CSV pair (and image folder), or of a gallery folder. */
export function addCheckCommand(program: Command, ctx: CliContext): void {
  program
    .command('check')
    .description(
      'Consistency of an embedding NPY + CSV pair (and image folder): row counts, images present, dimension, finite unit-norm rows; or of a gallery folder (--gallery: its files open consistently and every stored row is a finite unit vector). Exit code 0 only when consistent.',
    )
    .option('--npy <file>')
    .option('--csv <file>')
    .option('--images <dir>', "folder the CSV's images should be in")
    .option('--gallery <dir>', 'check a gallery folder instead of an NPY + CSV pair')
    .action(async (opts: { npy?: string; csv?: string; images?: string; gallery?: string }) => {
      if (opts.gallery) return checkGallery(ctx, opts.gallery);
      if (!opts.npy || !opts.csv) throw new CommanderArgError('check needs --npy and --csv, or --gallery');
      const r = await checkEmbeddings({ npy: opts.npy, csv: opts.csv, images: opts.images });
      ctx.io.out(
        `rows ${r.rows} (npy), ${r.csvRows} (csv), dimension ${r.dimension}: ${r.ok ? 'consistent' : 'INCONSISTENT'}`,
      );
      for (const p of r.problems) ctx.io.err(`problem: ${printable(p)}`);
      ctx.setExit(r.ok ? 0 : 1);
    });
}

/** Opens the gallery, exports it to a temporary NPY + CSV pair and checks that pair. */
async function checkGallery(ctx: CliContext, dir: string): Promise<void> {
  const { io } = ctx;
  let g: Gallery;
  try {
    g = await Gallery.open(dir, {});
  } catch (err) {
    io.out(`gallery ${printable(dir)}: INCONSISTENT`);
    io.err(`problem: ${reasonOf(err)}`);
    ctx.setExit(1);
    return;
  }
  const tmp = await mkdtemp(path.join(tmpdir(), 'eolgul-check-'));
  try {
    await g.exportPair(path.join(tmp, 'g.npy'), path.join(tmp, 'g.csv'));
    const r = await checkEmbeddings({ npy: path.join(tmp, 'g.npy'), csv: path.join(tmp, 'g.csv') });
    io.out(
      `gallery ${printable(dir)}: ${g.identities().length} identities, ${r.rows} embeddings, dimension ${r.dimension}, model ${g.modelId}: ${r.ok ? 'consistent' : 'INCONSISTENT'}`,
    );
    for (const p of r.problems) io.err(`problem: ${printable(p)}`);
    ctx.setExit(r.ok ? 0 : 1);
  } finally {
    await g.close();
    await rm(tmp, { recursive: true, force: true });
  }
}
