import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  IMAGE_EXTENSIONS as CORE_IMAGE_EXTENSIONS,
  InvalidArgumentError,
  isImageFileName as coreIsImageFileName,
} from '@eolgul/core';

/**
 * Selecting the LFW people with at least n images (the seed project's `lfw_over_10` folder), Node-only.
 * @module
 */

/**
 * File extensions counted as images: the one list of `@eolgul/core`, which the CLI's folder walks use too.
 * @deprecated Import `IMAGE_EXTENSIONS` from `@eolgul/core`.
 */
export const IMAGE_EXTENSIONS: readonly string[] = CORE_IMAGE_EXTENSIONS;

/**
 * True when the file name has one of the image extensions and is not hidden (does not start with `.`).
 * @deprecated Import `isImageFileName` from `@eolgul/core`.
 */
export const isImageFileName: (name: string) => boolean = coreIsImageFileName;

/** A person of an LFW-layout folder and their images. */
export interface LfwPerson {
  /** The person's folder name, e.g. `"Ariel_Sharon"`. */
  name: string;
  /** Image paths relative to the images folder, `"<Name>/<file>"`, sorted by file name. */
  images: string[];
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Lists the people of an LFW-layout folder (`<imagesDir>/<Name>/<Name>_NNNN.jpg`) that have at least `minImages`
 * images. Every sub-folder is a person; the images are the files directly inside it with an image extension
 * ({@link IMAGE_EXTENSIONS}); hidden files and folders (name starting with `.`) and files at the top level are ignored.
 * Symbolic links to folders and files are followed.
 * @param imagesDir the LFW images folder (the one holding one folder per person).
 * @param minImages minimum number of images, a positive integer (10 for the seed's `lfw_over_10`).
 * @returns the people sorted by name, each with their images sorted by file name.
 * @throws {InvalidArgumentError} `minImages` is not a positive integer, or `imagesDir` is not a readable folder.
 * @example
 * ```ts
 * const people = await filterPeople('lfw/images', 10);
 * // [{ name: 'Abdullah_Gul', images: ['Abdullah_Gul/Abdullah_Gul_0001.jpg', ...] }, ...] (118 people on lfw-subset)
 * ```
 */
export async function filterPeople(imagesDir: string, minImages: number): Promise<LfwPerson[]> {
  if (!Number.isSafeInteger(minImages) || minImages < 1) {
    throw new InvalidArgumentError(`minimum number of images must be a positive integer, got ${minImages}`);
  }
  let entries: string[];
  try {
    entries = await fs.readdir(imagesDir);
  } catch (err) {
    throw new InvalidArgumentError(`cannot read images folder ${imagesDir}: ${(err as Error).message}`);
  }
  const people: LfwPerson[] = [];
  for (const name of entries.sort()) {
    if (name.startsWith('.')) continue;
    const dir = path.join(imagesDir, name);
    if (!(await isDirectory(dir))) continue;
    const files: string[] = [];
    for (const file of (await fs.readdir(dir)).sort()) {
      if (!isImageFileName(file)) continue;
      const st = await fs.stat(path.join(dir, file)).catch(() => undefined);
      if (st?.isFile()) files.push(`${name}/${file}`);
    }
    if (files.length >= minImages) people.push({ name, images: files });
  }
  return people;
}

/**
 * Copies the people of {@link filterPeople} into `outDir`, keeping the LFW layout (`<outDir>/<Name>/<file>`).
 * Existing files of the same name in `outDir` are overwritten; other files there are left alone.
 * @param imagesDir the LFW images folder.
 * @param minImages minimum number of images per person (positive integer).
 * @param outDir destination folder, created when needed; must not be `imagesDir` or inside it.
 * @returns the number of people and images copied.
 * @throws {InvalidArgumentError} as {@link filterPeople}, or `outDir` is `imagesDir` or inside it.
 * @throws the file system error (e.g. `EACCES`, `ENOSPC`) when a copy fails.
 */
export async function copyFilteredPeople(
  imagesDir: string,
  minImages: number,
  outDir: string,
): Promise<{ people: number; images: number }> {
  const from = path.resolve(imagesDir);
  const to = path.resolve(outDir);
  const rel = path.relative(from, to);
  const outside = rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
  if (!outside) {
    throw new InvalidArgumentError(`output folder ${outDir} must not be the images folder ${imagesDir} or inside it`);
  }
  const people = await filterPeople(imagesDir, minImages);
  const jobs: string[] = [];
  for (const p of people) {
    await fs.mkdir(path.join(to, p.name), { recursive: true });
    jobs.push(...p.images);
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const rel = jobs[next++];
      await fs.copyFile(path.join(from, rel), path.join(to, rel));
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, jobs.length) }, worker));
  return { people: people.length, images: jobs.length };
}
