import type { Pool, PoolClient, PoolConfig } from 'pg';
import { InvalidArgumentError, UnknownIdentityError } from '@eolgul/core';
import { checkEnrollBatch, checkUnitEmbedding, resolveIdentifyOptions } from './gallery-input.js';
import { type GalleryCreateOptions, manifestToCreate } from './gallery-manifest.js';
import { normalizeLabel } from './gallery-names.js';
import { readStoredManifest } from './gallery-store-postgres-schema.js';
import { createGallerySession } from './gallery-session.js';
import type {
  EnrollOptions,
  GalleryManifest,
  GalleryStore,
  GalleryStoreSession,
  IdentifyOptions,
  Match,
} from './gallery-types.js';

/**
 * `PgVectorGalleryStore`: the {@link GalleryStore} interface over PostgreSQL + pgvector through the `pg` client, for
 * galleries that outgrow one process's memory or are shared by many servers. Embeddings live in a `vector(D)` column
 * with an HNSW index (`vector_l2_ops`, Euclidean), so a search is approximate (see `search: 'exact'`).
 *
 * Tables (prefix `table`, default `eolgul_gallery`; an SQL identifier checked against `[a-z_][a-z0-9_]*`):
 * `<t>_manifest` (one row: format version, D, model id, preprocessing, default threshold),
 * `<t>_identities (category serial, name bytea unique)`, `<t>_embeddings (image_id bytea unique, category, embedding
 * vector(D), excluded boolean)`. Names and image ids are stored as their UTF-8 bytes (`bytea`), because PostgreSQL
 * `text` cannot hold NUL and names are arbitrary Unicode; they are only ever bound parameters.
 *
 * Production: `CREATE EXTENSION vector` (pgvector ≥ 0.7 for `l2_normalize`, ≥ 0.8 for iterative index scans) on
 * PostgreSQL, then `PgVectorGalleryStore.open('postgres://user@host/db', { create: true, dimension: 512, modelId })`.
 * @module
 */

/** Anything with pg's `Pool` API. */
export type PgPoolLike = Pick<Pool, 'query' | 'connect' | 'end'>;

/** Options of {@link PgVectorGalleryStore.open}. */
export interface PgVectorStoreOptions extends GalleryCreateOptions {
  /** Create the tables (and `CREATE EXTENSION IF NOT EXISTS vector`) when missing. Default false. */
  create?: boolean;
  /** Table name prefix, `[a-z_][a-z0-9_]*`, at most 40 characters. Default `'eolgul_gallery'`. */
  table?: string;
  /** HNSW parameters: `m` (default 16), `efConstruction` (64), `efSearch` (100, set per query). */
  hnsw?: { m?: number; efConstruction?: number; efSearch?: number };
  /** `'hnsw'` (default): index search, approximate. `'exact'`: sequential scan, exact. */
  search?: 'hnsw' | 'exact';
  /** With `per: 'identity'`, how many nearest rows per requested identity are fetched before de-duplication. Default 10. */
  oversample?: number;
}

const TABLE = /^[a-z_][a-z0-9_]{0,39}$/;

const enc = (s: string): Buffer => Buffer.from(s, 'utf8');
const dec = (b: Buffer): string => b.toString('utf8');

function vectorLiteral(v: ArrayLike<number>): string {
  let s = '[';
  for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + v[i];
  return `${s}]`;
}

/** A GalleryStore over PostgreSQL + pgvector. Create with {@link PgVectorGalleryStore.open}. */
export class PgVectorGalleryStore implements GalleryStore {
  private constructor(
    private readonly pool: PgPoolLike,
    private readonly ownsPool: boolean,
    /** What the stored embeddings are. */
    readonly manifest: GalleryManifest,
    private readonly t: string,
    private readonly opts: Required<Pick<PgVectorStoreOptions, 'search' | 'oversample'>> & { efSearch: number },
  ) {}

