// Writes a generated benchmark document formatted by the repository's Biome, so `pnpm lint` passes on it as generated
// (Biome aligns Markdown tables).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Writes `text` to `file` (creating its folder), formatted by `biome format` through standard input. A file outside
 * the repository (a --quick run's temporary document) is formatted as if it were in docs/benchmarks/: Biome refuses
 * paths outside its root.
 */
export function writeBenchmarkDoc(file, text) {
  mkdirSync(dirname(file), { recursive: true });
  const inside = !relative(root, resolve(file)).startsWith('..');
  const asPath = inside ? resolve(file) : join(root, 'docs', 'benchmarks', basename(file));
  const r = spawnSync(join(root, 'node_modules', '.bin', 'biome'), ['format', `--stdin-file-path=${asPath}`], {
    cwd: root,
    input: text,
    encoding: 'utf8',
  });
  if (r.status !== 0) console.warn(`biome format ${file} failed: ${r.stderr || r.stdout}`);
  writeFileSync(file, r.status === 0 ? r.stdout : text);
}
