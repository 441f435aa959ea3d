/**
 * A real PostgreSQL server for tests: Debian's PostgreSQL binaries (`initdb`, `pg_ctl`), a fresh cluster in a temp
 * folder, listening on 127.0.0.1 at a free port (and on a Unix socket inside that folder), trust authentication for
 * the `postgres` role. `stop()` shuts it down and deletes the folder; a test process that exits without calling it
 * still stops the server (an exit hook).
 *
 * PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` system user (created by the
 * Debian package) and every server command runs through `setpriv`. Binaries come from `EOLGUL_PG_BIN` or the newest
 * `/usr/lib/postgresql/<version>/bin`; when none is there, the error says what to install.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A running test server. */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  url: string;
  /** The loopback TCP port. */
  port: number;
  /** The cluster's folder (data directory under `data/`, socket directory `socket/`). */
  dir: string;
  /** A connection string for another database of this server (`createDatabase` makes one). */
  urlOf(database: string): string;
  /** Creates an empty database and returns its connection string. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (`pg_ctl stop -m fast`) and deletes its folder. */
  stop(): Promise<void>;
}

/** Where the server binaries are, or an error that says how to get them. */
export function postgresBinDir(): string {
  const fromEnv = process.env.EOLGUL_PG_BIN;
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length) {
    throw new Error(
      'PostgreSQL server binaries not found (no /usr/lib/postgresql/<version>/bin/initdb): install them with ' +
        '`apt-get install postgresql` (Debian) or set EOLGUL_PG_BIN to the folder holding initdb and pg_ctl',
    );
  }
  return join(root, versions[0], 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The command prefix that runs a server binary as a non-root user (empty when we are not root). */
function asServerUser(): { prefix: string[]; uid: number; gid: number } {
  const me = userInfo();
  if (me.uid !== 0) return { prefix: [], uid: me.uid, gid: me.gid };
  let ids: string[];
  try {
    ids = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .concat(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  } catch {
    throw new Error(
      'running as root and there is no `postgres` system user to run PostgreSQL as (apt-get install postgresql creates it)',
    );
  }
  const [uid, gid] = ids.map(Number);
  return { prefix: ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'], uid, gid };
}

const live = new Set<{ pgCtl: string[]; data: string; dir: string }>();
process.once('exit', () => {
  for (const s of live) {
    try {
      execFileSync(s.pgCtl[0], [...s.pgCtl.slice(1), 'stop', '-D', s.data, '-m', 'immediate', '-w'], {
        stdio: 'ignore',
      });
      execFileSync('rm', ['-rf', s.dir]);
    } catch {
      // best effort: the process is exiting
    }
  }
});

/**
 * Starts a fresh PostgreSQL cluster (about 1–3 s: `initdb` then `pg_ctl start`).
 * @param options.settings extra `postgres -c` settings, e.g. `{ max_connections: '200' }`.
 */
export async function startPostgres(options: { settings?: Record<string, string> } = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const user = asServerUser();
  const cmd = (name: string) => [...user.prefix, join(bin, name)];
  const dir = await mkdtemp(join(tmpdir(), 'eolgul-pg-'));
  const data = join(dir, 'data');
  const socket = join(dir, 'socket');
  await chmod(dir, 0o700);
  await chown(dir, user.uid, user.gid);
  const exec = async (argv: string[]) => {
    try {
      return await run(argv[0], argv.slice(1), { env: { ...process.env, LC_ALL: 'C' } });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`${argv.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
    }
  };
  await exec([...cmd('initdb'), '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '-N']);
  await mkdir(socket);
  await chown(socket, user.uid, user.gid);
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    const settings: Record<string, string> = {
      listen_addresses: '127.0.0.1',
      port: String(port),
      unix_socket_directories: socket,
      max_connections: '100',
      ...options.settings,
    };
    const opts = Object.entries(settings)
      .map(([k, v]) => `-c ${k}=${v}`)
      .join(' ');
    try {
      await exec([...cmd('pg_ctl'), 'start', '-D', data, '-w', '-t', '60', '-l', join(dir, 'server.log'), '-o', opts]);
      break;
    } catch (err) {
      if (attempt >= 2) throw err; // the port was taken between freePort and the server's bind: try another
    }
  }
  const entry = { pgCtl: cmd('pg_ctl'), data, dir };
  live.add(entry);
  const urlOf = (database: string) => `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  return {
    url: urlOf('postgres'),
    port,
    dir,
    urlOf,
    async createDatabase(name: string) {
      await exec([...cmd('createdb'), '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name]);
      return urlOf(name);
    },
    async stop() {
      if (!live.delete(entry)) return;
      await exec([...entry.pgCtl, 'stop', '-D', data, '-m', 'fast', '-w', '-t', '60']).catch(() =>
        exec([...entry.pgCtl, 'stop', '-D', data, '-m', 'immediate', '-w']),
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}
