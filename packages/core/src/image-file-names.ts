/**
 * Which files are images and whose face an image file holds, decided by name alone (browser-safe: strings in, strings
 * out). The CLI's folder walks, `eolgul check --images`, the LFW tools and NPY + CSV pair imports all use these, so
 * that they agree.
 * @module
 */

/**
 * File extensions treated as images when a folder is walked (compared case-insensitively). A file with one of them that
 * the decoder cannot read (e.g. a HEVC `.heic`) is reported as `IMAGE_DECODE` by the command that reads it, never
 * skipped in silence.
 */
export const IMAGE_EXTENSIONS: readonly string[] = Object.freeze([
  '.jpg',
  '.jpeg',
  '.jfif',
  '.png',
  '.webp',
  '.gif',
  '.avif',
  '.tif',
  '.tiff',
  '.bmp',
  '.heic',
]);

/** The extension of a file name, lower case, with its dot (`'Photo.JPG'` → `'.jpg'`); `''` when it has none. */
function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

/** True when the file name (a name, not a path) is not hidden (does not start with `.`) and has an image extension. */
export function isImageFileName(name: string): boolean {
  return !name.startsWith('.') && IMAGE_EXTENSIONS.includes(extensionOf(name));
}

/**
 * The identity an image file belongs to, by the rule every eolgul tool uses:
 * - inside a sub-folder (LFW layout `<Name>/<Name>_0001.jpg`, or `Ada Lovelace/portrait.png`): the parent folder's name;
 * - a file at the top level (the seed project's flat layout `<name>_<k>.jpg`): the file-name stem before the last
 *   `_<digits>` (`Ariel_Sharon_0005.jpg` → `Ariel_Sharon`);
 * - otherwise the whole stem (`portrait.png` → `portrait`).
 * @param relativePath the path relative to the images folder, `/`-separated (e.g. `path.relative(root, file)` with
 *   the platform separator turned into `/`), or a bare file name.
 */
export function identityFromImagePath(relativePath: string): string {
  const parts = relativePath.split('/').filter((p) => p.length > 0);
  if (parts.length > 1) return parts[parts.length - 2];
  const base = parts[0] ?? '';
  const ext = extensionOf(base);
  const stem = ext ? base.slice(0, base.length - ext.length) : base;
  const m = /^(.+)_\d+$/su.exec(stem);
  return m ? m[1] : stem;
}
