#!/usr/bin/env node
// Load benchmark of the HTTP service (examples/server) on loopback, against the same machine's worker pool and CLI in
// the same run. Writes docs/benchmarks/server.md.
//
//   pnpm bench:server          (= turbo run build && node scripts/bench-server.mjs)
//   node scripts/bench-server.mjs [--workers N] [--images 100] [--soak 10000] [--out FILE]
//
// Images: LFW photos with exactly one face (../shared/data/lfw-subset if present, else examples/data), 250×250 JPEG,
// sent as raw `image/jpeg` bodies to POST /v1/recognise, round-robin. The gallery holds the 4 sample people.
// 1. Worker pool: createFaceRecognizer({ workers: N }) in this process, every image analysed with 2N in flight;
//    images/s from the first call to the last answer (models already loaded); measured before and again after the
//    service's runs, and the service is compared with the mean of the two.
// 2. CLI: `eolgul embed --workers N` over the same images, spawn to exit (start-up and model loads included).
// 3. The service (a child process, N workers, emotion off as in 1 and 2): autocannon at concurrency 1, 8 and 32, each
//    a fixed number of requests (bounded in count and by a 10 s timeout per request): requests/s, p50 / p99, errors.
// 4. Soak: --soak requests at concurrency 8 in ten rounds, the service's RSS after each (VmRSS of the whole process,
//    worker threads included).
// 5. Overload: a service with EOLGUL_QUEUE_LIMIT=8 at concurrency 128: how many 503 (+ Retry-After), how fast, and RSS.
// The machine may be shared: the 1-minute load average is recorded next to each figure.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { listImages } from './lib/lfw-images.mjs';
import { writeBenchmarkDoc } from './lib/write-doc.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const workers = Number(opt('workers', String(os.availableParallelism())));
const nImages = Number(opt('images', '100'));
const soak = Number(opt('soak', '10000'));
const outFile = resolve(opt('out', join(root, 'docs', 'benchmarks', 'server.md')));
const serverMain = join(root, 'examples', 'server', 'dist', 'server-main.js');
const cliBin = join(root, 'packages', 'cli', 'dist', 'cli.js');
for (const f of [serverMain, cliBin, join(root, 'packages', 'eolgul', 'dist')]) {
  if (!existsSync(f)) throw new Error(`missing ${f}: build first (pnpm build)`);
}
const load = () => os.loadavg()[0].toFixed(2);
const tmp = mkdtempSync(join(os.tmpdir(), 'eolgul-bench-server-'));
const lfw = join(root, '..', 'shared', 'data', 'lfw-subset', 'images');
const source = existsSync(lfw) ? lfw : join(root, 'examples', 'data', 'gallery');
const { createFaceRecognizer } = await import('eolgul');

// 1. The worker pool, and the images with exactly one face.
const candidates = listImages(source, Math.round(nImages * 1.2));
const recognizer = await createFaceRecognizer({ workers });
const oneFace = [];
for (const p of candidates.paths) {
  if (oneFace.length < nImages && (await recognizer.analyse(p)).faces.length === 1) oneFace.push(p);
}
const bodies = oneFace.map((p) => readFileSync(p));
/** The pool's images/s over 3 passes of the images with 2N in flight (models already loaded). */
async function poolPass() {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 2 * workers }, async () => {
      for (let i = next++; i < 3 * bodies.length; i = next++) await recognizer.analyse(bodies[i % bodies.length]);
    }),
  );
  return (3 * bodies.length * 1000) / (performance.now() - t0);
}
const poolBefore = await poolPass();
const poolLoadBefore = load();
console.log(`pool: ${poolBefore.toFixed(1)} images/s (${workers} workers, load ${poolLoadBefore})`);

// 2. The CLI over the same images.
const cliDir = join(tmp, 'images');
for (const p of oneFace) {
  mkdirSync(join(cliDir, basename(dirname(p))), { recursive: true });
  symlinkSync(p, join(cliDir, basename(dirname(p)), basename(p)));
}
const cliStart = performance.now();
await promisify(execFile)(process.execPath, [
  cliBin,
  'embed',
  cliDir,
  '--out',
  join(tmp, 'emb'),
  '--workers',
  String(workers),
]);
const cliRate = (oneFace.length * 1000) / (performance.now() - cliStart);
console.log(`cli: ${cliRate.toFixed(1)} images/s end to end (load ${load()})`);

// 3–5. The service.
async function startService(env) {
  const dataDir = mkdtempSync(join(tmp, 'svc-'));
  const base = { ...process.env, EOLGUL_DATA_DIR: dataDir, EOLGUL_WORKERS: String(workers), EOLGUL_EMOTION: 'off' };
  const key = (
    await promisify(execFile)(
      process.execPath,
      [serverMain, 'add-key', '--name', 'bench', '--scope', 'admin', '--rate', '10000000'],
      { env: base },
    )
  ).stdout.trim();
  const port = await new Promise((res) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
  // Request logging off (LOG_LEVEL warn): 20,000 JSON lines would be measured too.
  const child = spawn(process.execPath, [serverMain], {
    env: { ...base, PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let t0 = Date.now(); ; ) {
    if (child.exitCode !== null) throw new Error(`service exited ${child.exitCode}`);
    if (
      (await fetch(`${url}/ready`).then(
        (r) => r.status,
        () => 0,
      )) === 200
    )
      break;
    if (Date.now() - t0 > 120_000) throw new Error('service not ready in 120 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024;
  return { url, key, child, rss };
}

function cannon(svc, connections, amount) {
  let i = 0;
  return autocannon({
    url: svc.url,
    connections,
    amount,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/v1/recognise',
        headers: { authorization: `Bearer ${svc.key}`, 'content-type': 'image/jpeg' },
        setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length] }),
      },
    ],
  });
}