  /**
   * Connects (a connection string or pg `PoolConfig` makes a pool that `close()` ends; a pool you pass stays yours),
   * creates the tables when asked, and checks the stored manifest.
   * @throws {GalleryMismatchError} stored D / model id / preprocessing differ (`field` says which).
   * @throws {InvalidArgumentError} bad table name, creating without D or model id, no gallery and `create` not set.
   */
  static async open(
    connection: string | PoolConfig | PgPoolLike,
    options: PgVectorStoreOptions = {},
  ): Promise<PgVectorGalleryStore> {
    const t = options.table ?? 'eolgul_gallery';
    if (!TABLE.test(t)) throw new InvalidArgumentError(`table prefix must match ${TABLE}, got ${JSON.stringify(t)}`);
    let pool: PgPoolLike;
    let owns = false;
    if (typeof connection === 'string' || !('query' in connection)) {
      const pg = await import('pg');
      const PoolCtor = (pg.default?.Pool ?? (pg as unknown as { Pool: typeof Pool }).Pool) as typeof Pool;
      pool = new PoolCtor(typeof connection === 'string' ? { connectionString: connection } : connection);
      owns = true;
    } else pool = connection;
    try {
      const manifest = await PgVectorGalleryStore.manifestOf(pool, t, options);
      const efSearch = options.hnsw?.efSearch ?? 100;
      return new PgVectorGalleryStore(pool, owns, manifest, t, {
        search: options.search ?? 'hnsw',
        oversample: options.oversample ?? 10,
        efSearch,
      });
    } catch (err) {
      if (owns) await pool.end().catch(() => undefined);
      throw err;
    }
  }

  private static async manifestOf(pool: PgPoolLike, t: string, o: PgVectorStoreOptions): Promise<GalleryManifest> {
    const exists = await pool.query(`select to_regclass($1) is not null as ok`, [`${t}_manifest`]);
    if (!exists.rows[0].ok) {
      if (!o.create) throw new InvalidArgumentError(`no gallery tables ${t}_* in this database (pass create: true)`);
      const created = manifestToCreate(o);
      if (created.dimension > 16000) throw new InvalidArgumentError('pgvector holds at most 16000 dimensions');
      const threshold = created.defaultThreshold;
      const m = Math.trunc(o.hnsw?.m ?? 16);
      const ef = Math.trunc(o.hnsw?.efConstruction ?? 64);
      const D = created.dimension;
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query('create extension if not exists vector');
        await client.query(`create table if not exists ${t}_manifest (id int primary key check (id = 1), format_version int not null,
          dimension int not null, model_id text not null, preprocess text, default_threshold float8 not null)`);
        await client.query(
          `create table if not exists ${t}_identities (category serial primary key, name bytea not null unique)`,
        );
        await client.query(`create table if not exists ${t}_embeddings (row_id bigserial primary key, image_id bytea not null unique,
          category int not null references ${t}_identities (category) on delete cascade, embedding vector(${D}) not null,
          excluded boolean not null default false)`);
        await client.query(`create index if not exists ${t}_embeddings_category on ${t}_embeddings (category)`);
        await client.query(
          `create index if not exists ${t}_embeddings_hnsw on ${t}_embeddings using hnsw (embedding vector_l2_ops) with (m = ${m}, ef_construction = ${ef})`,
        );
        await client.query(`insert into ${t}_manifest values (1, 1, $1, $2, $3, $4) on conflict (id) do nothing`, [
          D,
          created.modelId,
          o.preprocess ?? null,
          threshold,
        ]);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    }
    return readStoredManifest(pool, t, o);
  }

  /** Embedding length D. */
  get dimension(): number {
    return this.manifest.dimension;
  }
  /** Embedding model id stored with the gallery. */
  get modelId(): string {
    return this.manifest.modelId;
  }
  /** L2 threshold used when `identify` gets none. */
  get defaultThreshold(): number {
    return this.manifest.defaultThreshold;
  }

