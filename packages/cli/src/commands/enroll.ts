import * as path from 'node:path';
import type { Command } from 'commander';
import {
  EnrollmentQualityError,
  EolgulError,
  InvalidArgumentError,
  MultipleFacesError,
  NoFaceError,
  PresentationAttackError,
} from '@eolgul/core';
import { Gallery } from '@eolgul/gallery';
import { checkEnrollmentQuality, DEFAULT_THRESHOLD, LIVENESS_THRESHOLD } from 'eolgul';
import type { CliContext } from '../cli-context.js';
import { galleryExists, recognizerForGallery } from '../cli-gallery.js';
import { addFilesFromOptions, type FilesFromOptions, inputPaths } from '../cli-inputs.js';
import { printable, quoted, reasonOf } from '../cli-output.js';

/** `eolgul enroll --gallery <dir> --name <name> <image...>`: exactly one face per image, the others refused. */
export function addEnrollCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('enroll')
    .description(
      'Enroll the faces of the images (exactly one face per image) under <name> in the gallery folder, creating it when needed. Images with no face or several faces are refused with their reason (exit code 1); the others are enrolled.',
    )
    .requiredOption('--gallery <dir>', 'gallery folder')
    .requiredOption('--name <name>', 'identity name (any Unicode)')
    .option('--liveness', 'refuse a face that passive liveness finds is not live (a printed photo held to the camera)')
    .option(
      '--quality',
      'refuse photos that fail the quality gate: small, blurred or turned face, both eyes closed, or a near-copy of another photo of this batch',
    )
    .argument('[image...]', 'image files');
  addFilesFromOptions(command).action(
    async (
      args: string[],
      opts: { gallery: string; name: string; liveness?: boolean; quality?: boolean } & FilesFromOptions,
    ) => {
      const { io } = ctx;
      // Names are data, compared as Unicode NFC with outer white space removed, so "José" typed two ways is one person.
      const name = opts.name.normalize('NFC').trim();
      if (!/[^\s\u200b-\u200d\u2060\ufeff]/u.test(name))
        throw new EolgulError('INVALID_ARGUMENT', 'the identity name is blank');
      const images = await inputPaths(args, opts);
      // An existing gallery is checked before any image is analysed: a gallery aligned otherwise refuses the whole batch.
      // A new one is made once there is something to enroll, with the loaded embedder's dimension and model.
      const checks = { liveness: !!opts.liveness, quality: !!opts.quality };
      const { recognizer, gallery: existing } = (await galleryExists(opts.gallery))
        ? await recognizerForGallery(ctx, opts.gallery, 'enroll', checks)
        : { recognizer: await ctx.recognizer(checks), gallery: undefined };
      const embeddings: Float32Array[] = [];
      const imageIds: string[] = [];
      const files: string[] = [];
      let refused = 0;
      const refuse = (file: string, err: unknown) => {
        refused++;
        io.err(`refused ${printable(file)}: ${reasonOf(err)}`);
      };
      for (const f of images) {
        try {
          // The image id is the file name: a second file with the same name would make the gallery refuse the batch.
          if (imageIds.includes(path.basename(f))) {
            throw new InvalidArgumentError(
              `image id ${JSON.stringify(path.basename(f))} (the file name) appears twice in this batch`,
            );
          }
          const { faces } = await recognizer.analyse(f);
          if (faces.length === 0) throw new NoFaceError(f);
          if (faces.length > 1) throw new MultipleFacesError(f, faces.length);
          const face = faces[0];
          // The front door's enroll rules, photo by photo: liveness first, then the quality gate (the same function).
          if (face.liveness && !face.liveness.live)
            throw new PresentationAttackError(f, face.liveness.score, LIVENESS_THRESHOLD);
          if (opts.quality) {
            const problems = checkEnrollmentQuality({
              faceCount: 1,
              face,
              sharpness: face.sharpness,
              attributes: face.attributes,
              embedding: face.embedding,
              previous: embeddings,
            });
            if (problems.length) throw new EnrollmentQualityError(f, problems);
          }
          embeddings.push(face.embedding);
          imageIds.push(path.basename(f));
          files.push(f);
        } catch (err) {
          refuse(f, err);
        }
      }
      if (embeddings.length > 0) {
        if (existing) await existing.refresh(); // another process may have enrolled while the images were analysed
        const gallery =
          existing ??
          (await Gallery.open(opts.gallery, {
            create: true,
            dimension: recognizer.dimension,
            modelId: recognizer.modelId,
            preprocess: recognizer.preprocess,
            defaultThreshold: DEFAULT_THRESHOLD,
          }));
        if (!existing) ctx.onClose(() => gallery.close());
        // Images already in the gallery are refused one by one instead of failing the whole batch.
        const enrolled = new Set(gallery.identities().flatMap((n) => gallery.imagesOf(n)));
        const keep = imageIds.map((id, i) => {
          if (!enrolled.has(id)) return true;
          refuse(
            files[i],
            new InvalidArgumentError(`image id ${JSON.stringify(id)} is already enrolled in ${opts.gallery}`),
          );
          return false;
        });
        const fresh = embeddings.filter((_, i) => keep[i]);
        if (fresh.length > 0)
          await gallery.enroll(
            name,
            fresh,
            imageIds.filter((_, i) => keep[i]),
          );
        io.out(
          `enrolled ${fresh.length} image(s) as ${quoted(name)} in ${printable(opts.gallery)} (${gallery.identities().length} identities, ${gallery.size} embeddings)`,
        );
      }
      ctx.setExit(refused > 0 ? 1 : 0);
    },
  );
}
