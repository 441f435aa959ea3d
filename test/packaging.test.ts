// The published shape, as a stranger gets it: every package is packed with `pnpm pack` (workspace: ranges replaced by
// versions), the tarballs are installed with npm into a fresh project under the OS temp dir (outside the workspace, so
// nothing can resolve from the workspace's node_modules or sources), and there a short ESM script detects, embeds and
// identifies faces; the `eolgul` bin runs; CommonJS `require` works; TypeScript finds the types (node16 ESM + CJS).
// publint --strict and @arethetypeswrong/cli also check each tarball. Needs the packages built (`pnpm test` builds
// first) and the npm registry for the third-party dependencies (onnxruntime-node, sharp, tfjs, ...).
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs script without type declarations
import { listPackages, packAll, runAttw, runPublint, undeclaredImports } from '../scripts/check-packages.mjs';
// @ts-expect-error plain .mjs script without type declarations
import { readmeBlocks, runIn } from '../scripts/lib/stranger-app.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, 'examples', 'data');

type Pkg = { name: string; dir: string; pkg: Record<string, unknown> & { version: string } };
type CheckResult = {
  name: string;
  publint: { failed: boolean; lines: string[] };
  attw: { failed: boolean; report: string };
};

let work = '';
let app = '';
let packages: Pkg[] = [];
let checks: Promise<CheckResult[]>;
const timings: Record<string, number> = {};

async function timed<T>(label: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    timings[label] = Math.round(performance.now() - t0);
  }
}

/** Runs a command in the app project with the user's environment; resolves to stdout (rejects with stderr). */
async function inApp(cmd: string, args: string[], timeout = 120_000): Promise<string> {
  return (await runIn(app, cmd, args, timeout)).stdout;
}

/** The quick start of the API site's front page (docs/README.md), run as it is printed there. */
async function docsQuickStart(): Promise<string> {
  const md = await readFile(join(ROOT, 'docs', 'README.md'), 'utf8');
  const m = /## Quick start\s+```js\n([\s\S]*?)```/.exec(md);
  if (!m) throw new Error('docs/README.md has no ```js block under "## Quick start"');
  return m[1];
}

/**
 * The README's Node quick start as printed (the ```js block of "## Node quick start") and the output printed under it
 * (the ```text block).
 */
async function readmeNodeQuickStart(): Promise<{ code: string; output: string }> {
  const blocks: { lang: string; code: string }[] = await readmeBlocks('## Node quick start');
  const code = blocks.find((b) => b.lang === 'js')?.code;
  const output = blocks.find((b) => b.lang === 'text')?.code;
  if (!code || !output) throw new Error('README.md has no ```js and ```text blocks under "## Node quick start"');
  return { code, output };
}

/**
 * The same code for a CommonJS app: its one `import … from 'eolgul'` line becomes `require`, and the rest runs in an
 * async function (CommonJS has no top-level await). Nothing else changes.
 */
function asCommonJs(code: string): string {
  const lines = code.split('\n');
  const i = lines.findIndex((l) => /^import .* from 'eolgul';$/.test(l));
  if (i < 0) throw new Error("the quick start has no `import … from 'eolgul';` line");
  const required = lines[i].replace(/^import (.*) from 'eolgul';$/, "const $1 = require('eolgul');");
  const rest = lines.filter((_, j) => j !== i).join('\n');
  return `${required}\n(async () => {\n${rest}\n})().catch((e) => { console.error(e); process.exit(1); });\n`;
}

/** `photo [x, y, w, h] name distance` lines: the same words, and numbers within `tolerance` (or 1 %). */
function expectSameOutput(actual: string, printed: string, tolerance = 0.05): void {
  const lines = (s: string) =>
    s
      .trim()
      .split('\n')
      .map((l) =>
        l
          .replace(/[[\],]/g, ' ')
          .split(/\s+/)
          .filter(Boolean),
      );
  const [a, p] = [lines(actual), lines(printed)];
  const isNum = (t: string) => /^-?\d+(\.\d+)?$/.test(t);
  expect(a.map((l) => l.map((t) => (isNum(t) ? '#' : t)))).toEqual(p.map((l) => l.map((t) => (isNum(t) ? '#' : t))));
  for (const [i, line] of a.entries()) {
    for (const [j, t] of line.entries()) {
      if (!isNum(t)) continue;
      const want = Number(p[i][j]);
      expect(Math.abs(Number(t) - want), `line ${i + 1}: ${t} vs ${want}`).toBeLessThanOrEqual(
        Math.max(tolerance, Math.abs(want) * 0.01),
      );
    }
  }
}

