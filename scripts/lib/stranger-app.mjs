// A stranger's app, outside the workspace: the packages packed as they would be published, installed with npm into a
// fresh folder (no workspace links, no aliases, no stubs), and the README's quick starts written into it as printed.
// Shared by the stranger tests (test/) and `pnpm bench:bundle`.
import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { listPackages, packAll, ROOT } from '../check-packages.mjs';

const run = promisify(execFile);

/** The environment of a user's shell: no pnpm/npm lifecycle variables, no NODE_PATH/NODE_OPTIONS from the runner. */
export function userEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (
      /^(npm_|pnpm_|PNPM_|VITEST|TURBO_)/.test(k) ||
      ['NODE_PATH', 'NODE_OPTIONS', 'INIT_CWD', 'NODE_ENV', 'TEST'].includes(k)
    )
      continue;
    env[k] = v;
  }
  env.ONNXRUNTIME_NODE_INSTALL = 'skip'; // its postinstall would fetch CUDA libraries; the CPU binaries are in the package
  return env;
}

/**
 * Runs a command in `dir` with the user's environment.
 * @returns its stdout and stderr; rejects with both in the message when it fails.
 */
export async function runIn(dir, cmd, args, timeout = 120_000) {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd: dir, env: userEnv(), timeout, maxBuffer: 64 << 20 });
    return { stdout, stderr };
  } catch (err) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

/**
 * The fenced code blocks of a README section, in order.
 * @param {string} heading e.g. `'## Browser quick start'`.
 * @returns {Promise<{ lang: string, code: string }[]>}
 */
export async function readmeBlocks(heading) {
  const md = await readFile(join(ROOT, 'README.md'), 'utf8');
  const start = md.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no section "${heading}"`);
  const next = md.indexOf('\n## ', start + heading.length + 2);
  const section = md.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], code: m[2] }));
}

/**
 * Packs the packages that `names` need (themselves and their workspace dependencies) into `tarDir`.
 * @param {string} tarDir @param {string[]} names
 * @returns {Promise<string[]>} the tarballs' paths.
 */
export async function packFor(tarDir, names) {
  const packages = await listPackages();
  const byName = new Map(packages.map((p) => [p.name, p]));
  const wanted = new Set();
  const visit = (n) => {
    if (wanted.has(n) || !byName.has(n)) return;
    wanted.add(n);
    for (const d of Object.keys(byName.get(n).pkg.dependencies ?? {})) visit(d);
  };
  for (const n of names) visit(n);
  const tarballs = await packAll(tarDir);
  return [...tarballs].filter(([name]) => wanted.has(name)).map(([, tgz]) => tgz);
}

/** The version of a devDependency of the workspace root, e.g. vite's, so the stranger's app uses the tested one. */
export async function rootDevVersion(name) {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
  return pkg.devDependencies[name];
}

/**
 * Creates a Vite app from the README's browser quick start, as printed: its ```sh line (the `npm install eolgul` part
 * is done with the tarballs, the rest runs as is), its ```html block as `index.html`, its ```js block as `main.js`;
 * then `npx vite build`.
 * @param {string} app an empty folder outside the workspace. @param {string[]} tarballs from {@link packFor}.
 * @returns {Promise<{ dist: string, buildLog: string, setup: string }>}
 */
export async function buildBrowserQuickStart(app, tarballs) {
  const blocks = await readmeBlocks('## Browser quick start');
  const sh = blocks.find((b) => b.lang === 'sh')?.code.trim();
  const html = blocks.find((b) => b.lang === 'html')?.code;
  const js = blocks.find((b) => b.lang === 'js')?.code;
  if (!sh || !html || !js) throw new Error('the browser quick start needs a ```sh, an ```html and a ```js block');
  const [first, ...rest] = sh.split('&&').map((s) => s.trim());
  // The README may prefix the install with ONNXRUNTIME_NODE_INSTALL=skip (runApp sets it for every install here).
  const install = first.replace(/^ONNXRUNTIME_NODE_INSTALL=skip\s+/, '');
  if (install !== 'npm install eolgul') throw new Error(`the set-up line should start with npm install eolgul: ${sh}`);
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({ name: 'eolgul-browser-stranger', private: true, type: 'module' }, null, 2),
  );
  const vite = `vite@${await rootDevVersion('vite')}`;
  await runIn(app, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs, vite], 400_000);
  for (const command of rest) {
    const [cmd, ...args] = command.split(/\s+/);
    await runIn(app, cmd, args);
  }
  await writeFile(join(app, 'index.html'), html);
  await writeFile(join(app, 'main.js'), js);
  const { stdout, stderr } = await runIn(app, 'npx', ['--no', '--', 'vite', 'build'], 300_000);
  return { dist: join(app, 'dist'), buildLog: `${stdout}\n${stderr}`, setup: sh };
}

