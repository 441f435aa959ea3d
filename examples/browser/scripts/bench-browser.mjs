// Frames per second of the browser example in headless Chromium (Debian's, through playwright-core) on this machine:
// 640×480 frames with one face from a fake camera (a 30 fps y4m made with ffmpeg from LFW images), wasm backends.
// Builds the app into a temp folder, serves it on 127.0.0.1, and for each setting opens the page, lets it warm up,
// then counts the frames it analysed over a fixed window (window.eolgul.frames, the data behind the on-screen FPS).
//
// The machine is shared: each setting is measured in several interleaved rounds and the best round is reported in full.
// Usage: node examples/browser/scripts/bench-browser.mjs [--rounds 3] [--seconds 10] [--only '?refresh=0,?threads=2'] [--lfw <dir>]
// Needs: apt-get install -y chromium ffmpeg; the packages built (pnpm build).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { writeY4m } from './browser-video.mjs';
import { serveStatic } from './serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const appDir = join(here, '..');
const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '4' },
    lfw: { type: 'string', default: join(appDir, '..', '..', '..', 'shared', 'data', 'lfw-subset', 'images') },
    person: { type: 'string', default: 'Colin_Powell' },
    only: { type: 'string' },
  },
});
const seconds = Number(args.seconds);
const rounds = Number(args.rounds);
const warmup = Number(args.warmup);

/** Settings measured: the query string of the page, and what it means. */
const ALL_RUNS = [
  {
    query: '',
    what: 'default: detect every frame, embedding + emotion of a tracked face every 200 ms; 1 wasm thread',
  },
  {
    query: '?refresh=0',
    what: 'full pipeline on every frame (detect + landmarks + align + embed + emotion + identify)',
  },
  { query: '?threads=2', what: 'default, 2 wasm threads' },
];
const RUNS = args.only
  ? args.only.split(',').map((q) => ALL_RUNS.find((r) => r.query === q) ?? { query: q, what: q })
  : ALL_RUNS;

/**
 * CPU seconds (user + system) used so far by the descendants of process `pid` (Linux /proc): called with this script's
 * pid, that is the Chromium that playwright started (every process of it).
 */
function descendantsCpuSeconds(pid) {
  const children = new Map();
  const own = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(f[1]);
      own.set(Number(d), (Number(f[11]) + Number(f[12])) / 100);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch {
      // the process ended meanwhile
    }
  }
  let total = -(own.get(pid) ?? 0);
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    total += own.get(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

const tmp = mkdtempSync(join(tmpdir(), 'eolgul-browser-bench-'));
const outDir = join(tmp, 'dist');
await build({
  configFile: join(appDir, 'vite.config.ts'),
  root: appDir,
  logLevel: 'error',
  build: { outDir, emptyOutDir: true },
});
const server = await serveStatic(outDir);

// One face per frame: 5 photos of one person, 1 s each, looped, 30 fps.
const personDir = join(args.lfw, args.person);
const photos = readdirSync(personDir)
  .sort()
  .slice(0, 5)
  .map((f) => join(personDir, f));
const y4m = join(tmp, 'one-face.y4m');
await writeY4m(
  y4m,
  photos.map((path) => ({ kind: 'image', path, seconds: 1 })),
  30,
);

const loadBefore = loadavg()[0];
const browser = await chromium.launch({
  // chromium.launch starts the browser itself, so its process tree is ours to measure.
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${y4m}`,
  ],
});
const version = browser.version();
/** Per setting, one measurement per round. */
const results = RUNS.map(() => []);
try {
  for (let round = 0; round < rounds; round++)
    for (const [i, run] of RUNS.entries()) {
      const page = await browser.newPage();
      await page.goto(server.url + run.query);
      await page.waitForFunction(() => window.eolgul?.ready || window.eolgul?.error, null, { timeout: 120_000 });
      const err = await page.evaluate(() => window.eolgul.error);
      if (err) throw new Error(err);
      await page.waitForTimeout(warmup * 1000);
      const t0 = await page.evaluate(() => performance.now());
      const cpu0 = descendantsCpuSeconds(process.pid);
      await page.waitForTimeout(seconds * 1000);
      const cpu1 = descendantsCpuSeconds(process.pid);
      const r = await page.evaluate((start) => {
        const e = window.eolgul;
        const f = e.frames.filter((x) => x.t >= start);
        const withFace = f.filter((x) => x.faces.length === 1).length;
        const span = (f[f.length - 1].t - f[0].t) / 1000;
        const mean = (k) => f.reduce((a, x) => a + x.ms[k], 0) / f.length;
        const totals = f.map((x) => x.ms.total).sort((a, b) => a - b);
        const q = (p) => totals[Math.min(totals.length - 1, Math.floor(p * totals.length))];
        return {
          backends: e.backends,
          frames: f.length,
          oneFace: withFace,
          fps: (f.length - 1) / span,
          detect: mean('detect'),
          analyse: mean('analyse'),
          total: mean('total'),
          p50: q(0.5),
          p95: q(0.95),
          shownFps: e.fps,
        };
      }, t0);
      results[i].push({
        ...run,
        ...r,
        cpuMsPerFrame: ((cpu1 - cpu0) * 1000) / r.frames,
        cpuCores: (cpu1 - cpu0) / seconds,
        load: loadavg()[0],
      });
      console.error(
        `round ${round + 1} ${run.query || '(default)'}: ${r.fps.toFixed(1)} fps, load ${loadavg()[0].toFixed(1)}`,
      );
      await page.close();
    }
} finally {
  await browser.close();
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
}

console.log(
  `Chromium ${version} headless, --disable-gpu; ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}; camera: fake, 640×480 at 30 fps, one face (LFW ${args.person}); ${rounds} interleaved rounds of ${seconds} s per setting, each after ${warmup} s warm-up`,
);
console.log(
  `1-minute load average: ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after (other processes on the machine lower the numbers)`,
);
console.log('');
console.log('Best round (the least disturbed) in full; fps of every round beside it.');
console.log('');
console.log(
  '| setting | backends | fps best | fps per round | frames with 1 face | ms/frame mean (p50, p95) | detect ms | embed + emotion ms | Chromium CPU ms/frame (cores busy) | load |',
);
console.log('| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const list of results) {
  const r = list.reduce((a, b) => (b.fps > a.fps ? b : a));
  console.log(
    `| ${r.what} (\`${r.query || '/'}\`) | ${r.backends} | **${r.fps.toFixed(1)}** | ${list.map((x) => x.fps.toFixed(1)).join(', ')} | ${r.oneFace}/${r.frames} | ${r.total.toFixed(1)} (${r.p50.toFixed(1)}, ${r.p95.toFixed(1)}) | ${r.detect.toFixed(1)} | ${r.analyse.toFixed(1)} | ${r.cpuMsPerFrame.toFixed(1)} (${r.cpuCores.toFixed(2)}) | ${r.load.toFixed(1)} |`,
  );
}
