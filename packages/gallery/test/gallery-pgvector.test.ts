import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GalleryMismatchError, InvalidArgumentError } from '@eolgul/core';
import { PgVectorGalleryStore } from '../src/pg.js';
import type { GalleryStore } from '../src/index.js';
import { runGalleryStoreConformance } from './gallery-store-conformance.js';
import { startPgServer } from './gallery-pg-server.js';

let server: Awaited<ReturnType<typeof startPgServer>>;
beforeAll(async () => {
  server = await startPgServer();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

let n = 0;
/** One connection at a time: PGlite is a single session, so concurrent connections would share transactions. */
const conn = () => ({ connectionString: server.url, max: 1 });
const tables = new WeakMap<GalleryStore, string>();

for (const search of ['hnsw', 'exact'] as const) {
  runGalleryStoreConformance(`PgVectorGalleryStore (${search}) over pg + PGlite/pgvector`, {
    persistent: true,
    tolerance: 1e-5,
    create: async (dimension) => {
      const table = `g${++n}_${search}`;
      const store = await PgVectorGalleryStore.open(conn(), {
        create: true,
        dimension,
        modelId: 'test-model',
        defaultThreshold: 1,
        table,
        search,
      });
      tables.set(store, table);
      return store;
    },
    reopen: async (store) => {
      const table = tables.get(store)!;
      await store.close();
      const again = await PgVectorGalleryStore.open(conn(), {
        table,
        dimension: store.dimension,
        modelId: 'test-model',
        search,
      });
      tables.set(again, table);
      return again;
    },
  });
}

describe('PgVectorGalleryStore specifics', () => {
  it('checks the manifest (GalleryMismatchError names the field) and the table name', async () => {
    const a = await PgVectorGalleryStore.open(conn(), {
      create: true,
      dimension: 8,
      modelId: 'm1',
      defaultThreshold: 1,
      table: 'mm',
    });
    await a.close();
    await expect(PgVectorGalleryStore.open(conn(), { table: 'mm', dimension: 16 })).rejects.toMatchObject({
      field: 'dimension',
    });
    await expect(PgVectorGalleryStore.open(conn(), { table: 'mm', modelId: 'm2' })).rejects.toBeInstanceOf(
      GalleryMismatchError,
    );
    await expect(PgVectorGalleryStore.open(conn(), { table: 'no_such' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(PgVectorGalleryStore.open(conn(), { table: 'x; drop table mm_manifest' })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });
});
