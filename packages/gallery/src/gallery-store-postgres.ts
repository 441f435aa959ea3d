import type { Client, Notification, PoolConfig } from 'pg';
import { InvalidArgumentError } from '@eolgul/core';
import { Gallery } from './gallery.js';
import { checkEnrollBatch } from './gallery-input.js';
import type { GalleryCreateOptions } from './gallery-manifest.js';
import { normalizeLabel } from './gallery-names.js';
import { createGallerySession } from './gallery-session.js';
import {
  type ChangeRow,
  checkTablePrefix,
  dec,
  inTransaction,
  openManifest,
  type PgPool,
} from './gallery-store-postgres-schema.js';
import { replayChanges } from './gallery-store-postgres-replay.js';
import {
  commitChange,
  type Tx,
  type Written,
  writeEnroll,
  writeExcluded,
  writeRemove,
  writeRename,
} from './gallery-store-postgres-writes.js';
import type {
  EnrollOptions,
  GalleryManifest,
  GalleryStore,
  GalleryStoreSession,
  IdentifyOptions,
  Match,
} from './gallery-types.js';

/**
 * `PostgresGalleryStore`: a {@link GalleryStore} shared by several processes or machines through one PostgreSQL
 * database, over plain tables (no extension needed; layout in `gallery-store-postgres-schema.ts`).
 *
 * Each process keeps the whole gallery in memory (an in-memory {@link Gallery}: the same exact search, synchronous)
 * and follows the others: every change is committed together with a row of the change log `<t>_changes` (a gapless
 * sequence) and a `NOTIFY`; each replica `LISTEN`s and replays the log from its last applied sequence, and also polls
 * every `pollIntervalMs` so a lost notification (or connection) delays it by at most that. A change resolves only
 * after it is committed and this process's copy has replayed it, so a process always sees its own writes.
 * @module
 */

/** Options of {@link PostgresGalleryStore.open}. */
export interface PostgresStoreOptions extends GalleryCreateOptions {
  /** Create the tables when missing. Default false. */
  create?: boolean;
  /** Table name prefix, `[a-z_][a-z0-9_]*`, at most 40 characters. Default `'eolgul_gallery'`. */
  table?: string;
  /** Milliseconds between checks for changes whose notification was missed. Default 1000; 0 = never poll. */
  pollIntervalMs?: number;
  /**
   * Milliseconds a change-log row is kept (then deleted by the next writer; the newest row always stays). A replica
   * that falls further behind reloads the whole gallery. Default 15 minutes.
   */
  changeRetentionMs?: number;
}

/** How far this replica is, for health checks. */
export interface PostgresStoreStatus {
  /** The last change-log sequence applied to this process's copy. */
  appliedSeq: number;
  /** Whether the `LISTEN` connection is up. */
  listening: boolean;
  /** `Date.now()` of the last successful catch-up with the database. */
  syncedAt: number;
  /** Full reloads since open (after a replica fell behind the pruned change log). */
  reloads: number;
  /** The error of the last failed catch-up or listen attempt, if the latest attempt failed. */
  lastError?: Error;
}

/** A GalleryStore over PostgreSQL, replicated in memory. Create with {@link PostgresGalleryStore.open}. */
export class PostgresGalleryStore implements GalleryStore {
  private index: Gallery;
  private applied = 0;
  private syncing: Promise<void> = Promise.resolve();
  private listener: Client | null = null;
  private listening = false;
  private syncedAt = 0;
  private reloads = -1; // the first load, at open, is not a reload
  private lastError: Error | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private reconnect: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly channel: string;

  private constructor(
    private readonly pool: PgPool,
    private readonly ownsPool: boolean,
    private readonly connection: string | PoolConfig | undefined,
    /** What the stored embeddings are. */
    readonly manifest: GalleryManifest,
    private readonly t: string,
    private readonly retentionMs: number,
  ) {
    this.index = Gallery.inMemory(manifest);
    this.channel = `${t}_changes`;
  }

