import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { toSourcePixels } from '@eolgul/detector';
import { DEFAULT_THRESHOLD } from '@eolgul/facenet';
import { Gallery } from '@eolgul/gallery';
import { annotateImage } from '../cli-annotate.js';
import type { CliContext } from '../cli-context.js';
import { faceAnswer, openGalleryWithPoints } from '../cli-gallery.js';
import { decimal } from '../cli-options.js';
import { reasonOf, textTable } from '../cli-output.js';

/** `eolgul identify --gallery <dir> <image...>`: every face of every image against the gallery. */
export function addIdentifyCommand(program: Command, ctx: CliContext): void {
  program
    .command('identify')
    .description(
      'Identify every face in every image against the gallery: box, identity or unknown, L2 distance, emotion.',
    )
    .requiredOption('--gallery <dir>', 'gallery folder')
    .option(
      '--threshold <t>',
      "L2 distance above which a face is unknown (default: the gallery's, calibrated at FAR = 1e-3)",
      decimal('threshold'),
    )
    .option('--json', 'one JSON object per face per line')
    .option('--annotate <dir>', 'write each image with boxes and labels into this folder')
    .argument('<image...>', 'image files')
    .action(
      async (images: string[], opts: { gallery: string; threshold?: number; json?: boolean; annotate?: string }) => {
        const { io } = ctx;
        const p = await ctx.pipeline(true);
        // An existing empty folder is a gallery with nobody enrolled yet: every face is unknown, nothing is written.
        // A path that does not exist stays an error (a typo must not read as "nobody known").
        const isEmptyDir = (await fs.readdir(opts.gallery).catch(() => undefined))?.length === 0;
        const gallery = isEmptyDir
          ? Gallery.inMemory({
              dimension: p.facenet.dimension,
              modelId: p.facenet.modelId,
              defaultThreshold: DEFAULT_THRESHOLD,
            })
          : (await openGalleryWithPoints(ctx, opts.gallery, p, 'identify'))!;
        const threshold = opts.threshold ?? gallery.defaultThreshold;
        const table = textTable(io, ['image', 'box [x, y, w, h]', 'identity', 'distance', 'emotion']);
        let failed = 0;
        try {
          for (const f of images) {
            try {
              const { image, faces } = await p.analyseFile(f);
              if (faces.length === 0 && !opts.json) table.push([f, '-', 'no face', '-', '-']);
              const labels = [];
              for (const face of faces) {
                // Box in file pixels (the image may have been decoded downscaled).
                const row = {
                  image: f,
                  ...faceAnswer(gallery, { ...face, box: toSourcePixels(face, image).box }, threshold),
                };
                const identity = row.identity;
                if (opts.json) io.out(JSON.stringify(row));
                else
                  table.push([
                    f,
                    JSON.stringify(row.box),
                    identity ?? 'unknown',
                    row.distance ?? '-',
                    `${row.emotion} ${row.emotionScore}`,
                  ]);
                labels.push({
                  box: face.box,
                  label: `${identity ?? 'unknown'} ${row.distance ?? ''} ${row.emotion ?? ''}`,
                  color: identity ? '#1a9850' : '#d73027',
                });
              }
              if (opts.annotate) {
                await fs.mkdir(opts.annotate, { recursive: true });
                const name = `${path.basename(f, path.extname(f))}.annotated.jpg`;
                await fs.writeFile(path.join(opts.annotate, name), await annotateImage(image, labels));
              }
            } catch (err) {
              failed++;
              io.err(`failed ${f}: ${reasonOf(err)}`);
            }
          }
        } finally {
          await gallery.close();
        }
        if (!opts.json) io.out(table.toString());
        ctx.setExit(failed > 0 ? 1 : 0);
      },
    );
}
