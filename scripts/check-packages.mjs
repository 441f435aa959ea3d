// Checks the published shape of every package under packages/*: packs each one with `pnpm pack` (which replaces
// `workspace:` ranges with real versions, as `pnpm publish` does), then lints each tarball with publint (strict:
// warnings fail) and @arethetypeswrong/cli (every entry point under node10, node16 from CJS and ESM, and bundler
// resolution), and checks that every bare import in dist/ is a declared dependency or peer dependency (npm's flat
// node_modules would hide a missing one in the install test). Run it with `pnpm run check:packages` (builds first). test/packaging.test.ts reuses these functions
// on the tarballs it installs.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const run = promisify(execFile);
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The publishable packages: every `packages/<dir>/package.json` that is not private.
 * @returns `{ name, dir, pkg }` sorted by directory.
 */
export async function listPackages() {
  const out = [];
  for (const d of (await readdir(join(ROOT, 'packages'))).sort()) {
    const dir = join(ROOT, 'packages', d);
    let pkg;
    try {
      pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    if (!pkg.private) out.push({ name: pkg.name, dir, pkg });
  }
  return out;
}

/**
 * Packs every package into `dest` with `pnpm pack` (one `pnpm -r` call).
 * @returns map package name → absolute tarball path.
 */
export async function packAll(dest) {
  const pkgs = await listPackages();
  await run('pnpm', ['-r', '--filter', './packages/*', 'pack', '--pack-destination', dest], {
    cwd: ROOT,
    maxBuffer: 64 << 20,
  });
  const files = await readdir(dest);
  const tarballs = new Map();
  for (const { name, pkg } of pkgs) {
    const file = `${name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`;
    if (!files.includes(file)) throw new Error(`pnpm pack wrote no ${file} for ${name} (found: ${files.join(', ')})`);
    tarballs.set(name, join(dest, file));
  }
  return tarballs;
}

/**
 * publint (strict: warnings count as errors) on a packed tarball.
 * @returns the formatted messages (errors, warnings and suggestions); `failed` when any error or warning.
 */
export async function runPublint(tarball) {
  const buf = await readFile(tarball);
  const { messages, pkg } = await publint({
    pack: { tarball: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) },
    strict: true,
    level: 'suggestion',
  });
  const lines = messages.map((m) => `${m.type}: ${formatMessage(m, pkg, { color: false }) ?? m.code}`);
  return { failed: messages.some((m) => m.type === 'error' || m.type === 'warning'), lines };
}

/**
 * @arethetypeswrong/cli on a packed tarball (profile `strict`: node10, node16-cjs, node16-esm, bundler).
 * @returns `failed` when attw exits non-zero, and its plain-text report.
 */
export async function runAttw(tarball) {
  const bin = join(ROOT, 'node_modules', '.bin', 'attw');
  try {
    const { stdout } = await run(bin, [tarball, '--format', 'table-flipped', '--no-emoji', '--no-color'], {
      maxBuffer: 16 << 20,
    });
    return { failed: false, report: stdout.trim() };
  } catch (err) {
    return { failed: true, report: `${err.stdout ?? ''}${err.stderr ?? ''}`.trim() || String(err) };
  }
}

/**
 * Bare module specifiers imported or required by the built files (`dist/**` `.js`, `.cjs`, `.d.ts`, `.d.cts`) of a
 * package that are neither Node built-ins nor listed in its `dependencies` / `peerDependencies`.
 * @returns the undeclared package names, sorted; empty when all are declared.
 */
export async function undeclaredImports(dir, pkg) {
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
  const found = new Set();
  const files = (await readdir(join(dir, 'dist'), { recursive: true })).filter((f) => /\.(c?js|d\.c?ts)$/.test(f));
  for (const f of files) {
    const text = await readFile(join(dir, 'dist', f), 'utf8');
    for (const m of text.matchAll(
      /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["']([^"'\s]+)["']/gm,
    )) {
      const id = m[1];
      if (id.startsWith('.') || id.startsWith('/') || id.startsWith('node:')) continue;
      if (!/^(@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*(\/[^\s]*)?$/.test(id)) continue; // not a package specifier
      const name = id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : id.split('/')[0];
      if (builtinModules.includes(name) || name === pkg.name) continue;
      if (!declared.has(name)) found.add(name);
    }
  }
  return [...found].sort();
}

async function main() {
  const dest = await mkdtemp(join(tmpdir(), 'eolgul-check-packages-'));
  let failures = 0;
  try {
    const tarballs = await packAll(dest);
    const byName = new Map((await listPackages()).map((p) => [p.name, p]));
    for (const [name, tgz] of tarballs) {
      const { dir, pkg } = byName.get(name);
      const [pl, at, undeclared] = await Promise.all([runPublint(tgz), runAttw(tgz), undeclaredImports(dir, pkg)]);
      const ok = !pl.failed && !at.failed && undeclared.length === 0;
      if (!ok) failures++;
      console.log(`\n== ${name}: ${ok ? 'ok' : 'FAILED'}`);
      console.log(
        `imports: ${undeclared.length ? `FAILED, not in dependencies or peerDependencies: ${undeclared.join(', ')}` : 'all declared'}`,
      );
      console.log(
        `publint: ${pl.lines.length ? `\n  ${pl.lines.join('\n  ')}` : 'all good'}${pl.failed ? ' (FAILED)' : ''}`,
      );
      console.log(`attw:${at.failed ? ' (FAILED)' : ''}\n${at.report}`);
    }
    console.log(
      `\n${tarballs.size - failures} of ${tarballs.size} packages pass publint --strict, attw and the declared-imports check`,
    );
  } finally {
    await rm(dest, { recursive: true, force: true });
  }
  process.exitCode = failures ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