/**
 * Builds a second page into the stranger's app, `dist/<name>/`: `files` (name → contents) written under `<app>/<name>/`,
 * built with `npx vite build <name> --base /<name>/` (that folder as Vite's root) inside the quick start's build, so
 * it can load the models the quick start's set-up line copied (`/models/`).
 * @returns {Promise<string>} the build log.
 */
export async function buildExtraPage(app, name, files) {
  await mkdir(join(app, name, 'public'), { recursive: true });
  for (const [file, contents] of Object.entries(files)) await writeFile(join(app, name, file), contents);
  const args = ['--no', '--', 'vite', 'build', name, '--base', `/${name}/`, '--outDir', join(app, 'dist', name)];
  const { stdout, stderr } = await runIn(app, 'npx', args, 300_000);
  return `${stdout}\n${stderr}`;
}

/** Files under `dir`, recursively, with their sizes. */
export async function filesIn(dir) {
  const names = await readdir(dir, { recursive: true });
  const out = [];
  for (const name of names) {
    const s = await stat(join(dir, name));
    if (s.isFile()) out.push({ name, bytes: s.size });
  }
  return out;
}

const NODE_ONLY = ['sharp', 'onnxruntime-node', 'proper-lockfile', 'piscina'];
/** Node's global `Buffer` as an identifier (not `ArrayBuffer`, `x.Buffer` or `createBuffer`). */
const BUFFER = /(?<![\w$.])Buffer\b/g;

/**
 * What in a browser build's JavaScript comes from Node: imports (static, dynamic, re-exports) of a Node built-in or a
 * Node-only package, Vite's stand-ins for built-ins it had to leave out (`__vite-browser-external`), and Node's global
 * `Buffer` in a file that never tests `typeof Buffer` (csv-parse's Node build, say, calls `Buffer.from` unguarded;
 * TensorFlow.js only behind such a test, for Node). A `require()`
 * is not counted: an ES module bundle has no `require`, and the Emscripten glue of the WebAssembly runtimes keeps its
 * Node branch (`if (ENVIRONMENT_IS_NODE) require('fs')`), which never runs in a browser. The files copied in
 * unbundled from `public/` (`skip`, e.g. onnxruntime-web's own wasm glue under `models/ort/`) are left out.
 * @param {string} dist the build output. @param {string[]} [skip] folders of `dist` to leave out.
 * @returns {Promise<string[]>} one line per finding, `file: what`; empty when clean.
 */
export async function nodeCodeIn(dist, skip = ['models/']) {
  const findings = [];
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  for (const { name } of await filesIn(dist)) {
    if (!['.js', '.mjs'].includes(extname(name)) || skip.some((d) => name.startsWith(d))) continue;
    const text = await readFile(join(dist, name), 'utf8');
    if (text.includes('__vite-browser-external')) findings.push(`${name}: __vite-browser-external (a Node built-in)`);
    const buffers = text.match(BUFFER)?.length ?? 0;
    if (buffers > 0 && !/typeof Buffer\b/.test(text)) findings.push(`${name}: ${buffers} uses of Node's global Buffer`);
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s*)["'`]([^"'`\s]+)["'`]/g)) {
      const id = m[1];
      if (builtins.has(id) || id.startsWith('node:') || NODE_ONLY.includes(id)) findings.push(`${name}: ${m[0]}`);
    }
  }
  return findings;
}
