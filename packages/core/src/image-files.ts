import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError } from './errors.js';
import { isImageFileName } from './image-file-names.js';

/**
 * Lists the image files under `dir`, recursively (Node-only, `@eolgul/core/node`): files whose name passes
 * `isImageFileName` (an image extension, not hidden), in folders that are not hidden. Entries that are not regular
 * files (a FIFO, a broken symbolic link) are listed too, for the reader to report; symbolic links to folders are not
 * followed (no cycles).
 * @returns paths relative to `dir`, `/`-separated, sorted by code unit (so runs are reproducible); join them with
 *   `dir` to open them, pass them to `identityFromImagePath` for their identity.
 * @throws {InvalidArgumentError} `dir` is missing, unreadable or not a folder.
 */
export async function listImageFiles(dir: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    if (!(await fs.stat(dir)).isDirectory()) throw new InvalidArgumentError(`images folder ${dir} is not a folder`);
    entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw err;
    throw new InvalidArgumentError(`cannot read images folder ${dir}: ${(err as Error).message}`);
  }
  const out: string[] = [];
  for (const e of entries) {
    const full = path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
    const rel = path.relative(dir, full).split(path.sep).join('/');
    const parts = rel.split('/');
    if (parts.slice(0, -1).some((p) => p.startsWith('.')) || !isImageFileName(parts[parts.length - 1])) continue;
    if (e.isDirectory()) continue;
    // Anything else with an image name is listed, so that the command that reads it reports what it is (a FIFO, a
    // broken link) instead of leaving it out in silence; links to folders are not followed.
    if (e.isSymbolicLink() && (await fs.stat(full).catch(() => undefined))?.isDirectory()) continue;
    out.push(rel);
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
