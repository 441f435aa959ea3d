// Several replicas of the service on one real PostgreSQL server (Debian's PostgreSQL, started for this file): a face
// enrolled through one replica is identified by another; SIGKILL of a replica during enrollments loses no acknowledged
// face and leaves no half-enrolled subject; a replica started later loads the shared gallery.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgres } from '../../../test/support/postgres-server.js';
import { addKey, call, form, type ServiceProcess, samplePhotos, startService } from './server-process.js';

let pg: PostgresServer;
let dir: string;
let env: NodeJS.ProcessEnv;
let key: string;
const replicas: ServiceProcess[] = [];
const tom = samplePhotos('Tom_Hanks');
const jackie = samplePhotos('Jackie_Chan');
const serena = samplePhotos('Serena_Williams');

async function replica(): Promise<ServiceProcess> {
  const r = await startService(env);
  replicas.push(r);
  return r;
}

/** Polls `fn` every 5 ms until it returns true; resolves to the milliseconds it took. */
async function within(limitMs: number, fn: () => Promise<boolean>): Promise<number> {
  const t0 = performance.now();
  while (!(await fn())) {
    if (performance.now() - t0 > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - t0;
}

const subjects = async (r: ServiceProcess) =>
  Object.fromEntries(
    (await call(r.url, key, 'GET', '/v1/subjects')).body.subjects.map((s: { name: string; faces: number }) => [
      s.name,
      s.faces,
    ]),
  );

beforeAll(async () => {
  pg = await startPostgres();
  dir = await mkdtemp(join(tmpdir(), 'eolgul-replicas-'));
  env = { DATABASE_URL: pg.url, EOLGUL_DATA_DIR: dir, EOLGUL_EMOTION: 'off' };
  key = await addKey(env, 'ops', ['admin']);
}, 120_000);

afterAll(async () => {
  for (const r of replicas) await r.stop();
  await pg?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('replicas on one PostgreSQL', () => {
  it('a face enrolled through replica A is identified by replica B', async () => {
    const a = await replica();
    const b = await replica();
    const t = await call(a.url, key, 'POST', '/v1/subjects', await form({ image: tom.gallery }, { name: 'Tom Hanks' }));
    expect(t.status).toBe(201);
    // NOTIFY normally brings it in milliseconds; the poll (every 1 s) bounds it when a notification is lost.
    const ms = await within(1500, async () => (await subjects(b))['Tom Hanks'] === 4);
    expect(ms).toBeLessThan(1500);
    const r = await call(b.url, key, 'POST', '/v1/recognise', await form({ image: [tom.probes[0]] }));
    expect(r.body.faces[0]).toMatchObject({ subject: 'Tom Hanks', match: { accepted: true } });
    expect(t.body.faceIds).toContain(r.body.faces[0].match.faceId);
    // Deletions follow too.
    const j = await call(
      b.url,
      key,
      'POST',
      '/v1/subjects',
      await form({ image: jackie.gallery.slice(0, 1) }, { name: 'Jackie' }),
    );
    expect(j.status).toBe(201);
    await within(1500, async () => (await subjects(a)).Jackie === 1);
    expect((await call(a.url, key, 'DELETE', '/v1/subjects/Jackie')).status).toBe(200);
    await within(1500, async () => !('Jackie' in (await subjects(b))));
    expect((await call(b.url, undefined, 'GET', '/ready')).status).toBe(200);
  });

  it('SIGKILL of a replica during enrollments loses no acknowledged face and half-enrolls no one', async () => {
    const victim = await replica();
    const witness = replicas[1];
    const photos = [...serena.gallery, ...jackie.gallery];
    const sent = Array.from({ length: 8 }, (_, i) => ({
      name: `person ${i}`,
      images: [photos[i], photos[(i + 3) % 8]],
    }));
    const acknowledged: string[] = [];
    let killed = false;
    const requests = sent.map(async (s) => {
      const r = await call(
        victim.url,
        key,
        'POST',
        '/v1/subjects',
        await form({ image: s.images }, { name: s.name }),
      ).catch(() => ({ status: 0, body: null }));
      if (r.status === 201) {
        acknowledged.push(s.name);
        if (!killed) {
          killed = true;
          victim.child.kill('SIGKILL'); // right after the first acknowledgement: the others are mid-flight
        }
      }
    });
    await Promise.all(requests);
    expect(await victim.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(acknowledged.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1500)); // the witness's poll interval, plus margin
    const seen = await subjects(witness);
    for (const name of acknowledged) expect(seen[name]).toBe(2);
    // Whatever else committed before the kill is whole: two faces, never one.
    for (const s of sent) expect([undefined, 2]).toContain(seen[s.name]);
    // A replica started now loads the same gallery from the database.
    const late = await replica();
    expect(await subjects(late)).toEqual(seen);
  });

  it('with the database down: recognition goes on from memory, writes answer 503, readiness says why', async () => {
    const r = replicas[1];
    await pg.stop();
    const seen = await call(r.url, key, 'POST', '/v1/recognise', await form({ image: [tom.probes[1]] }));
    expect(seen.body.faces[0].subject).toBe('Tom Hanks');
    const write = await call(
      r.url,
      key,
      'POST',
      '/v1/subjects',
      await form({ image: [serena.probes[0]] }, { name: 'Late' }),
    );
    expect(write.status).toBe(503);
    expect(write.body.error.code).toBe('STORAGE_UNAVAILABLE');
    await within(10_000, async () => (await call(r.url, undefined, 'GET', '/ready')).status === 503);
    const ready = await call(r.url, undefined, 'GET', '/ready');
    expect(ready.body.error).toMatchObject({ code: 'NOT_READY', message: expect.stringContaining('database') });
  });
});
