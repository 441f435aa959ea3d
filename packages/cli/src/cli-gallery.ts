import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError } from '@eolgul/core';
import { Gallery } from '@eolgul/gallery';
import { galleryPreprocess, pointsFlags, pointsMismatch } from './cli-alignment.js';
import type { CliContext } from './cli-context.js';
import { printable, round } from './cli-output.js';
import type { AnalysedFace, Pipeline } from './cli-pipeline.js';

/**
 * Refuses a gallery path that does not exist with a message that says how galleries are made (Gallery.open would call it
 * a corrupt gallery without a manifest). An existing folder goes on to Gallery.open, which judges its contents.
 * @throws {InvalidArgumentError} `dir` does not exist.
 */
export async function requireGalleryDir(dir: string): Promise<void> {
  if (!(await fs.stat(dir).catch(() => undefined))) {
    throw new InvalidArgumentError(
      `no gallery at ${dir} (no such folder); \`eolgul enroll --gallery ${dir} --name <name> <image...>\` creates one, \`eolgul gallery import\` makes one from an NPY + CSV pair`,
    );
  }
}

/** Whether `dir` holds a gallery (its manifest). */
export async function galleryExists(dir: string): Promise<boolean> {
  return !!(await fs.stat(path.join(dir, 'manifest.json')).catch(() => undefined));
}

/** Opens an existing gallery folder whatever its model and alignment (`gallery` subcommands, `check`). */
export async function openGallery(dir: string): Promise<Gallery> {
  await requireGalleryDir(dir);
  return Gallery.open(dir, {});
}

/**
 * Opens the gallery `dir` for `command` and checks that its recorded alignment points are this run's (see
 * `galleryPreprocess`). A gallery that records none (made by `gallery import` or the library) opens with a warning on
 * stderr. Returns undefined when `ifExists` is set and `dir` holds no gallery yet.
 * @throws {GalleryMismatchError} other points, or a gallery enrolled before the CLI recorded them; the message names
 *   the flags that match the gallery and what to do.
 */
export async function openGalleryWithPoints(
  ctx: CliContext,
  dir: string,
  p: Pipeline,
  command: 'enroll' | 'identify' | 'watch',
  ifExists = false,
): Promise<Gallery | undefined> {
  if (ifExists && !(await galleryExists(dir))) return undefined;
  await requireGalleryDir(dir);
  const wanted = galleryPreprocess(p.facenet.preprocess, ctx.alignment());
  const gallery = await Gallery.open(dir, { dimension: p.facenet.dimension, modelId: p.facenet.modelId });
  const stored = gallery.manifest.preprocess;
  if (stored === undefined) {
    ctx.io.err(
      `warning: gallery ${printable(dir)} does not record how its faces were aligned (it was made by \`gallery import\` or the library): distances hold only if they were aligned as this run's (${pointsFlags(wanted)})`,
    );
  } else if (stored !== wanted) {
    await gallery.close();
    throw pointsMismatch(dir, stored, wanted, command);
  }
  return gallery;
}

/** What `identify` and `watch` print for one face: box, identity (null = unknown), L2 distance, emotion. */
export function faceAnswer(gallery: Gallery, face: AnalysedFace, threshold: number) {
  const [m] = gallery.identify(face.embedding, { threshold, k: 1 });
  return {
    box: face.box,
    identity: m?.accepted ? m.identity : null,
    distance: m ? round(m.distance) : null,
    emotion: face.emotion?.label ?? null,
    emotionScore: face.emotion ? round(face.emotion.score, 3) : null,
  };
}
