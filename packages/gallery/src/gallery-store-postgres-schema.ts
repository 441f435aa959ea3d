import type { Pool, PoolClient } from 'pg';
import { InvalidArgumentError } from '@eolgul/core';
import { type GalleryCreateOptions, checkManifestMatches, manifestToCreate } from './gallery-manifest.js';
import type { GalleryManifest } from './gallery-types.js';

/**
 * Tables of {@link PostgresGalleryStore} (prefix `t`, default `eolgul_gallery`), plain PostgreSQL (no extension):
 * - `<t>_manifest`: one row (format version, D, model id, preprocessing, default threshold). Writers lock it
 *   (`select … for update`), so changes are serialised and the change sequence and row ids grow in commit order.
 * - `<t>_identities (category serial, name bytea unique)`.
 * - `<t>_embeddings (row_id bigserial, image_id bytea unique, category, embedding bytea, excluded boolean)`; the
 *   embedding is `D` float32 little-endian (exact, 4·D bytes).
 * - `<t>_changes (seq bigint, kind, name, new_name, image_id, first_row, last_row, at)`: one row per committed change,
 *   `seq` gapless (max + 1 under the manifest lock). Replicas replay it to follow each other.
 * Names and image ids are their UTF-8 bytes (`bytea`: PostgreSQL `text` cannot hold NUL) and only ever bound parameters.
 * @module
 */

/** Anything with pg's `Pool` API. */
export type PgPool = Pick<Pool, 'query' | 'connect' | 'end'>;

/** The kinds of rows in `<t>_changes`. */
export type ChangeKind = 'enroll' | 'remove-identity' | 'remove-image' | 'rename' | 'exclude' | 'include';

/** A row of `<t>_changes`. */
export interface ChangeRow {
  seq: string;
  kind: ChangeKind;
  name: Buffer | null;
  new_name: Buffer | null;
  image_id: Buffer | null;
  first_row: string | null;
  last_row: string | null;
}

const TABLE = /^[a-z_][a-z0-9_]{0,39}$/;

/** @throws {InvalidArgumentError} a prefix that is not `[a-z_][a-z0-9_]*` of at most 40 characters. */
export function checkTablePrefix(t: string): string {
  if (typeof t !== 'string' || !TABLE.test(t)) {
    throw new InvalidArgumentError(`table prefix must match ${TABLE}, got ${JSON.stringify(t)}`);
  }
  return t;
}

export const enc = (s: string): Buffer => Buffer.from(s, 'utf8');
export const dec = (b: Buffer): string => b.toString('utf8');

/** `[D] float32` → its little-endian bytes. */
export function vectorBytes(v: Float32Array): Buffer {
  const b = Buffer.allocUnsafe(v.length * 4);
  for (let i = 0; i < v.length; i++) b.writeFloatLE(v[i], i * 4);
  return b;
}

/** Runs `fn` in a transaction on one pooled connection. */
export async function inTransaction<T>(
  pool: PgPool,
  begin: string,
  fn: (c: Pick<PoolClient, 'query'>) => Promise<T>,
): Promise<T> {
  const c = (await pool.connect()) as PoolClient;
  try {
    await c.query(begin);
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

/** Options that create or check the stored manifest. */
export interface ManifestOptions extends GalleryCreateOptions {
  create?: boolean;
}

/**
 * Creates the tables when asked and missing (idempotent, one transaction), then reads the manifest and checks it
 * against the requested D, model id and preprocessing.
 * @throws {GalleryMismatchError} a stored field differs (`field` names it).
 * @throws {InvalidArgumentError} no tables and `create` not set; creating without D, model id or threshold (or an
 *   `embedder` that gives them).
 */
export async function openManifest(pool: PgPool, t: string, o: ManifestOptions): Promise<GalleryManifest> {
  const exists = await pool.query('select to_regclass($1) is not null as ok', [`${t}_manifest`]);
  if (!exists.rows[0].ok) {
    if (!o.create) throw new InvalidArgumentError(`no gallery tables ${t}_* in this database (pass create: true)`);
    const created = manifestToCreate(o);
    const D = created.dimension;
    if (D > 65536) throw new InvalidArgumentError('creating a gallery needs an integer dimension in 1..65536');
    const threshold = created.defaultThreshold;
    await inTransaction(pool, 'begin', async (c) => {
      // Two processes creating at once: the second waits here, then finds the tables.
      await c.query('select pg_advisory_xact_lock(hashtext($1))', [`eolgul-gallery-create:${t}`]);
      await c.query(`create table if not exists ${t}_manifest (id int primary key check (id = 1),
        format_version int not null, dimension int not null, model_id text not null, preprocess text,
        default_threshold float8 not null)`);
      await c.query(
        `create table if not exists ${t}_identities (category serial primary key, name bytea not null unique)`,
      );
      await c.query(`create table if not exists ${t}_embeddings (row_id bigserial primary key,
        image_id bytea not null unique, category int not null references ${t}_identities (category),
        embedding bytea not null check (length(embedding) = ${4 * D}), excluded boolean not null default false)`);
      await c.query(`create index if not exists ${t}_embeddings_category on ${t}_embeddings (category)`);
      await c.query(`create table if not exists ${t}_changes (seq bigint primary key, kind text not null,
        name bytea, new_name bytea, image_id bytea, first_row bigint, last_row bigint,
        at timestamptz not null default now())`);
      await c.query(`insert into ${t}_manifest values (1, 1, $1, $2, $3, $4) on conflict (id) do nothing`, [
        D,
        created.modelId,
        o.preprocess ?? null,
        threshold,
      ]);
    });
  }
  const log = await pool.query('select to_regclass($1) is not null as ok', [`${t}_changes`]);
  if (!log.rows[0].ok) {
    throw new InvalidArgumentError(
      `the tables ${t}_* have no change log ${t}_changes: they belong to PgVectorGalleryStore (open them with it, or ` +
        'choose another table prefix)',
    );
  }
  return readStoredManifest(pool, t, o);
}

/**
 * Reads the manifest row of the tables `t` and checks it against the requested D, model id and preprocessing (both
 * PostgreSQL stores keep the same `<t>_manifest` row).
 * @throws {GalleryMismatchError} a stored field differs (`field` names it).
 * @throws {InvalidArgumentError} the row is missing.
 */
export async function readStoredManifest(pool: PgPool, t: string, o: ManifestOptions): Promise<GalleryManifest> {
  const { rows } = await pool.query(
    `select format_version, dimension, model_id, preprocess, default_threshold from ${t}_manifest where id = 1`,
  );
  if (!rows.length) throw new InvalidArgumentError(`the table ${t}_manifest is empty: not an eolgul gallery`);
  const r = rows[0];
  const manifest: GalleryManifest = {
    formatVersion: 1,
    dimension: r.dimension,
    modelId: r.model_id,
    ...(r.preprocess !== null ? { preprocess: r.preprocess } : {}),
    defaultThreshold: Number(r.default_threshold),
  };
  checkManifestMatches(manifest, o);
  return manifest;
}
