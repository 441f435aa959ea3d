/**
 * A real PostgreSQL wire-protocol server for tests: PGlite (PostgreSQL compiled to WASM) with the pgvector extension,
 * served on 127.0.0.1 by @electric-sql/pglite-socket, so that the `pg` client talks to it as to any server.
 */
import { createServer } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startPgServer() {
  const db = await PGlite.create({ extensions: { vector } });
  const port = await freePort();
  const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 4 });
  await server.start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    /** A pg pool; PGlite runs one query at a time, so one connection. */
    pool: () => new pg.Pool({ connectionString: url, max: 1 }),
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
