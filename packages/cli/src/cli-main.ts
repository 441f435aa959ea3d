// The `eolgul` command once its environment is set (see cli.ts).
import { runCli } from './cli-program.js';

// `eolgul identify --json … | head -1`: the reader went away; stop quietly instead of throwing EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await runCli(process.argv.slice(2));
