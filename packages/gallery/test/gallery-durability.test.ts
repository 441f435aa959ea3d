import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEmbeddingPairFiles, writeEmbeddingPairFiles } from '@eolgul/core/node';
import { openGallery } from '../src/node.js';
import { applyOp, opAt, stateKey, vectorOf, DURABILITY_D, type ModelState } from './gallery-durability-ops.js';
import { rng } from './gallery-test-data.js';

/**
 * Durability: a child process performing gallery operations is SIGKILLed at random moments, 30 times; after each kill
 * the gallery must open, hold exactly the state after some prefix of the operations — every acknowledged operation,
 * plus at most the one in flight — and every row's vector must be the one enrolled for that image. Then two writer
 * processes enroll at the same time: nothing may be lost.
 */

let tmp: string;
let child: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'eolgul-durability-'));
  const here = path.dirname(fileURLToPath(import.meta.url));
  await build({
    configFile: false,
    logLevel: 'silent',
    resolve: {
      alias: [
        { find: /^@eolgul\/core$/, replacement: path.resolve(here, '../../core/src/index.ts') },
        { find: /^@eolgul\/core\/node$/, replacement: path.resolve(here, '../../core/src/node.ts') },
      ],
    },
    ssr: { noExternal: true },
    build: {
      ssr: path.join(here, 'gallery-durability-child.ts'),
      outDir: path.join(tmp, 'child'),
      emptyOutDir: true,
      minify: false,
      target: 'node20',
      rollupOptions: { output: { format: 'es', entryFileNames: 'child.mjs' } },
    },
  });
  child = path.join(tmp, 'child', 'child.mjs');
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

interface Run {
  acked: number[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs the child; with `killAfterMs`, SIGKILLs it that long after it printed `ready`. With `strace`, runs it under
 * `strace` with these arguments (and one libuv worker thread, so that its file system calls happen in a fixed order
 * on one thread, which is what strace counts).
 */
function runChild(args: string[], killAfterMs?: number, strace?: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const command = strace ? ['strace', '-f', '-qq', ...strace, process.execPath] : [process.execPath];
    const p = spawn(command[0], [...command.slice(1), child, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
    });
    const acked: number[] = [];
    let stderr = '';
    let buf = '';
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line === 'ready' && killAfterMs !== undefined) setTimeout(() => p.kill('SIGKILL'), killAfterMs);
        const m = /^ok (\d+)$/.exec(line);
        if (m) acked.push(Number(m[1]));
      }
    });
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('exit', (code, signal) => resolve({ acked, code, signal, stderr }));
  });
}

/** The gallery's state as a model, and a check that every stored vector is the one enrolled for its image. */
async function observe(dir: string): Promise<ModelState> {
  const g = await openGallery(dir, {
    create: true,
    dimension: DURABILITY_D,
    modelId: 'durability',
    defaultThreshold: 1,
  });
  try {
    const identities = new Map<string, string[]>();
    for (const name of g.identities()) identities.set(name, g.imagesOf(name));
    const state = { identities, excluded: new Set(g.excludedImages()) };
    const npy = path.join(tmp, 'check.npy');
    const csv = path.join(tmp, 'check.csv');
    await writeEmbeddingPairFiles(npy, csv, g.toPair());
    const pair = await readEmbeddingPairFiles(npy, csv);
    pair.imageIds.forEach((id, r) => {
      const got = pair.embeddings.subarray(r * DURABILITY_D, (r + 1) * DURABILITY_D);
      if (!got.every((x, j) => x === vectorOf(id)[j])) throw new Error(`row ${r} (${id}) does not hold its own vector`);
    });
    return state;
  } finally {
    await g.close();
  }
}

/** Evidence of an interrupted write left on disk: bytes past the committed lengths, or `.next` files. */
async function leftovers(dir: string): Promise<{ tail: boolean; next: boolean }> {
  try {
    const rec = JSON.parse(await readFile(path.join(dir, 'commit.json'), 'utf8')) as {
      files: Record<string, { bytes: number }>;
      replacing: string[];
    };
    let tail = false;
    for (const [f, { bytes }] of Object.entries(rec.files))
      if ((await stat(path.join(dir, f))).size > bytes) tail = true;
    const next = rec.replacing.length > 0 || (await readdir(dir)).some((f) => f.endsWith('.next'));
    return { tail, next };
  } catch {
    return { tail: false, next: false };
  }
}