const svc = await startService({});
for (const [name, photos] of Object.entries({ Tom_Hanks: 4, Jackie_Chan: 4, Serena_Williams: 4, 'Roh_Moo-hyun': 4 })) {
  const form = new FormData();
  form.append('name', name.replace(/_/g, ' '));
  const dir = join(root, 'examples', 'data', 'gallery', name);
  for (const f of readdirSync(dir).slice(0, photos)) form.append('image', new Blob([readFileSync(join(dir, f))]), f);
  const r = await fetch(`${svc.url}/v1/subjects`, {
    method: 'POST',
    headers: { authorization: `Bearer ${svc.key}` },
    body: form,
  });
  if (r.status !== 201 && r.status !== 422) throw new Error(`enroll ${name}: ${r.status} ${await r.text()}`);
}
await cannon(svc, 4, 100); // warm-up
const runs = [];
for (const [c, amount] of [
  [1, 300],
  [8, 1500],
  [32, 1500],
]) {
  const r = await cannon(svc, c, amount);
  const errors = r.errors + r.timeouts + r.non2xx;
  runs.push({
    c,
    amount,
    rps: (r.requests.total * 1000) / (r.duration * 1000),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors,
    load: load(),
  });
  console.log(
    `c=${c}: ${runs.at(-1).rps.toFixed(1)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, errors ${errors}`,
  );
}
// The pool again, right after the service's runs (the service idle), so that a change of load shows.
const poolAfter = await poolPass();
const poolLoadAfter = load();
await recognizer.dispose();
const poolRate = (poolBefore + poolAfter) / 2;
console.log(`pool again: ${poolAfter.toFixed(1)} images/s (load ${poolLoadAfter})`);
const rssSeries = [svc.rss()];
let soakErrors = 0;
for (let round = 0; round < 10; round++) {
  const r = await cannon(svc, 8, Math.round(soak / 10));
  soakErrors += r.errors + r.timeouts + r.non2xx;
  rssSeries.push(svc.rss());
}
console.log(`soak: RSS ${rssSeries.map((m) => m.toFixed(0)).join(' → ')} MiB, errors ${soakErrors}`);
svc.child.kill('SIGTERM');

const over = await startService({ EOLGUL_QUEUE_LIMIT: '8' });
const rssOver0 = over.rss();
const o = await cannon(over, 128, 3000);
const codes = Object.fromEntries(Object.entries(o.statusCodeStats).map(([k, v]) => [k, v.count]));
codes['no answer in 10 s'] = o.timeouts;
codes['connection errors'] = Math.max(0, o.errors - o.timeouts);
const rssOver1 = over.rss();
over.child.kill('SIGTERM');
console.log(
  `overload: ${JSON.stringify(codes)}, p50 ${o.latency.p50} ms, p99 ${o.latency.p99} ms, RSS ${rssOver0.toFixed(0)} → ${rssOver1.toFixed(0)} MiB`,
);
rmSync(tmp, { recursive: true, force: true });

const pct = (x) => `${((100 * x) / poolRate).toFixed(0)} %`;
const md = `# HTTP service (examples/server)

Generated by \`node scripts/bench-server.mjs ${args.join(' ')}\` on ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores
(${os.cpus()[0].model}), Node ${process.version}, ${workers} workers. ${oneFace.length} LFW photos with one face each
(250×250 JPEG, from ${source === lfw ? 'lfw-subset' : 'examples/data'}), sent round-robin as raw \`image/jpeg\` bodies
to \`POST /v1/recognise\` over loopback by autocannon; the gallery holds 4 people; expression off everywhere.
Load average (1 min) next to each figure: the machine may have been shared.

## Throughput against the worker pool and the CLI, same run

| what | images/s | vs pool | p50 ms | p99 ms | errors | load |
| --- | --- | --- | --- | --- | --- | --- |
| worker pool in-process (\`createFaceRecognizer({ workers: ${workers} })\`, ${2 * workers} in flight), before / after the service runs | ${poolBefore.toFixed(1)} / ${poolAfter.toFixed(1)} | mean = 100 % | | | | ${poolLoadBefore} / ${poolLoadAfter} |
| \`eolgul embed --workers ${workers}\` (spawn to exit) | ${cliRate.toFixed(1)} | ${pct(cliRate)} | | | | |
${runs.map((r) => `| service, concurrency ${r.c} (${r.amount} requests) | ${r.rps.toFixed(1)} | ${pct(r.rps)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.load} |`).join('\n')}

Goal: at concurrency ≥ 8, at least 80 % of the pool's images/s, p99 under 250 ms at 8, no errors.

## Memory over ${soak.toLocaleString('en')} requests (concurrency 8)

RSS of the service process (all threads), MiB, at the start and after each tenth: ${rssSeries.map((m) => m.toFixed(0)).join(' → ')}
(errors: ${soakErrors}).

## Overload: queue limit 8, concurrency 128, 3000 requests

Status codes: ${Object.entries(codes)
  .map(([k, v]) => `${k}: ${v}`)
  .join(', ')}; latency of all answers p50 ${o.latency.p50} ms,
p99 ${o.latency.p99} ms; RSS ${rssOver0.toFixed(0)} → ${rssOver1.toFixed(0)} MiB. A 503 carries \`Retry-After: 1\` and
costs no inference: the queue never holds more than ${2 * workers} images in the pool and 8 waiting.
`;
writeBenchmarkDoc(outFile, md);
console.log(`wrote ${outFile}`);
