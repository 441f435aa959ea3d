import type { PoolClient } from 'pg';
import { InvalidArgumentError, UnknownIdentityError } from '@eolgul/core';
import {
  type ChangeKind,
  type ChangeRow,
  dec,
  enc,
  inTransaction,
  type PgPool,
  vectorBytes,
} from './gallery-store-postgres-schema.js';

/**
 * The writes of {@link PostgresGalleryStore}, each a check-and-write inside one transaction that also appends the
 * change-log row (what replicas replay) and notifies them. Tables: `gallery-store-postgres-schema.ts`.
 * @module
 */

/** A connection inside a transaction. */
export type Tx = Pick<PoolClient, 'query'>;
/** A change-log row to append (its `seq` is given at commit). */
export type LogEntry = Omit<ChangeRow, 'seq'>;
/** What a write returns: its result, and the log row when it changed anything. */
export interface Written<T> {
  result: T;
  log?: LogEntry;
}

function log(kind: ChangeKind, fields: Partial<Omit<ChangeRow, 'seq' | 'kind'>>): LogEntry {
  return { kind, name: null, new_name: null, image_id: null, first_row: null, last_row: null, ...fields };
}

/**
 * Runs `write` in a transaction that holds the manifest row lock (writers one at a time across all processes), then
 * appends its log row with the next sequence number, prunes log rows older than `retentionMs` (the newest stays) and
 * notifies `t`'s channel; all of it commits together or not at all.
 */
export function commitChange<T>(
  pool: PgPool,
  t: string,
  retentionMs: number,
  write: (c: Tx) => Promise<Written<T>>,
): Promise<T> {
  return inTransaction(pool, 'begin', async (c) => {
    await c.query(`select 1 from ${t}_manifest where id = 1 for update`);
    const out = await write(c);
    if (out.log) {
      const l = out.log;
      const { rows } = await c.query(
        `insert into ${t}_changes (seq, kind, name, new_name, image_id, first_row, last_row)
         select coalesce(max(seq), 0) + 1, $1, $2, $3, $4, $5, $6 from ${t}_changes returning seq`,
        [l.kind, l.name, l.new_name, l.image_id, l.first_row, l.last_row],
      );
      await c.query(
        `delete from ${t}_changes where seq < $1 and at < now() - make_interval(secs => $2::float8 / 1000)`,
        [rows[0].seq, retentionMs],
      );
      await c.query('select pg_notify($1, $2)', [`${t}_changes`, String(rows[0].seq)]);
    }
    return out.result;
  });
}

/** Adds rows of one identity (checked by the caller). @throws {InvalidArgumentError} an image id already enrolled. */
export async function writeEnroll(
  c: Tx,
  t: string,
  identity: string,
  embeddings: readonly Float32Array[],
  imageIds: readonly string[],
): Promise<Written<void>> {
  const dup = await c.query(`select image_id from ${t}_embeddings where image_id = any($1::bytea[]) limit 1`, [
    imageIds.map(enc),
  ]);
  if (dup.rows.length) {
    throw new InvalidArgumentError(`image id ${JSON.stringify(dec(dup.rows[0].image_id))} is already enrolled`);
  }
  const cat = await c.query(
    `insert into ${t}_identities (name) values ($1) on conflict (name) do update set name = excluded.name
     returning category`,
    [enc(identity)],
  );
  const { rows } = await c.query(
    `with ins as (insert into ${t}_embeddings (image_id, category, embedding)
       select id, $2, v from unnest($1::bytea[], $3::bytea[]) with ordinality as u(id, v, n) order by n
       returning row_id)
     select min(row_id)::text as first, max(row_id)::text as last from ins`,
    [imageIds.map(enc), cat.rows[0].category, embeddings.map(vectorBytes)],
  );
  return {
    result: undefined,
    log: log('enroll', { name: enc(identity), first_row: rows[0].first, last_row: rows[0].last }),
  };
}

/**
 * Deletes an identity's rows or one image's row; the result is the rows removed.
 * @throws {UnknownIdentityError} neither. @throws {InvalidArgumentError} both, and no `kind`.
 */
export async function writeRemove(
  c: Tx,
  t: string,
  identityOrImageId: string,
  kind: 'identity' | 'image' | undefined,
): Promise<Written<number>> {
  const key = enc(identityOrImageId);
  const cat = await c.query(
    `select i.category, count(e.row_id)::int as n from ${t}_identities i
     join ${t}_embeddings e using (category) where i.name = $1 group by i.category`,
    [key],
  );
  const image = await c.query(`select row_id from ${t}_embeddings where image_id = $1`, [key]);
  if (!kind && cat.rows.length && image.rows.length) {
    throw new InvalidArgumentError(
      `${JSON.stringify(identityOrImageId)} is both an identity and an image id: say which (kind: 'identity' | 'image')`,
    );
  }
  if (cat.rows.length && kind !== 'image') {
    await c.query(`delete from ${t}_embeddings where category = $1`, [cat.rows[0].category]);
    await c.query(`delete from ${t}_identities where category = $1`, [cat.rows[0].category]);
    return { result: cat.rows[0].n, log: log('remove-identity', { name: key }) };
  }
  if (!image.rows.length || kind === 'identity') throw new UnknownIdentityError(identityOrImageId);
  await c.query(`delete from ${t}_embeddings where image_id = $1`, [key]);
  return { result: 1, log: log('remove-image', { image_id: key }) };
}

/** Renames an identity, merging onto an existing name. @throws {UnknownIdentityError} `oldName` has no rows. */
export async function writeRename(c: Tx, t: string, oldName: string, newName: string): Promise<Written<void>> {
  const from = await c.query(
    `select category from ${t}_identities i where name = $1
     and exists (select 1 from ${t}_embeddings e where e.category = i.category)`,
    [enc(oldName)],
  );
  if (!from.rows.length) throw new UnknownIdentityError(oldName);
  if (oldName === newName) return { result: undefined };
  const fromCat = from.rows[0].category;
  const to = await c.query(`select category from ${t}_identities where name = $1`, [enc(newName)]);
  if (to.rows.length) {
    await c.query(`update ${t}_embeddings set category = $1 where category = $2`, [to.rows[0].category, fromCat]);
    await c.query(`delete from ${t}_identities where category = $1`, [fromCat]);
  } else {
    await c.query(`update ${t}_identities set name = $1 where category = $2`, [enc(newName), fromCat]);
  }
  return { result: undefined, log: log('rename', { name: enc(oldName), new_name: enc(newName) }) };
}

/** Sets one image's exclusion flag. @throws {UnknownIdentityError} the image id is not enrolled. */
export async function writeExcluded(c: Tx, t: string, imageId: string, excluded: boolean): Promise<Written<void>> {
  const row = await c.query(`select excluded from ${t}_embeddings where image_id = $1`, [enc(imageId)]);
  if (!row.rows.length) throw new UnknownIdentityError(imageId);
  if (row.rows[0].excluded === excluded) return { result: undefined };
  await c.query(`update ${t}_embeddings set excluded = $2 where image_id = $1`, [enc(imageId), excluded]);
  return { result: undefined, log: log(excluded ? 'exclude' : 'include', { image_id: enc(imageId) }) };
}