describe('durability', () => {
  it('30 SIGKILLs at random moments: the gallery always opens in an old-or-new state, acknowledged writes kept', async () => {
    const dir = path.join(tmp, 'killed');
    const MAX = 5000;
    const states: string[] = [];
    const model: ModelState = { identities: new Map(), excluded: new Set() };
    states.push(stateKey(model));
    for (let i = 0; i < MAX; i++) {
      applyOp(model, opAt('p', i, true));
      states.push(stateKey(model));
    }
    const r = rng(2024);
    let start = 0;
    const stats = { rounds: 0, inFlightCommitted: 0, uncommittedTail: 0, pendingNext: 0, killedBeforeReady: 0 };
    for (let round = 0; round < 30; round++) {
      const delay = Math.floor(r() * 400);
      const run = await runChild([dir, 'p', String(start), String(MAX), '1'], delay);
      expect(run.signal, run.stderr).toBe('SIGKILL');
      const left = await leftovers(dir);
      if (left.tail) stats.uncommittedTail++;
      if (left.next) stats.pendingNext++;
      const last = run.acked.length ? run.acked[run.acked.length - 1] : start - 1;
      const key = stateKey(await observe(dir));
      // States after ops [0, last] (all acknowledged) or after op last + 1 (committed, not yet acknowledged).
      const j = [last + 1, last + 2].find((n) => states[n] === key);
      expect(j, `round ${round}: state is neither after op ${last} nor after op ${last + 1}`).toBeDefined();
      if (j === last + 2) stats.inFlightCommitted++;
      start = j as number;
      stats.rounds++;
    }
    console.log(`durability: ${JSON.stringify(stats)}, ${start} operations committed in total`);
    expect(start).toBeGreaterThan(30);
    // The kills did land in the middle of writes (not only between them).
    expect(stats.uncommittedTail + stats.pendingNext + stats.inFlightCommitted).toBeGreaterThan(0);
  }, 300_000);

  it('a kill at each step of a transaction (strace fault injection): before the commit the old state, after it the new', async () => {
    const dir = path.join(tmp, 'crash-points');
    const MAX = 200;
    const states: string[] = [];
    const model: ModelState = { identities: new Map(), excluded: new Set() };
    states.push(stateKey(model));
    for (let i = 0; i < MAX; i++) {
      applyOp(model, opAt('q', i, true));
      states.push(stateKey(model));
    }
    // Some history first (enrolls, removes, renames, exclusions).
    const warm = await runChild([dir, 'q', '0', '12', '1']);
    expect(warm.code, warm.stderr).toBe(0);
    let start = 12;
    /**
     * Where to kill, as a rule on the renames and fsyncs one operation makes (measured on a copy of the gallery, see
     * below): the rename that commits (`commit.json`), the first fsync after it, the first rename of a `.next` file over its file,
     * the second rename onto `commit.json`. `skip: true` makes the syscall fail instead of running (then the kill).
     */
    type Call = { name: 'rename' | 'fsync'; target: string };
    const points: {
      point: string;
      kind: 'enroll' | 'replace';
      expected: 'old' | 'new';
      at: (calls: Call[]) => number;
      skip: boolean;
    }[] = [
      {
        point: 'append, before the commit',
        kind: 'enroll',
        expected: 'old',
        at: (c) => c.findIndex((x) => x.target.endsWith('/commit.json')),
        skip: true,
      },
      {
        point: 'append, after the commit',
        kind: 'enroll',
        expected: 'new',
        at: (c) =>
          c.findIndex((x, i) => x.name === 'fsync' && i > c.findIndex((y) => y.target.endsWith('/commit.json'))),
        skip: false,
      },
      {
        point: 'replace, before the commit',
        kind: 'replace',
        expected: 'old',
        at: (c) => c.findIndex((x) => x.target.endsWith('/commit.json')),
        skip: true,
      },
      {
        point: 'replace, after the commit',
        kind: 'replace',
        expected: 'new',
        at: (c) => c.findIndex((x) => x.name === 'rename' && !x.target.endsWith('/commit.json')),
        skip: true,
      },
      {
        point: 'replace, after the renames',
        kind: 'replace',
        expected: 'new',
        at: (c) => c.findLastIndex((x) => x.target.endsWith('/commit.json')),
        skip: true,
      },
    ];
    const isKind = (i: number, kind: 'enroll' | 'replace') =>
      (opAt('q', i, true).kind === 'enroll') === (kind === 'enroll');
    for (const { point, kind, expected, at, skip } of points) {
      for (let trial = 0; trial < 2; trial++) {
        // Bring the gallery to just before the next operation of the wanted kind.
        expect((await runChild([dir, 'recover', '0', '0', '0'])).code).toBe(0); // what the last kill left, finished
        let j = start;
        while (!isKind(j, kind)) j++;
        if (j > start) expect((await runChild([dir, 'q', String(start), String(j), '1'])).code).toBe(0);
        // Measure: the same operation on a copy, its renames and fsyncs traced in order.
        const copy = path.join(tmp, 'crash-copy');
        await rm(copy, { recursive: true, force: true });
        await cp(dir, copy, { recursive: true });
        const log = path.join(tmp, 'strace.log');
        const dry = await runChild([copy, 'q', String(j), String(j + 1), '1'], undefined, [
          '-o',
          log,
          '-e',
          'trace=rename,fsync',
          '-e',
          'signal=none',
        ]);
        expect(dry.code, dry.stderr).toBe(0);
        const calls: Call[] = (await readFile(log, 'utf8'))
          .split('\n')
          .map((l) => /^\d+ +(rename|fsync)\((.*)\) += /.exec(l))
          .filter((m) => m !== null)
          .map((m) => ({
            name: m[1] as Call['name'],
            target: m[1] === 'rename' ? (/, "([^"]*)"$/.exec(m[2])?.[1] ?? '') : '',
          }));
        const k = at(calls);
        expect(
          k,
          `${point}: the measured operation has no such call (${JSON.stringify(calls)})`,
        ).toBeGreaterThanOrEqual(0);
        const nth = calls.slice(0, k + 1).filter((c) => c.name === calls[k].name).length;
        const inject = `inject=${calls[k].name}:${skip ? 'error=EIO:' : ''}signal=KILL:when=${nth}`;
        // Kill the real process at that call.
        const run = await runChild([dir, 'q', String(j), String(MAX), '1'], undefined, [
          '-o',
          '/dev/null',
          '-e',
          `trace=${calls[k].name}`,
          '-e',
          inject,
        ]);
        expect(run.signal ?? run.code, `${point}: ${run.stderr}`).toSatisfy(
          (x: unknown) => x === 'SIGKILL' || x === 137,
        );
        expect(run.acked, `${point}: killed during its first operation`).toEqual([]);
        const key = stateKey(await observe(dir));
        const want = expected === 'old' ? j : j + 1;
        expect(key, `${point} trial ${trial}: expected the ${expected} state (after op ${want - 1})`).toBe(
          states[want],
        );
        start = want;
      }
    }
  }, 300_000);

  it('two writer processes enrolling at the same time both succeed; nothing is lost', async () => {
    const dir = path.join(tmp, 'concurrent');
    const N = 40;
    const [a, b] = await Promise.all([
      runChild([dir, 'a', '0', String(N), '0']),
      runChild([dir, 'b', '0', String(N), '0']),
    ]);
    expect([a.code, a.stderr]).toEqual([0, '']);
    expect([b.code, b.stderr]).toEqual([0, '']);
    expect(a.acked).toHaveLength(N);
    expect(b.acked).toHaveLength(N);
    const model: ModelState = { identities: new Map(), excluded: new Set() };
    for (let i = 0; i < N; i++) {
      applyOp(model, opAt('a', i, false));
      applyOp(model, opAt('b', i, false));
    }
    const seen = await observe(dir);
    expect(seen.identities.size).toBe(2 * N);
    expect(stateKey(seen)).toBe(stateKey(model));
  }, 120_000);
});
