import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError } from '@eolgul/core';
import { Gallery } from '@eolgul/gallery';
import type { FaceRecognizer, RecognizedFace } from 'eolgul';
import { pointsFlags, pointsMismatch } from './cli-alignment.js';
import type { CliContext, RecognizerOptions } from './cli-context.js';
import { printable, round } from './cli-output.js';

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
 * Opens the gallery `dir` for `command` (closed when the command ends), loads the models to search it (the front door
 * checks its dimension and model) and checks that its recorded alignment points are this run's. A gallery that
 * records none (made by `gallery import` or the library) is searched with a warning on stderr.
 * @throws {InvalidArgumentError} `dir` does not exist.
 * @throws {GalleryMismatchError} another model, or other points: the message names the flags that match the gallery.
 */
export async function recognizerForGallery(
  ctx: CliContext,
  dir: string,
  command: 'enroll' | 'identify' | 'watch',
  options: RecognizerOptions = {},
): Promise<{ recognizer: FaceRecognizer; gallery: Gallery }> {
  const gallery = await openGallery(dir);
  ctx.onClose(() => gallery.close());
  const recognizer = await ctx.recognizer({ ...options, gallery });
  const stored = gallery.manifest.preprocess;
  if (stored === undefined) {
    ctx.io.err(
      `warning: gallery ${printable(dir)} does not record how its faces were aligned (it was made by \`gallery import\` or the library): distances hold only if they were aligned as this run's (${pointsFlags(recognizer.preprocess)})`,
    );
  } else if (stored !== recognizer.preprocess) {
    throw pointsMismatch(dir, stored, recognizer.preprocess, command);
  }
  return { recognizer, gallery };
}

/** What `identify` and `watch` print for one face: box, identity (null = unknown), L2 distance, emotion. */
export function faceAnswer(face: RecognizedFace) {
  const m = face.match;
  return {
    box: face.box,
    identity: m?.accepted ? m.identity : null,
    distance: m ? round(m.distance) : null,
    emotion: face.emotion?.label ?? null,
    emotionScore: face.emotion ? round(face.emotion.score, 3) : null,
  };
}
