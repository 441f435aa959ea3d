#!/usr/bin/env node
// The system tools the test suite needs beyond Node and npm, checked (and installed with apt-get when run as root on
// Debian) before `pnpm test` runs anything, so that the README's test command passes on a fresh machine:
//   - Debian's chromium: the browser tests drive it with playwright-core (never a downloaded browser);
//   - ffmpeg: `eolgul watch` decodes video with it, the browser tests make their fake-camera clips with it;
//   - numpy (python3-numpy): tests check that the NPY files we write load in numpy;
//   - PostgreSQL's server binaries (initdb, pg_ctl): the PostgreSQL gallery and the HTTP service start their own cluster;
//   - strace: the gallery's crash test kills a real writer at chosen system calls (strace's fault injection).
// Without root, or without apt-get, it names what is missing and the command that installs it, and exits 1.
//
//   node scripts/test-prerequisites.mjs [--check]     (--check: report only, install nothing)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const works = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

/** One tool: how to tell it is there, and the Debian package that brings it. */
const TOOLS = [
  {
    name: 'chromium',
    apt: 'chromium',
    why: 'the browser tests (playwright-core drives /usr/bin/chromium)',
    present: () => existsSync('/usr/bin/chromium'),
  },
  {
    name: 'ffmpeg',
    apt: 'ffmpeg',
    why: '`eolgul watch` and the fake-camera clips of the browser tests',
    present: () => works(process.env.EOLGUL_FFMPEG || 'ffmpeg', ['-version']),
  },
  {
    name: 'numpy',
    apt: 'python3-numpy',
    why: 'the checks that numpy reads the NPY files eolgul writes',
    present: () => ['python3', '/usr/bin/python3'].some((py) => works(py, ['-c', 'import numpy'])),
  },
  {
    name: 'PostgreSQL server',
    apt: 'postgresql',
    why: 'the PostgreSQL gallery store and the HTTP service tests (initdb, pg_ctl)',
    present: () =>
      (process.env.EOLGUL_PG_BIN && existsSync(`${process.env.EOLGUL_PG_BIN}/initdb`)) ||
      (existsSync('/usr/lib/postgresql') &&
        readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`))),
  },
  {
    name: 'strace',
    apt: 'strace',
    why: "the gallery's crash test (a writer killed at chosen renames and fsyncs)",
    present: () => works('strace', ['-V']),
  },
];

const missing = () => TOOLS.filter((t) => !t.present());
const checkOnly = process.argv.includes('--check');
let absent = missing();
if (absent.length === 0) {
  console.log(`test prerequisites: ${TOOLS.map((t) => t.name).join(', ')} present`);
  process.exit(0);
}
const packages = absent.map((t) => t.apt);
const isRoot = process.getuid?.() === 0;
if (!checkOnly && isRoot && works('apt-get', ['--version'])) {
  console.log(`test prerequisites: installing ${packages.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'inherit', env });
  } catch (err) {
    console.error(`apt-get failed: ${err.message}`);
  }
  absent = missing();
}
if (absent.length > 0) {
  console.error('The tests need tools this machine does not have:');
  for (const t of absent) console.error(`  - ${t.name} (Debian package ${t.apt}): ${t.why}`);
  console.error(
    `Install them with: ${isRoot ? '' : 'sudo '}apt-get update && ${isRoot ? '' : 'sudo '}apt-get install -y ${absent.map((t) => t.apt).join(' ')}`,
  );
  process.exit(1);
}
console.log(`test prerequisites: ${TOOLS.map((t) => t.name).join(', ')} present`);