  private async tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const c = (await this.pool.connect()) as PoolClient;
    try {
      await c.query('begin');
      const out = await fn(c);
      await c.query('commit');
      return out;
    } catch (err) {
      await c.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  /** Number of enrolled embeddings (rows). */
  async count(): Promise<number> {
    const { rows } = await this.pool.query(`select count(*)::int as n from ${this.t}_embeddings`);
    return rows[0].n;
  }

  /** Identity names with at least one embedding, sorted by UTF-16 code unit. */
  async identities(): Promise<string[]> {
    const { rows } = await this.pool.query(
      `select name from ${this.t}_identities i where exists (select 1 from ${this.t}_embeddings e where e.category = i.category)`,
    );
    return rows.map((r) => dec(r.name)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Image ids excluded from searches, sorted. */
  async excludedImages(): Promise<string[]> {
    const { rows } = await this.pool.query(`select image_id from ${this.t}_embeddings where excluded`);
    return rows.map((r) => dec(r.image_id)).sort();
  }

  /** See {@link GalleryStore.enroll}. A unique constraint keeps image ids unique across concurrent writers. */
  async enroll(
    name: string,
    vectors: readonly Float32Array[],
    ids: readonly string[],
    options: EnrollOptions = {},
  ): Promise<void> {
    const { identity, embeddings, imageIds } = checkEnrollBatch(name, vectors, ids, this.dimension, options);
    await this.tx(async (c) => {
      const dup = await c.query(`select image_id from ${this.t}_embeddings where image_id = any($1::bytea[]) limit 1`, [
        imageIds.map(enc),
      ]);
      if (dup.rows.length)
        throw new InvalidArgumentError(`image id ${JSON.stringify(dec(dup.rows[0].image_id))} is already enrolled`);
      const { rows } = await c.query(
        `insert into ${this.t}_identities (name) values ($1) on conflict (name) do update set name = excluded.name returning category`,
        [enc(identity)],
      );
      await c.query(
        `insert into ${this.t}_embeddings (image_id, category, embedding)
         select id, $2, v::vector from unnest($1::bytea[], $3::text[]) as t(id, v)`,
        [imageIds.map(enc), rows[0].category, embeddings.map(vectorLiteral)],
      );
    }).catch((err: { code?: string }) => {
      if (err?.code === '23505') throw new InvalidArgumentError('an image id of this batch is already enrolled');
      throw err;
    });
  }

  /**
   * See {@link GalleryStore.identify}. With the HNSW index the answer is approximate (recall measured in
   * docs/benchmarks/gallery.md); `search: 'exact'` scans every row. Distances are pgvector's `<->` (L2, float32 sums).
   */
  async identify(probe: Float32Array, options: IdentifyOptions = {}): Promise<Match[]> {
    const {
      k,
      threshold,
      mode,
      per,
      exclude: names,
      normalize,
    } = resolveIdentifyOptions(options, this.defaultThreshold);
    probe = checkUnitEmbedding(probe, this.dimension, 'probe', normalize);
    const exclude = names.map(enc);
    const p = vectorLiteral(probe);
    const t = this.t;
    const out = (rows: { name: Buffer; image_id: Buffer; distance: number }[]): Match[] =>
      rows.map((r) => ({
        identity: dec(r.name),
        imageId: dec(r.image_id),
        distance: Number(r.distance),
        accepted: Number(r.distance) <= threshold,
      }));
    if (mode === 'identity-mean') {
      const { rows } = await this.pool.query(
        `with tpl as (
           select i.category, i.name, l2_normalize(avg(e.embedding)) as v
           from ${t}_embeddings e join ${t}_identities i using (category)
           where not e.excluded and not (i.name = any($2::bytea[]))
           group by i.category, i.name)
         select tpl.name, tpl.v <-> $1::vector as distance, best.image_id
         from tpl cross join lateral (
           select image_id from ${t}_embeddings e where e.category = tpl.category and not e.excluded
           order by e.embedding <-> $1::vector limit 1) best
         order by distance, best.image_id limit $3`,
        [p, exclude, k],
      );
      return out(rows);
    }
    const limit = per === 'image' ? k : k * this.opts.oversample;
    const c = await this.pool.connect();
    try {
      await c.query('begin');
      if (this.opts.search === 'exact') {
        await c.query('set local enable_indexscan = off');
        await c.query('set local enable_bitmapscan = off');
      } else {
        await c.query(`set local hnsw.ef_search = ${Math.max(this.opts.efSearch, limit)}`);
        // pgvector >= 0.8: keep scanning the index when filters (exclusions) drop candidates. Older versions lack the
        // setting; the savepoint keeps the transaction usable then.
        await c.query('savepoint iterative');
        try {
          await c.query('set local hnsw.iterative_scan = relaxed_order');
          await c.query('release savepoint iterative');
        } catch {
          await c.query('rollback to savepoint iterative');
        }
      }
      const { rows } = await c.query(
        `select i.name, e.image_id, e.embedding <-> $1::vector as distance
         from (select image_id, category, embedding from ${t}_embeddings e
               where not excluded and not (category = any(select category from ${t}_identities where name = any($2::bytea[])))
               order by embedding <-> $1::vector limit $3) e
         join ${t}_identities i using (category)
         order by distance, e.image_id`,
        [p, exclude, limit],
      );
      await c.query('commit');
      if (per === 'image') return out(rows.slice(0, k));
      const seen = new Set<string>();
      return out(rows.filter((r) => !seen.has(dec(r.name)) && seen.add(dec(r.name))).slice(0, k));
    } catch (err) {
      await c.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  /**
   * Deletes an identity's rows (or, when no identity has that name, one image); resolves to the rows removed.
   * @throws {UnknownIdentityError} neither an identity nor an image id.
   */
  async remove(nameOrId: string): Promise<number> {
    const identityOrImageId = normalizeLabel(nameOrId, 'identity');
    return this.tx(async (c) => {
      const byName = await c.query(
        `delete from ${this.t}_embeddings where category = (select category from ${this.t}_identities where name = $1)`,
        [enc(identityOrImageId)],
      );
      if (byName.rowCount) {
        await c.query(`delete from ${this.t}_identities where name = $1`, [enc(identityOrImageId)]);
        return byName.rowCount;
      }
      const byImage = await c.query(`delete from ${this.t}_embeddings where image_id = $1`, [enc(identityOrImageId)]);
      if (!byImage.rowCount) throw new UnknownIdentityError(identityOrImageId);
      return byImage.rowCount;
    });
  }

  /**
   * Renames an identity; onto an existing name, merges. @throws {UnknownIdentityError} `oldName` has no rows.
   * @throws {InvalidArgumentError} bad `newName`.
   */
  async rename(from: string, to: string): Promise<void> {
    const oldName = normalizeLabel(from, 'identity');
    const newName = normalizeLabel(to, 'identity');
    await this.tx(async (c) => {
      const from = await c.query(
        `select category from ${this.t}_identities i where name = $1 and exists (select 1 from ${this.t}_embeddings e where e.category = i.category)`,
        [enc(oldName)],
      );
      if (!from.rows.length) throw new UnknownIdentityError(oldName);
      if (oldName === newName) return;
      const to = await c.query(`select category from ${this.t}_identities where name = $1`, [enc(newName)]);
      if (to.rows.length) {
        await c.query(`update ${this.t}_embeddings set category = $1 where category = $2`, [
          to.rows[0].category,
          from.rows[0].category,
        ]);
        await c.query(`delete from ${this.t}_identities where category = $1`, [from.rows[0].category]);
      } else {
        await c.query(`update ${this.t}_identities set name = $1 where category = $2`, [
          enc(newName),
          from.rows[0].category,
        ]);
      }
    });
  }

  /** Leaves one image out of every search until {@link PgVectorGalleryStore.includeImage}. @throws {UnknownIdentityError} */
  async excludeImage(id: string): Promise<void> {
    const imageId = normalizeLabel(id, 'image id');
    const r = await this.pool.query(`update ${this.t}_embeddings set excluded = true where image_id = $1`, [
      enc(imageId),
    ]);
    if (!r.rowCount) throw new UnknownIdentityError(imageId);
  }

  /** Undoes {@link PgVectorGalleryStore.excludeImage}. @throws {UnknownIdentityError} */
  async includeImage(id: string): Promise<void> {
    const imageId = normalizeLabel(id, 'image id');
    const r = await this.pool.query(`update ${this.t}_embeddings set excluded = false where image_id = $1`, [
      enc(imageId),
    ]);
    if (!r.rowCount) throw new UnknownIdentityError(imageId);
  }

  /** A per-session "that is not me" list over this store. */
  session(): GalleryStoreSession {
    return createGallerySession(this);
  }

  /** Ends the pool when this store created it. */
  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}