/** The README quick start's photos: LFW images under the names it uses. */
const README_PHOTOS: Record<string, string> = {
  'tom-1.jpg': join('gallery', 'Tom_Hanks', 'Tom_Hanks_0004.jpg'),
  'tom-2.jpg': join('gallery', 'Tom_Hanks', 'Tom_Hanks_0005.jpg'),
  'tom-3.jpg': join('probes', 'Tom_Hanks_0008.jpg'),
  'stranger.jpg': join('probes', 'Meryl_Streep_0001.jpg'),
};

const CJS_CHECK = `const core = require('@eolgul/core');
const names = JSON.parse(process.argv[2]);
const exportsOf = Object.fromEntries(names.map((n) => [n, Object.keys(require(n)).length]));
const err = new core.InvalidArgumentError('bad');
const { modelPath } = require('@eolgul/models');
const { readImage, createFaceDetector } = require('@eolgul/detector');
(async () => {
  const detector = await createFaceDetector();
  const faces = await detector.detect(await readImage('probe-Tom_Hanks.jpg'));
  await detector.dispose();
  console.log(JSON.stringify({ exportsOf, isEolgulError: err instanceof core.EolgulError, code: err.code,
    detector: modelPath('detector'), faces: faces.length, resolved: names.map((n) => require.resolve(n)) }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

const RESOLVE_CHECK = `import { modelPath } from '@eolgul/models';
const names = JSON.parse(process.argv[2]);
console.log(JSON.stringify({ urls: names.map((n) => import.meta.resolve(n)), embedder: modelPath('embedder') }));
`;

const TYPED_ESM = `import { readImage, createFaceDetector, alignFace, type FaceDetector } from '@eolgul/detector';
import { createFaceNet } from '@eolgul/facenet';
import { Gallery, type Match } from '@eolgul/gallery';
import { EolgulError } from '@eolgul/core';
import { modelPath, type ModelName } from '@eolgul/models';
import { createEmotionClassifier } from '@eolgul/emotion';
import { evaluatePairs } from '@eolgul/lfw-tools';
import { loadModel } from '@eolgul/runtime';
import { PgVectorGalleryStore } from '@eolgul/gallery/pg';
import { createFaceRecognizer, NoFaceError, type RecognizedFace } from 'eolgul';
import { annotateImage } from 'eolgul/node';
const recognizer = await createFaceRecognizer({ emotion: 'fast', workers: 1 });
const found: RecognizedFace[] = await recognizer.identify('probe-Tom_Hanks.jpg');
const who: string | undefined = found[0]?.match?.identity;
// @ts-expect-error not a detector: proves the front door's real declarations are loaded
await createFaceRecognizer({ detector: 'yolo' });
console.log(who, NoFaceError, annotateImage);
const detector: FaceDetector = await createFaceDetector();
const image = await readImage('probe-Tom_Hanks.jpg');
const [face] = await detector.detect(image);
const facenet = await createFaceNet();
const e: Float32Array = await facenet.embed(alignFace(image, face.landmarks, facenet.inputSize));
const m: Match | undefined = Gallery.inMemory({ dimension: 512 }).identify(e)[0];
const name: ModelName = 'embedder';
// @ts-expect-error not a model name: proves the real declarations are loaded, not 'any'
modelPath('facenet-v0');
console.log(m?.distance, modelPath(name), EolgulError, createEmotionClassifier, evaluatePairs, loadModel, PgVectorGalleryStore);
`;

const TYPED_CJS = `import core = require('@eolgul/core');
import gallery = require('@eolgul/gallery');
const err: core.EolgulError = new core.InvalidArgumentError('x');
const g: gallery.Gallery = gallery.Gallery.inMemory({ dimension: 3 });
// @ts-expect-error dimension is required
gallery.Gallery.inMemory({});
console.log(err.code, g.size);
`;

beforeAll(async () => {
  packages = await listPackages();
  const missing = packages.filter((p) => !existsSync(join(p.dir, 'dist')));
  if (missing.length) {
    throw new Error(
      `not built: ${missing.map((p) => p.name).join(', ')}; run \`pnpm build\` (\`pnpm test\` does) first`,
    );
  }
  work = await mkdtemp(join(tmpdir(), 'eolgul-pack-'));
  app = join(work, 'app');
  const tarDir = join(work, 'tarballs');
  await mkdir(app);
  await mkdir(tarDir);
  const tarballs: Map<string, string> = await timed('pack', () => packAll(tarDir));
  // publint and attw read the same tarballs while npm installs them.
  checks = timed('publint+attw', () =>
    Promise.all(
      [...tarballs].map(async ([name, tgz]) => ({ name, publint: await runPublint(tgz), attw: await runAttw(tgz) })),
    ),
  );
  checks.catch(() => {}); // awaited by its test
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({ name: 'eolgul-stranger', private: true, type: 'module' }, null, 2),
  );
  for (const name of ['Tom_Hanks', 'Serena_Williams']) {
    const file = (await readdir(join(DATA, 'gallery', name))).sort()[0];
    await copyFile(join(DATA, 'gallery', name, file), join(app, `${name}.jpg`));
  }
  await copyFile(join(DATA, 'probes', 'Tom_Hanks_0008.jpg'), join(app, 'probe-Tom_Hanks.jpg'));
  await copyFile(join(DATA, 'probes', 'Meryl_Streep_0001.jpg'), join(app, 'probe-Meryl_Streep.jpg'));
  for (const [name, from] of Object.entries(README_PHOTOS)) await copyFile(join(DATA, from), join(app, name));
  await timed('npm install', () =>
    inApp(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs.values(), '@types/node@20'],
      280_000,
    ),
  );
}, 300_000);

