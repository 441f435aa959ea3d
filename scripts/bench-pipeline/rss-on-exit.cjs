// Preloaded with `node -r` into the `eolgul embed` process by scripts/bench-pipeline.mjs: at exit, prints the process's
// peak RSS and CPU time (all threads) to stderr on one line `BENCH_USAGE {json}`.
const { isMainThread } = require('node:worker_threads');
if (isMainThread) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    process.stderr.write(
      `BENCH_USAGE ${JSON.stringify({ maxRssMiB: u.maxRSS / 1024, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 })}\n`,
    );
  });
}
