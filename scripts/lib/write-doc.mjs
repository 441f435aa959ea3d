// Writes a generated benchmark document and formats it with the repository's Biome, so `pnpm lint` passes on it
// as generated (Biome aligns Markdown tables).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Writes `text` to `file` (creating its folder) and runs `biome format --write` on it. */
export function writeBenchmarkDoc(file, text) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  const r = spawnSync(join(root, 'node_modules', '.bin', 'biome'), ['format', '--write', file], { encoding: 'utf8' });
  if (r.status !== 0) console.warn(`biome format ${file} failed: ${r.stderr || r.stdout}`);
}