  /**
   * Connects (a connection string or pg `PoolConfig` makes a pool that `close()` ends; a pool you pass stays yours,
   * and then no `LISTEN` connection is made: changes of other processes arrive by polling only), creates the tables
   * when asked, checks the manifest, loads the gallery and starts following changes.
   * @throws {GalleryMismatchError} stored D / model id / preprocessing differ (`field` says which).
   * @throws {InvalidArgumentError} bad table prefix or poll interval, no gallery and `create` not set, creating without
   *   D or model id.
   */
  static async open(
    connection: string | PoolConfig | PgPool,
    options: PostgresStoreOptions = {},
  ): Promise<PostgresGalleryStore> {
    const t = checkTablePrefix(options.table ?? 'eolgul_gallery');
    const poll = options.pollIntervalMs ?? 1000;
    if (!Number.isFinite(poll) || poll < 0) throw new InvalidArgumentError(`pollIntervalMs must be >= 0, got ${poll}`);
    const retention = options.changeRetentionMs ?? 15 * 60_000;
    if (!Number.isFinite(retention) || retention < 0) {
      throw new InvalidArgumentError(`changeRetentionMs must be >= 0, got ${retention}`);
    }
    const owns = typeof connection === 'string' || !('query' in connection);
    let pool: PgPool;
    if (owns) {
      const pg = await import('pg');
      const Pool = pg.default?.Pool ?? (pg as unknown as typeof pg.default).Pool;
      const own = new Pool(typeof connection === 'string' ? { connectionString: connection } : connection);
      // An idle connection that breaks (server restart) must not crash the process; the next query reconnects.
      own.on('error', () => undefined);
      pool = own;
    } else pool = connection;
    let store: PostgresGalleryStore | undefined;
    try {
      const manifest = await openManifest(pool, t, options);
      store = new PostgresGalleryStore(
        pool,
        owns,
        owns ? (connection as string | PoolConfig) : undefined,
        manifest,
        t,
        retention,
      );
      await store.reload();
      if (owns) await store.listen();
      if (poll > 0) {
        store.timer = setInterval(() => {
          store!.refresh().catch(() => undefined);
        }, poll);
        store.timer.unref?.();
      }
      return store;
    } catch (err) {
      if (store) await store.close().catch(() => undefined);
      else if (owns) await pool.end().catch(() => undefined);
      throw err;
    }
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
  /** This replica's progress (for readiness checks). */
  status(): PostgresStoreStatus {
    return {
      appliedSeq: this.applied,
      listening: this.listening,
      syncedAt: this.syncedAt,
      reloads: this.reloads,
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  /** Number of enrolled embeddings in this replica's copy. */
  count(): number {
    return this.index.count();
  }
  /** Identity names with at least one embedding, sorted by UTF-16 code unit. */
  identities(): string[] {
    return this.index.identities();
  }
  /** Number of embeddings of `identity` (0 when unknown). */
  countOf(identity: string): number {
    return this.index.countOf(identity);
  }
  /** Image ids of `identity`, in enrollment order. */
  imagesOf(identity: string): string[] {
    return this.index.imagesOf(identity);
  }
  /** Image ids excluded from searches, sorted. */
  excludedImages(): string[] {
    return this.index.excludedImages();
  }
  /** Exact search of this replica's copy: see {@link Gallery.identify}. */
  identify(probe: Float32Array, options?: IdentifyOptions): Match[] {
    this.ensureOpen();
    return this.index.identify(probe, options);
  }
  /** A per-session "that is not me" list over this store. */
  session(): GalleryStoreSession {
    return createGallerySession(this);
  }

  private ensureOpen(): void {
    if (this.closed) throw new InvalidArgumentError('the gallery is closed');
  }

  /**
   * One change, committed with its change-log row and notification (`commitChange`); then this replica replays the
   * log, so the change is in its copy when this resolves.
   */
  private async change<T>(write: (c: Tx) => Promise<Written<T>>): Promise<T> {
    this.ensureOpen();
    const result = await commitChange(this.pool, this.t, this.retentionMs, write);
    // Committed: the change stands even if this replay fails (the next poll or notification brings it).
    await this.refresh().catch(() => undefined);
    return result;
  }

  /**
   * Enrolls embeddings of one identity: validated first, all or nothing, committed (and in this replica's copy)
   * before it resolves. See {@link GalleryStore.enroll}.
   * @throws {EmbeddingDimensionError} @throws {InvalidEmbeddingError} bad vectors.
   * @throws {InvalidArgumentError} bad name or ids, an image id already enrolled.
   */
  async enroll(
    name: string,
    vectors: readonly Float32Array[],
    ids: readonly string[],
    options: EnrollOptions = {},
  ): Promise<void> {
    const { identity, embeddings, imageIds } = checkEnrollBatch(name, vectors, ids, this.dimension, options);
    await this.change((c) => writeEnroll(c, this.t, identity, embeddings, imageIds));
  }

  /**
   * Removes an identity (all its rows) or one image; resolves to the rows removed. A string that names both an
   * identity and an image needs `kind`.
   * @throws {UnknownIdentityError} neither. @throws {InvalidArgumentError} ambiguous without `kind`.
   */
  remove(nameOrId: string, options: { kind?: 'identity' | 'image' } = {}): Promise<number> {
    const identityOrImageId = normalizeLabel(nameOrId, 'identity');
    return this.change((c) => writeRemove(c, this.t, identityOrImageId, options.kind));
  }

  /**
   * Renames an identity; renaming onto an existing name merges the two.
   * @throws {UnknownIdentityError} `oldName` has no rows. @throws {InvalidArgumentError} bad `newName`.
   */
  async rename(from: string, to: string): Promise<void> {
    const oldName = normalizeLabel(from, 'identity');
    const newName = normalizeLabel(to, 'identity');
    await this.change((c) => writeRename(c, this.t, oldName, newName));
  }

  /** Leaves one image out of every search of every replica until {@link PostgresGalleryStore.includeImage}. */
  excludeImage(imageId: string): Promise<void> {
    return this.change((c) => writeExcluded(c, this.t, normalizeLabel(imageId, 'image id'), true));
  }
  /** Undoes {@link PostgresGalleryStore.excludeImage}. @throws {UnknownIdentityError} the image id is not enrolled. */
  includeImage(imageId: string): Promise<void> {
    return this.change((c) => writeExcluded(c, this.t, normalizeLabel(imageId, 'image id'), false));
  }

  /**
   * Catches up with the changes committed since this replica's last applied one (other processes' included).
   * Calls run one at a time. Rejects when the database cannot be reached (the copy keeps answering meanwhile).
   */
  refresh(): Promise<void> {
    const run = () => this.catchUp();
    const p = this.syncing.then(run, run);
    this.syncing = p.catch(() => undefined);
    return p;
  }

  /** Loads the whole gallery in one snapshot into a new copy, then swaps it in. */
  private async reload(): Promise<void> {
    const next = Gallery.inMemory(this.manifest);
    let seq = 0;
    await inTransaction(this.pool, 'begin isolation level repeatable read read only', async (c) => {
      seq = Number((await c.query(`select coalesce(max(seq), 0) as s from ${this.t}_changes`)).rows[0].s);
      const { rows } = await c.query(
        `select i.name, e.image_id, e.embedding, e.excluded from ${this.t}_embeddings e
         join ${this.t}_identities i using (category) order by e.row_id`,
      );
      if (!rows.length) return;
      const D = this.dimension;
      const values = new Float32Array(rows.length * D);
      rows.forEach((r, i) => {
        values.set(new Float32Array(new Uint8Array(r.embedding).buffer), i * D);
      });
      await next.enrollMany(
        rows.map((r) => dec(r.name)),
        values,
        rows.map((r) => dec(r.image_id)),
      );
      for (const r of rows) if (r.excluded) await next.excludeImage(dec(r.image_id));
    });
    this.index = next;
    this.applied = seq;
    this.reloads++;
    this.synced();
  }

  private synced(): void {
    this.syncedAt = Date.now();
    this.lastError = undefined;
  }

  /**
   * Replays `<t>_changes` after the applied sequence, with the rows it refers to read in the same snapshot. Each
   * step is applied tolerantly (rows or names that a later change in the same batch removed are skipped), which ends
   * in the snapshot's state. A gap (log rows pruned before this replica read them) triggers a full reload.
   */
  private async catchUp(): Promise<void> {
    if (this.closed) return;
    try {
      const batch = await inTransaction(this.pool, 'begin isolation level repeatable read read only', async (c) => {
        const changes = await c.query<ChangeRow>(
          // Ordered by the bigint column (c.seq), not by the text the select list makes of it.
          `select c.seq::text as seq, kind, name, new_name, image_id, first_row::text, last_row::text
           from ${this.t}_changes c where c.seq > $1 order by c.seq`,
          [this.applied],
        );
        const enrolls = changes.rows.filter((r) => r.kind === 'enroll');
        const rows = enrolls.length
          ? (
              await c.query(
                `select e.row_id::text as row_id, image_id, embedding from ${this.t}_embeddings e
                 where e.row_id between $1 and $2 order by e.row_id`,
                [enrolls[0].first_row, enrolls[enrolls.length - 1].last_row],
              )
            ).rows
          : [];
        return { changes: changes.rows, rows };
      });
      if (!batch.changes.length) return this.synced();
      if (Number(batch.changes[0].seq) !== this.applied + 1) return await this.reload();
      try {
        await replayChanges(this.index, batch.changes, batch.rows, (seq) => {
          this.applied = seq;
        });
      } catch {
        // The copy and the log disagree (never seen; a safety net): start again from a snapshot.
        await this.reload();
      }
      this.synced();
    } catch (err) {
      this.lastError = err as Error;
      throw err;
    }
  }

  /** Opens the `LISTEN` connection; on error or end, retries after 1 s and catches up. */
  private async listen(): Promise<void> {
    if (this.closed || !this.connection) return;
    const pg = await import('pg');
    const ClientCtor = pg.default?.Client ?? (pg as unknown as typeof pg.default).Client;
    const client = new ClientCtor(
      typeof this.connection === 'string' ? { connectionString: this.connection } : this.connection,
    );
    const retry = (err?: Error) => {
      if (this.listener !== client) return;
      this.listener = null;
      this.listening = false;
      if (err) this.lastError = err;
      client.end().catch(() => undefined);
      if (this.closed) return;
      this.reconnect = setTimeout(() => {
        this.listen().catch(() => undefined);
      }, 1000);
      this.reconnect.unref?.();
    };
    this.listener = client;
    client.on('error', retry);
    client.on('end', () => retry());
    client.on('notification', (n: Notification) => {
      if (n.channel === this.channel && Number(n.payload) > this.applied) this.refresh().catch(() => undefined);
    });
    try {
      await client.connect();
      await client.query(`listen ${this.channel}`);
      this.listening = true;
      await this.refresh(); // what was committed while not listening
    } catch (err) {
      retry(err as Error);
      throw err;
    }
  }

  /** Stops following, ends the connections this store opened, and waits for a running catch-up. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.reconnect);
    const l = this.listener;
    this.listener = null;
    this.listening = false;
    await l?.end().catch(() => undefined);
    await this.syncing;
    if (this.ownsPool) await this.pool.end();
    await this.index.close();
  }
}
