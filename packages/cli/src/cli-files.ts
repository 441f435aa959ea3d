import * as path from 'node:path';
import { identityFromImagePath } from '@eolgul/core';
import { listImageFiles } from '@eolgul/core/node';

/** File extensions treated as images when a folder is walked: core's one list (case-insensitive). */
export { IMAGE_EXTENSIONS } from '@eolgul/core';

/**
 * Every image file under `dir`, recursively (hidden files and folders left out), as paths joined to `dir`, sorted by
 * path (code-unit order, so runs are reproducible): `listImageFiles` of `@eolgul/core/node`.
 * @throws {InvalidArgumentError} `dir` is missing, unreadable or not a folder.
 */
export async function listImages(dir: string): Promise<string[]> {
  return (await listImageFiles(dir)).map((rel) => path.join(dir, rel));
}

/**
 * The identity an image belongs to, by core's one rule (`identityFromImagePath`): the parent folder's name when the
 * image sits in a sub-folder of `root` (LFW layout `<Name>/<Name>_0001.jpg`), otherwise the file-name stem before the
 * last `_<digits>` (`<name>_<k>.jpg`), or the whole stem.
 */
export function identityOf(file: string, root: string): string {
  return identityFromImagePath(path.relative(root, file).split(path.sep).join('/'));
}
