// PostgresGalleryStore against a real PostgreSQL server started for this file (Debian's binaries, a temp cluster):
// the one conformance suite, then replicas that follow each other through LISTEN/NOTIFY and the change log.
import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GalleryMismatchError, InvalidArgumentError } from '@eolgul/core';
import { PostgresGalleryStore, type PostgresStoreOptions } from '../src/pg.js';
import type { GalleryStore } from '../src/index.js';
import { type PostgresServer, startPostgres } from '../../../test/support/postgres-server.js';
import { runGalleryStoreConformance } from './gallery-store-conformance.js';
import { clusters, near, rng, unitVector } from './gallery-test-data.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
}, 120_000);
afterAll(async () => {
  await server?.stop();
  if (server) expect(existsSync(server.dir)).toBe(false);
});

let n = 0;
const tables = new WeakMap<GalleryStore, string>();
runGalleryStoreConformance('PostgresGalleryStore over a real PostgreSQL (plain tables, in-memory index)', {
  persistent: true,
  create: async (dimension) => {
    const table = `conf${++n}`;
    const store = await PostgresGalleryStore.open(server.url, {
      create: true,
      dimension,
      modelId: 'test-model',
      defaultThreshold: 1,
      table,
    });
    tables.set(store, table);
    return store;
  },
  reopen: async (store) => {
    const table = tables.get(store)!;
    await store.close();
    const again = await PostgresGalleryStore.open(server.url, {
      table,
      dimension: store.dimension,
      modelId: 'test-model',
    });
    tables.set(again, table);
    return again;
  },
});

const D = 32;
const open = (table: string, o: PostgresStoreOptions = {}) =>
  PostgresGalleryStore.open(server.url, { create: true, dimension: D, modelId: 'm', defaultThreshold: 1, table, ...o });

/** Polls `cond` every 2 ms; resolves to the milliseconds it took, rejects after `limitMs`. */
async function waitFor(cond: () => boolean, limitMs: number): Promise<number> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
  return performance.now() - t0;
}

/** Everything a search can see of a store. */
async function stateOf(s: PostgresGalleryStore, probes: Float32Array[]) {
  return {
    count: s.count(),
    identities: s.identities(),
    excluded: s.excludedImages(),
    images: s.identities().map((i) => s.imagesOf(i)),
    hits: probes.map((p) => s.identify(p, { mode: 'nearest-image', per: 'image', k: 5, threshold: 2 })),
  };
}

