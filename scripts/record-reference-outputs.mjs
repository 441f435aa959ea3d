// Records the reference outputs of scripts/lib/reference-outputs.mjs with the built packages (dist/) into
// packages/{detector,embedder,emotion}/test/fixtures/reference-outputs.json. Run it only when a change is meant to
// change outputs (and say so in the commit): the tests compare the code with these files byte for byte.
// Usage: pnpm build && node scripts/record-reference-outputs.mjs [detector|embedder|emotion ...]
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as detector from '@eolgul/detector';
import * as embedder from '@eolgul/facenet';
import * as emotion from '@eolgul/emotion';
import { detectorOutputs, embedderOutputs, emotionOutputs, referenceImages } from './lib/reference-outputs.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const which = process.argv.slice(2).length ? process.argv.slice(2) : ['detector', 'embedder', 'emotion'];
const images = await referenceImages(detector.readImage);
const api = { ...detector, ...embedder, ...emotion };
const runs = { detector: detectorOutputs, embedder: embedderOutputs, emotion: emotionOutputs };
for (const pkg of which) {
  const t0 = performance.now();
  const out = await runs[pkg](api, images);
  const file = join(ROOT, 'packages', pkg, 'test', 'fixtures', 'reference-outputs.json');
  await writeFile(file, `${JSON.stringify(out, null, 1)}\n`);
  execFileSync(join(ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', file]); // as `pnpm lint` wants it
  console.log(`${pkg}: ${file} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
