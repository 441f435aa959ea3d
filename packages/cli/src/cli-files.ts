import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** File extensions treated as images when a folder is walked (case-insensitive). */
export const IMAGE_EXTENSIONS: readonly string[] = Object.freeze([
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.gif',
  '.avif',
  '.tif',
  '.tiff',
  '.bmp',
  '.heic',
  '.jfif',
]);

/** Every image file under `dir`, recursively, sorted by path (code-point order, so runs are reproducible). */
export async function listImages(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string): Promise<void> {
    const entries = await fs.readdir(d, { withFileTypes: true });
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (IMAGE_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) out.push(p);
    }
  }
  await walk(dir);
  return out.sort();
}

/**
 * The identity an image belongs to: the name of its parent folder when the image sits in a sub-folder of `root`
 * (LFW layout `<Name>/<Name>_0001.jpg`), otherwise the file-name stem before the last `_<digits>` (the seed's flat
 * layout `<name>_<k>.jpg`), or the whole stem when there is no such suffix.
 */
export function identityOf(file: string, root: string): string {
  const rel = path.relative(root, file);
  const parts = rel.split(path.sep);
  if (parts.length > 1) return parts[parts.length - 2];
  const stem = path.basename(file, path.extname(file));
  const m = /^(.*)_\d+$/.exec(stem);
  return m && m[1].length > 0 ? m[1] : stem;
}