afterAll(async () => {
  console.log(`packaging test timings (ms): ${JSON.stringify(timings)}`);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('packed packages installed with npm in a fresh project', () => {
  it('publint --strict and @arethetypeswrong/cli pass for every package', async () => {
    const results = await checks;
    expect(results.map((r) => r.name).sort()).toEqual(packages.map((p) => p.name).sort());
    for (const r of results) {
      expect(r.publint.lines, `publint ${r.name}`).toEqual([]);
      expect(r.attw.failed, `attw ${r.name}:\n${r.attw.report}`).toBe(false);
    }
  }, 240_000);

  it('every bare import in a built file is a declared dependency or peer (npm hoisting would hide a missing one)', async () => {
    for (const p of packages) expect(await undeclaredImports(p.dir, p.pkg), p.name).toEqual([]);
  });

  it('installs real versions (no workspace: ranges) and resolves every package from the app, never the workspace', async () => {
    const names = packages.map((p) => p.name);
    for (const p of packages) {
      const installed = JSON.parse(await readFile(join(app, 'node_modules', p.name, 'package.json'), 'utf8'));
      expect(installed.version).toBe(p.pkg.version);
      for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
        for (const [dep, range] of Object.entries((installed[field] ?? {}) as Record<string, string>)) {
          expect(range, `${p.name} ${field}.${dep}`).not.toMatch(/^workspace:/);
        }
      }
    }
    await writeFile(join(app, 'resolve-check.mjs'), RESOLVE_CHECK);
    const esm = JSON.parse(
      await inApp('node', ['resolve-check.mjs', JSON.stringify([...names, '@eolgul/gallery/pg'])]),
    );
    for (const url of esm.urls as string[])
      expect(fileURLToPath(url).startsWith(join(app, 'node_modules') + sep), url).toBe(true);
    expect(esm.embedder).toBe(join(app, 'node_modules', '@eolgul', 'models', 'models', 'fr_feature.onnx'));
    // The model files are inside the installed @eolgul/models.
    for (const f of [
      'fr_detect.onnx',
      'fr_landmark.onnx',
      'mtcnn-pnet.onnx',
      'mtcnn-rnet.onnx',
      'mtcnn-onet.onnx',
      'fr_feature.onnx',
      'fr_expression.onnx',
      'emotion.json',
      'emotion.bin',
      'NOTICE.md',
    ]) {
      expect((await stat(join(app, 'node_modules', '@eolgul', 'models', 'models', f))).size, f).toBeGreaterThan(0);
    }
  }, 60_000);

  it('the quick start of docs/README.md detects, embeds and identifies faces, models from node_modules (ESM)', async () => {
    await writeFile(join(app, 'quickstart.mjs'), await docsQuickStart());
    const out = await timed('quickstart', () => inApp('node', ['quickstart.mjs']));
    console.log(`quick start output:\n${out}`);
    const [tom, meryl, ...rest] = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rest).toEqual([]);
    expect(tom.probe).toBe('probe-Tom_Hanks.jpg');
    expect(tom.match.identity).toBe('Tom_Hanks');
    expect(tom.match.accepted).toBe(true);
    expect(tom.match.imageId).toBe('Tom_Hanks.jpg');
    expect(tom.match.distance).toBeGreaterThan(0);
    expect(tom.match.distance).toBeLessThan(1.1); // DEFAULT_THRESHOLD
    // The LFW photos are 250 x 250 px with the face in the middle.
    const [x, y, w, h] = tom.box;
    expect(x + w / 2).toBeGreaterThan(100);
    expect(x + w / 2).toBeLessThan(150);
    expect(y + h / 2).toBeGreaterThan(90);
    expect(y + h / 2).toBeLessThan(160);
    expect(meryl.probe).toBe('probe-Meryl_Streep.jpg');
    expect(meryl.match.accepted).toBe(false); // not enrolled: unknown
    expect(meryl.match.distance).toBeGreaterThan(tom.match.distance);
  }, 120_000);

  it("the README's Node quick start, as printed, prints the output printed under it (ESM and CommonJS)", async () => {
    const { code, output } = await readmeNodeQuickStart();
    await writeFile(join(app, 'readme-quickstart.mjs'), code);
    await writeFile(join(app, 'readme-quickstart.cjs'), asCommonJs(code));
    const esm = await timed('readme quick start', () => inApp('node', ['readme-quickstart.mjs']));
    console.log(`README quick start output:\n${esm}`);
    expectSameOutput(esm, output);
    expectSameOutput(await inApp('node', ['readme-quickstart.cjs']), output);
  }, 120_000);

  it('CommonJS: require() works for every package, and the CJS build finds the models and detects a face', async () => {
    await writeFile(join(app, 'cjs-check.cjs'), CJS_CHECK);
    const names = [...packages.map((p) => p.name), '@eolgul/gallery/pg'];
    const out = JSON.parse(await inApp('node', ['cjs-check.cjs', JSON.stringify(names)]));
    expect(out.isEolgulError).toBe(true);
    expect(out.code).toBe('INVALID_ARGUMENT');
    for (const n of names) expect(out.exportsOf[n], n).toBeGreaterThan(0);
    for (const r of out.resolved as string[]) {
      expect(r.startsWith(join(app, 'node_modules') + sep), r).toBe(true);
      expect(r.endsWith('.cjs'), r).toBe(true);
    }
    expect(out.detector).toBe(join(app, 'node_modules', '@eolgul', 'models', 'models', 'fr_detect.onnx'));
    expect(out.faces).toBe(1);
  }, 120_000);

  it('the installed `eolgul` bin runs: --help, enroll, identify --json (with emotion)', async () => {
    const help = await inApp('npx', ['--no', '--', 'eolgul', '--help']);
    expect(help).toMatch(/^Usage: eolgul/m);
    for (const cmd of ['embed', 'enroll', 'identify', 'verify', 'emotion', 'lfw', 'check', 'gallery'])
      expect(help).toContain(cmd);
    await timed('cli enroll+identify', async () => {
      const enrolled = await inApp('npx', [
        '--no',
        '--',
        'eolgul',
        'enroll',
        '--gallery',
        'g',
        '--name',
        'Tom_Hanks',
        'Tom_Hanks.jpg',
      ]);
      expect(enrolled).toContain('Tom_Hanks');
      const out = await inApp('npx', [
        '--no',
        '--',
        'eolgul',
        'identify',
        '--gallery',
        'g',
        '--json',
        'probe-Tom_Hanks.jpg',
        'probe-Meryl_Streep.jpg',
      ]);
      const rows = out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      // One line per image: { image, width, height, faces: [{ box, identity, distance, emotion, emotionScore }] }.
      expect(rows.map((r) => [r.image, r.faces.map((f: { identity: string | null }) => f.identity)])).toEqual([
        ['probe-Tom_Hanks.jpg', ['Tom_Hanks']],
        ['probe-Meryl_Streep.jpg', [null]],
      ]);
      for (const { faces } of rows) {
        expect(['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral']).toContain(faces[0].emotion);
        expect(faces[0].emotionScore).toBeGreaterThan(0);
      }
    });
  }, 120_000);

  it('TypeScript finds the types of the installed packages (nodenext ESM and CJS consumers)', async () => {
    await writeFile(join(app, 'typed.mts'), TYPED_ESM);
    await writeFile(join(app, 'typed.cts'), TYPED_CJS);
    await writeFile(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        files: ['typed.mts', 'typed.cts'],
      }),
    );
    // The workspace's compiler, run on the app project: resolution starts from the app's files.
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    await timed('tsc', () => inApp(process.execPath, [tsc, '-p', '.']));
  }, 120_000);
});
