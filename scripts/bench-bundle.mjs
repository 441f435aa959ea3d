#!/usr/bin/env node
// Bytes a web app ships and downloads for eolgul's default browser configuration: the README's browser quick start
// built as a stranger would (packed tarballs, npm, a plain Vite app, `npx eolgul-models public/models`, `vite build`),
// then (1) the files of dist/ by kind (JavaScript, WebAssembly, models, other; JavaScript also gzip-compressed), and
// (2) what headless Chromium fetches to load the page and its models (a fake camera playing a sample photo), by kind.
// Writes docs/benchmarks/bundle.md.
//
//   pnpm bench:bundle        (= turbo run build && node scripts/bench-bundle.mjs [--out FILE])
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeY4m } from '../examples/browser/scripts/browser-video.mjs';
import { serveStatic } from '../examples/browser/scripts/serve.mjs';
import { ROOT } from './check-packages.mjs';
import { launchChromium } from './lib/chromium.mjs';
import { buildBrowserQuickStart, filesIn, packFor, rootDevVersion } from './lib/stranger-app.mjs';
import { writeBenchmarkDoc } from './lib/write-doc.mjs';

const args = process.argv.slice(2);
const outFile = resolve(
  args.includes('--out') ? args[args.indexOf('--out') + 1] : join(ROOT, 'docs/benchmarks/bundle.md'),
);

/** The kind of a served file, by extension. */
function kindOf(name) {
  const ext = extname(name.split('?')[0]).toLowerCase();
  if (ext === '.wasm') return 'wasm';
  if (['.onnx', '.bin'].includes(ext) || (ext === '.json' && name.includes('models/'))) return 'models';
  if (['.js', '.mjs'].includes(ext)) return 'js';
  return 'other';
}
const KINDS = ['js', 'wasm', 'models', 'other'];
const MB = (b) => (b / 1e6).toFixed(2);

const work = await mkdtemp(join(tmpdir(), 'eolgul-bench-bundle-'));
try {
  const app = join(work, 'app');
  await mkdir(app);
  await mkdir(join(work, 'tarballs'));
  console.log('packing and installing (npm) into a fresh app…');
  const tarballs = await packFor(join(work, 'tarballs'), ['eolgul']);
  const built = await buildBrowserQuickStart(app, tarballs);

  // (1) dist/ by kind.
  const files = await filesIn(built.dist);
  const built1 = Object.fromEntries(KINDS.map((k) => [k, { files: 0, bytes: 0, gzip: 0 }]));
  for (const f of files) {
    const k = built1[kindOf(f.name)];
    k.files++;
    k.bytes += f.bytes;
    if (kindOf(f.name) === 'js') k.gzip += gzipSync(await readFile(join(built.dist, f.name)), { level: 9 }).length;
  }

  // (2) what the page fetches until the models are loaded (its status line leaves "Loading…").
  const server = await serveStatic(built.dist);
  // The quick start opens the camera before it loads the models: a fake one, playing one of the sample photos.
  const video = join(work, 'camera.y4m');
  await writeY4m(
    video,
    [{ kind: 'image', path: join(ROOT, 'examples/data/probes/Tom_Hanks_0008.jpg'), seconds: 1 }],
    10,
  );
  const browser = await launchChromium({ video });
  const fetched = Object.fromEntries(KINDS.map((k) => [k, { files: 0, bytes: 0, names: [] }]));
  let loadMs = 0;
  try {
    const context = await browser.newContext({ permissions: ['camera'] });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const urls = new Map();
    cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, e.response.url));
    cdp.on('Network.loadingFinished', (e) => {
      const url = urls.get(e.requestId);
      if (!url?.startsWith(server.url)) return;
      const name = url.slice(server.url.length) || 'index.html';
      const k = fetched[kindOf(name)];
      k.files++;
      k.bytes += e.encodedDataLength;
      k.names.push(name);
    });
    const t0 = performance.now();
    await page.goto(server.url);
    await page.waitForFunction(() => !/^Loading/.test(document.querySelector('#who')?.textContent ?? 'Loading'), null, {
      timeout: 180_000,
    });
    loadMs = performance.now() - t0;
    await page.waitForTimeout(500);
  } finally {
    await browser.close();
    await server.close();
  }

  const versions = JSON.parse(await readFile(join(app, 'node_modules', 'onnxruntime-web', 'package.json'), 'utf8'));
  let commit = '?';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  } catch {}
  const row = (k, r, extra = '') => `| ${k} | ${r.files} | ${MB(r.bytes)} |${extra}`;
  const fetchedNames = new Set(KINDS.flatMap((k) => fetched[k].names));
  const unused = files.filter((f) => !fetchedNames.has(f.name) && f.name !== 'index.html');
  const total = (o) => KINDS.reduce((s, k) => s + o[k].bytes, 0);
  const md = `# Browser bundle: what a web app ships and downloads

Measured by \`pnpm bench:bundle\` (\`scripts/bench-bundle.mjs\`) on ${new Date().toISOString().slice(0, 10)}, commit ${commit}.

The README's browser quick start, built as a stranger builds it: every package packed as published and installed with
npm into a fresh folder, the quick start's set-up line (\`${built.setup}\`, the install part from the tarballs), its
\`index.html\` and \`main.js\` as printed, \`vite build\` (Vite ${await rootDevVersion('vite')}, no configuration),
onnxruntime-web ${versions.version}. The default configuration: \`createFaceRecognizer()\` (RFB-320 detector, MTCNN
RNet / ONet 5 points, the 68-point model as ONet's fallback, the 512-d embedder; no emotion).

## Files in \`dist/\` (MB = 10⁶ bytes)

| kind | files | MB | gzip -9 MB |
| --- | ---: | ---: | ---: |
${KINDS.map((k) => row(k, built1[k], ` ${k === 'js' ? MB(built1[k].gzip) : ''} |`)).join('\n')}
| **total** | ${files.length} | **${MB(total(built1))}** | |

## Fetched by the page until the models are loaded

Headless Chromium (Debian's, a fake camera), the page served from \`dist/\` on 127.0.0.1 without compression; bytes as
received, by kind; ${(loadMs / 1000).toFixed(1)} s from navigation to the models loaded (on a shared machine: not a
speed figure).

| kind | files | MB | files |
| --- | ---: | ---: | --- |
${KINDS.map((k) => row(k, fetched[k], ` ${fetched[k].names.map((n) => `\`${n}\``).join(', ')} |`)).join('\n')}
| **total** | ${KINDS.reduce((s, k) => s + fetched[k].files, 0)} | **${MB(total(fetched))}** | |

In \`dist/\` but never fetched: ${unused.map((f) => `\`${f.name}\` (${MB(f.bytes)} MB)`).join(', ') || 'none'}. Vite copies
onnxruntime-web's wasm into \`assets/\` because the package names it with \`new URL(…, import.meta.url)\`; \`eolgul\` points
onnxruntime-web at \`models/ort/\` (under \`modelBasePath\`, where \`npx eolgul-models\` puts it, so that an app built
with any bundler, or none, finds it), so that copy is deployed but not downloaded.
`;
  writeBenchmarkDoc(outFile, md);
  console.log(md);
  console.log(`wrote ${outFile}`);
} finally {
  await rm(work, { recursive: true, force: true });
}
