// Image selection shared by the benchmarks (bench-pipeline, bench-detectors).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every image under `dir` (one sub-folder per identity), as `<Name>/<file>` sorted in code-point order; with `limit`,
 * the images at indices floor(i · total / limit) for i = 0 … limit − 1 (spread evenly over the sorted list, so over the
 * identities). Returns absolute paths and the relative names.
 * @param {string} dir @param {number} [limit]
 */
export function listImages(dir, limit) {
  const all = [];
  for (const name of readdirSync(dir).sort()) {
    let files;
    try {
      files = readdirSync(join(dir, name));
    } catch {
      continue;
    }
    for (const f of files) if (/\.(jpe?g|png)$/i.test(f)) all.push(`${name}/${f}`);
  }
  all.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const n = limit && limit < all.length ? limit : all.length;
  const rel = n === all.length ? all : Array.from({ length: n }, (_, i) => all[Math.floor((i * all.length) / n)]);
  return { total: all.length, rel, paths: rel.map((r) => join(dir, r)) };
}