describe('PostgresGalleryStore replicas', () => {
  it('a replica sees another one’s enrollment through NOTIFY alone (no polling), in milliseconds', async () => {
    const a = await open('notify', { pollIntervalMs: 0 });
    const b = await open('notify', { pollIntervalMs: 0 });
    try {
      const [c] = clusters(['Ada'], 2, D, 1);
      await a.enroll('Ada', c.embeddings, c.imageIds);
      expect(a.identities()).toEqual(['Ada']); // a writer sees its own change when enroll resolves
      const ms = await waitFor(() => b.identities().includes('Ada'), 2000);
      expect(ms).toBeLessThan(2000);
      expect(b.identify(c.embeddings[0], { mode: 'nearest-image' })[0]).toMatchObject({
        identity: 'Ada',
        imageId: c.imageIds[0],
      });
      await b.remove('Ada');
      await waitFor(() => a.count() === 0, 2000);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('without notifications (a pool passed in: no LISTEN), polling brings the change within the poll interval', async () => {
    const a = await open('poll', { pollIntervalMs: 0 });
    const pool = new pg.Pool({ connectionString: server.url, max: 2 });
    const b = await PostgresGalleryStore.open(pool, { table: 'poll', pollIntervalMs: 100 });
    try {
      expect(b.status().listening).toBe(false);
      const [c] = clusters(['Bo'], 1, D, 2);
      await a.enroll('Bo', c.embeddings, c.imageIds);
      expect(await waitFor(() => b.count() === 1, 1000)).toBeLessThan(1000);
    } finally {
      await a.close();
      await b.close();
      await pool.end();
    }
  });

  it('replays removals, renames, merges and exclusions to the same state as the writer and a fresh open', async () => {
    const a = await open('replay', { pollIntervalMs: 0 });
    const pool = new pg.Pool({ connectionString: server.url, max: 1 });
    const probes = Array.from({ length: 6 }, (_, i) => unitVector(D, rng(40 + i)));
    try {
      const data = clusters(['Ada', 'Bo', 'Chen', '김민지'], 3, D, 5);
      for (const c of data) await a.enroll(c.name, c.embeddings, c.imageIds);
      // b hears no notification and does not poll: it replays the 8 changes below in one batch on refresh().
      const b = await PostgresGalleryStore.open(pool, { table: 'replay', pollIntervalMs: 0 });
      await a.remove(data[0].imageIds[1]);
      await a.rename('Bo', 'Bo Kim');
      await a.rename('Chen', '김민지'); // merge
      await a.excludeImage(data[3].imageIds[0]);
      await a.excludeImage(data[1].imageIds[2]);
      await a.includeImage(data[1].imageIds[2]);
      await a.remove('Bo Kim');
      await a.enroll('Bo Kim', [near(data[1].center, 0.05, rng(3))], [data[1].imageIds[0]]); // an id reused
      const c = await open('replay', { pollIntervalMs: 0 });
      const fresh = await stateOf(c, probes);
      expect(fresh.identities).toEqual(['Ada', 'Bo Kim', '김민지']);
      expect(fresh.count).toBe(2 + 1 + 6);
      expect(fresh.excluded).toEqual([data[3].imageIds[0]]);
      expect(await stateOf(a, probes)).toEqual(fresh);
      expect(b.count()).toBe(12);
      await b.refresh();
      expect(await stateOf(b, probes)).toEqual(fresh);
      expect(b.status().appliedSeq).toBe(4 + 8);
      expect(b.status().reloads).toBe(0); // replayed step by step, not reloaded
      await b.close();
      await c.close();
    } finally {
      await a.close();
      await pool.end();
    }
  });

  it('a replica behind by many changes replays them step by step; one behind the pruned log reloads', async () => {
    const a = await open('lag', { pollIntervalMs: 0 });
    // 4 rows each: the replayed batch spans row ids 5–12 and change numbers 2–6, across a change of digit count.
    const data = clusters(['Ada', 'Bo', 'Chen'], 4, D, 9);
    await a.enroll('Ada', data[0].embeddings, data[0].imageIds);
    const pool = new pg.Pool({ connectionString: server.url, max: 1 });
    const slow = await PostgresGalleryStore.open(pool, {
      table: 'lag',
      pollIntervalMs: 0,
    });
    const probes = [data[0].center, data[1].center, data[2].center];
    try {
      await a.enroll('Bo', data[1].embeddings, data[1].imageIds);
      await a.rename('Ada', 'Ada L');
      await a.remove(data[1].imageIds[0]);
      await a.enroll('Chen', data[2].embeddings, data[2].imageIds);
      await a.remove('Chen');
      await slow.refresh(); // replays 5 changes
      expect(await stateOf(slow, probes)).toEqual(await stateOf(a, probes));
      expect(slow.status().reloads).toBe(0);
      // Prune the log: every change but the newest goes, so `slow` sees a gap and reloads.
      const pruner = await open('lag', { pollIntervalMs: 0, changeRetentionMs: 0 });
      await pruner.excludeImage(data[0].imageIds[0]);
      await pruner.enroll('Dee', [unitVector(D, rng(77))], ['dee.jpg']);
      await pruner.close();
      await slow.refresh();
      expect(await stateOf(slow, probes)).toEqual(await stateOf(a, probes));
      expect(slow.identities()).toEqual(['Ada L', 'Bo', 'Dee']);
      expect(slow.status().reloads).toBe(1);
    } finally {
      await a.close();
      await slow.close();
      await pool.end();
    }
  });

  it('concurrent writers on two replicas: every enrollment lands once, both copies agree', async () => {
    const a = await open('race', { pollIntervalMs: 0 });
    const b = await open('race', { pollIntervalMs: 0 });
    try {
      const data = clusters(
        Array.from({ length: 12 }, (_, i) => `p${i}`),
        2,
        D,
        13,
      );
      const results = await Promise.allSettled(
        data.map((c, i) => (i % 2 ? a : b).enroll(c.name, c.embeddings, c.imageIds)),
      );
      expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
      // The same image id from both at once: exactly one wins.
      const v = unitVector(D, rng(5));
      const both = await Promise.allSettled([a.enroll('X', [v], ['same.jpg']), b.enroll('Y', [v], ['same.jpg'])]);
      expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      await waitFor(() => a.count() === 25 && b.count() === 25, 2000);
      const probes = data.map((c) => c.center);
      expect(await stateOf(b, probes)).toEqual(await stateOf(a, probes));
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('the LISTEN connection comes back after the server drops it, and catches up on what it missed', async () => {
    const a = await open('relisten', { pollIntervalMs: 0 });
    const b = await open('relisten', { pollIntervalMs: 0 });
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    try {
      expect(b.status().listening).toBe(true);
      await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where query = 'listen relisten_changes'`,
      );
      await waitFor(() => !b.status().listening || a.status().listening === false, 2000).catch(() => 0);
      const [c] = clusters(['Eve'], 1, D, 21);
      await a.enroll('Eve', c.embeddings, c.imageIds);
      await waitFor(() => b.count() === 1 && b.status().listening, 5000);
      expect(b.identities()).toEqual(['Eve']);
    } finally {
      await admin.end();
      await a.close();
      await b.close();
    }
  });

  it('checks the manifest, the table prefix and the options', async () => {
    const a = await open('mm');
    await a.close();
    await expect(PostgresGalleryStore.open(server.url, { table: 'mm', dimension: 16 })).rejects.toMatchObject({
      field: 'dimension',
    });
    await expect(PostgresGalleryStore.open(server.url, { table: 'mm', modelId: 'other' })).rejects.toBeInstanceOf(
      GalleryMismatchError,
    );
    await expect(PostgresGalleryStore.open(server.url, { table: 'nothing_here' })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(PostgresGalleryStore.open(server.url, { table: 'x; drop table mm_manifest' })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(open('mm', { pollIntervalMs: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    // Tables of the other PostgreSQL store (pgvector's layout has no change log) are refused, not misread.
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query('create table pv_manifest (id int primary key)');
    await admin.end();
    await expect(PostgresGalleryStore.open(server.url, { table: 'pv' })).rejects.toThrow(/PgVectorGalleryStore/);
    const again = await PostgresGalleryStore.open(server.url, { table: 'mm' });
    expect(again.dimension).toBe(D);
    await again.close();
    expect(() => again.identify(unitVector(D, rng(1)))).toThrow(InvalidArgumentError);
  });
});
