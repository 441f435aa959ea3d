import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { encodeNpy, formatCsv } from '@eolgul/core';
import { writeFileAtomic } from '@eolgul/core/node';
import { identityOf, listImages } from '../cli-files.js';
import { addFilesFromOptions, type FilesFromOptions, inputPaths } from '../cli-inputs.js';
import { defaultWorkers, embedMainFaces } from '../cli-batch.js';
import type { CliContext } from '../cli-context.js';
import { MAX_WORKERS, positive } from '../cli-options.js';
import { printable, progress } from '../cli-output.js';

/** `eolgul embed <dir> --out <prefix>`: the main face of every image → an NPY + CSV pair, and the failures' CSV. */
export function addEmbedCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('embed')
    .description(
      'Embed the main face of every image under <dir> (recursively) into <prefix>.npy (float32 [N, D], rows L2-normalised) + <prefix>.csv (image,category); images without a face go to <prefix>.failures.csv.',
    )
    .argument(
      '<dir>',
      'folder of images: <Name>/<image> sub-folders, or a flat folder of <name>_<k>.jpg (with --files-from: the folder the listed images are named after)',
    )
    .requiredOption('--out <prefix>', 'output path prefix')
    .option(
      '--workers <n>',
      `worker threads (default ${defaultWorkers()}: one per core)`,
      positive('workers', MAX_WORKERS),
    );
  addFilesFromOptions(
    command,
    'embed the images listed in this file (- = standard input) instead of every image under <dir>',
  ).action(async (dir: string, opts: { out: string; workers?: number } & FilesFromOptions) => {
    const { io } = ctx;
    const files = opts.filesFrom === undefined ? await listImages(dir) : await inputPaths([], opts);
    const ids = [...new Set(files.map((f) => identityOf(f, dir)))].sort();
    const category = new Map(ids.map((n, i) => [n, i]));
    const rows: { image: string; category: number }[] = [];
    const vecs: Float32Array[] = [];
    const failures: { image: string; reason: string }[] = [];
    const bar = progress(io, files.length, 'embed');
    const results = await embedMainFaces(ctx, files, opts.workers ?? defaultWorkers(), bar.tick);
    bar.stop();
    results.forEach((r, i) => {
      const f = files[i];
      if (r.ok) {
        rows.push({ image: path.basename(f), category: category.get(identityOf(f, dir))! });
        vecs.push(r.embedding);
      } else failures.push({ image: path.relative(dir, f), reason: `${r.code}: ${r.message}` });
    });
    const D = vecs[0]?.length ?? (await ctx.recognizer()).dimension;
    const data = new Float32Array(vecs.length * D);
    vecs.forEach((v, i) => {
      data.set(v, i * D);
    });
    await fs.mkdir(path.dirname(path.resolve(opts.out)), { recursive: true });
    await writeFileAtomic(`${opts.out}.npy`, encodeNpy(data, [vecs.length, D]), 0o644);
    await writeFileAtomic(`${opts.out}.csv`, formatCsv(rows, ['image', 'category']), 0o644);
    await writeFileAtomic(`${opts.out}.failures.csv`, formatCsv(failures, ['image', 'reason']), 0o644);
    const out = printable(opts.out);
    io.out(
      `embedded ${vecs.length} of ${files.length} images (${ids.length} identities, D=${D}) -> ${out}.npy, ${out}.csv`,
    );
    for (const f of failures) io.err(`skipped ${printable(f.image)}: ${printable(f.reason)}`);
    if (failures.length) io.err(`${failures.length} images without a face listed in ${out}.failures.csv`);
    ctx.setExit(vecs.length === 0 && files.length > 0 ? 1 : 0);
  });
}
