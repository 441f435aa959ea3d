import { DiskFullError, EolgulError, FileSystemError, GalleryCorruptError } from '@eolgul/core';
import { type DBSchema, type IDBPDatabase, type IDBPTransaction, deleteDB, openDB } from 'idb';
import type { GalleryBackend } from './gallery-backend.js';
import type { GalleryChange } from './gallery-change.js';
import {
  type GalleryCreateOptions,
  checkManifestMatches,
  checkStoredManifest,
  manifestToCreate,
} from './gallery-manifest.js';
import { GalleryMatrix } from './gallery-matrix.js';
import { Gallery } from './gallery.js';
import type { GalleryManifest } from './gallery-types.js';

/**
 * The browser's durable store: a gallery in IndexedDB (through the `idb` wrapper), one row per enrolled image. The
 * search runs on the `Gallery`'s in-memory copy; every change is one IndexedDB read-write transaction that first
 * catches up with what other tabs stored (a generation number), so tabs never overwrite each other's changes.
 * Only embeddings are stored, never images.
 *
 * Database layout (version 1, the layout of the browser example before this store, whose galleries open unchanged):
 * object store `rows` (auto-increment key; `{ imageId, identity, embedding: Float32Array, addedAt }`, unique index
 * `imageId`) and `meta` (key path `key`: the manifest under `'manifest'`, `{ generation, excluded }` under `'state'`).
 * @module
 */

/** One stored row. */
interface StoredRow {
  imageId: string;
  identity: string;
  /** `[D] float32`, structured-cloned. */
  embedding: Float32Array;
  /** When it was enrolled, ms since 1970. */
  addedAt: number;
}

type ManifestRecord = Partial<GalleryManifest> & { key: 'manifest'; modelId: string; dimension: number };
interface StateRecord {
  key: 'state';
  generation: number;
  excluded: string[];
}

interface GalleryDb extends DBSchema {
  rows: { key: number; value: StoredRow; indexes: { imageId: string } };
  meta: { key: string; value: ManifestRecord | StateRecord };
}

/** The database name `openIndexedDbGallery` uses when given none (the browser example's). */
export const DEFAULT_INDEXEDDB_NAME = 'eolgul-browser';

type Tx = IDBPTransaction<GalleryDb, ('rows' | 'meta')[], 'readwrite'>;
type ReadTx = IDBPTransaction<GalleryDb, ('rows' | 'meta')[], 'readwrite' | 'readonly'>;

class IndexedDbBackend implements GalleryBackend {
  readonly readOnlyReason: string | undefined;
  private generation = -1;

  constructor(
    private readonly db: IDBPDatabase<GalleryDb>,
    readonly location: string,
    readonly manifest: GalleryManifest,
    readOnly: boolean,
  ) {
    this.readOnlyReason = readOnly ? 'opened with readOnly: true' : undefined;
  }

  private async read(tx: ReadTx): Promise<GalleryMatrix> {
    const state = (await tx.objectStore('meta').get('state')) as StateRecord | undefined;
    const rows = await tx.objectStore('rows').getAll();
    const D = this.manifest.dimension;
    const m = new GalleryMatrix(D, Math.max(16, rows.length));
    rows.forEach((r, i) => {
      if (!(r?.embedding instanceof Float32Array) || r.embedding.length !== D || typeof r.identity !== 'string') {
        throw new GalleryCorruptError(this.location, `row ${i} is not an identity with a [${D}] float32 embedding`);
      }
      if (!r.embedding.every(Number.isFinite))
        throw new GalleryCorruptError(this.location, `row ${i} (${JSON.stringify(r.imageId)}) is not finite`);
      let c = m.numberOfName.get(r.identity);
      if (c === undefined) {
        c = m.nextIdentityNumber();
        m.setIdentity(c, r.identity);
      }
      m.appendRows(r.embedding, [r.imageId], c);
    });
    m.setExcluded(state?.excluded ?? []);
    this.generation = state?.generation ?? 0;
    return m;
  }

  async load(): Promise<GalleryMatrix> {
    return this.read(this.db.transaction(['rows', 'meta'], 'readonly'));
  }

  async refresh(current: GalleryMatrix): Promise<{ matrix: GalleryMatrix; changed: boolean }> {
    const state = (await this.db.get('meta', 'state')) as StateRecord | undefined;
    if ((state?.generation ?? 0) === this.generation) return { matrix: current, changed: false };
    return { matrix: await this.load(), changed: true };
  }

  async transact<T>(
    current: GalleryMatrix,
    step: (m: GalleryMatrix) => { next: GalleryMatrix; change: GalleryChange | null; result: T },
  ): Promise<{ matrix: GalleryMatrix; result: T }> {
    try {
      const tx = this.db.transaction(['rows', 'meta'], 'readwrite');
      // Only IndexedDB requests are awaited below, so the transaction stays open until the change is written.
      const state = (await tx.objectStore('meta').get('state')) as StateRecord | undefined;
      const m = (state?.generation ?? 0) === this.generation ? current : await this.read(tx);
      const { next, change, result } = step(m);
      if (change) {
        await this.write(tx, next, change);
        this.generation++;
        await tx.objectStore('meta').put({ key: 'state', generation: this.generation, excluded: [...next.excluded] });
      }
      await tx.done;
      return { matrix: next, result };
    } catch (err) {
      throw storageError(err, this.location);
    }
  }

  private async write(tx: Tx, m: GalleryMatrix, change: GalleryChange): Promise<void> {
    const rows = tx.objectStore('rows');
    if (change.kind === 'enroll') {
      const addedAt = Date.now();
      const D = m.dimension;
      for (let r = change.fromRow; r < m.rows; r++) {
        await rows.add({
          imageId: m.imageIds[r],
          identity: m.names[m.identityOf[r]] as string,
          embedding: m.data.slice(r * D, (r + 1) * D),
          addedAt,
        });
      }
    } else if (change.kind === 'remove') {
      for (const id of change.imageIds) {
        const key = await rows.index('imageId').getKey(id);
        if (key !== undefined) await rows.delete(key);
      }
    } else if (change.kind === 'rename') {
      for (let cur = await rows.openCursor(); cur; cur = await cur.continue()) {
        if (cur.value.identity === change.from) await cur.update({ ...cur.value, identity: change.to });
      }
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** A failed IndexedDB request as a typed error: a full quota is {@link DiskFullError}. */
function storageError(err: unknown, location: string): unknown {
  if (err instanceof EolgulError) return err;
  const name = (err as { name?: string } | undefined)?.name;
  if (name === 'QuotaExceededError') return new DiskFullError(location, 'store the gallery in', { cause: err });
  if (typeof DOMException !== 'undefined' && err instanceof DOMException)
    return new FileSystemError(location, 'store the gallery in', name ?? 'DOMException', { cause: err });
  return err;
}

/**
 * Opens (or creates) a gallery stored in IndexedDB and loads it into memory. Browser-safe; in Node it needs an
 * IndexedDB implementation on `globalThis` (e.g. `fake-indexeddb/auto` in tests).
 * @param name the database name (default {@link DEFAULT_INDEXEDDB_NAME}).
 * @param options creation and checks as for every store (`embedder` or `dimension` + `modelId` + `defaultThreshold`
 *   to create), plus `readOnly`.
 * @throws {GalleryMismatchError} the stored gallery was made with another model or D (`field` says which); see
 *   {@link deleteIndexedDbGallery}. @throws {InvalidArgumentError} creating without D, model id or threshold.
 * @throws {GalleryCorruptError} a stored row or manifest that is not what this store writes.
 */
export async function openIndexedDbGallery(
  name: string = DEFAULT_INDEXEDDB_NAME,
  options: GalleryCreateOptions & { readOnly?: boolean } = {},
): Promise<Gallery> {
  const location = `indexeddb:${name}`;
  const db = await openDB<GalleryDb>(name, 1, {
    upgrade(d) {
      const rows = d.createObjectStore('rows', { autoIncrement: true });
      rows.createIndex('imageId', 'imageId', { unique: true });
      d.createObjectStore('meta', { keyPath: 'key' });
    },
  });
  db.addEventListener('versionchange', () => db.close()); // let deleteIndexedDbGallery in another tab proceed
  try {
    const stored = (await db.get('meta', 'manifest')) as ManifestRecord | undefined;
    let manifest: GalleryManifest;
    if (!stored) {
      manifest = manifestToCreate(options);
      await db.put('meta', { key: 'manifest', ...manifest });
    } else {
      // A gallery of the browser example stored only the model id and D: the caller's threshold completes it.
      const { key: _, ...fields } = stored;
      const legacy = stored.formatVersion === undefined;
      manifest = checkStoredManifest(
        legacy ? manifestToCreate({ ...options, dimension: fields.dimension, modelId: fields.modelId }) : fields,
        location,
        'manifest',
      );
      checkManifestMatches(manifest, options);
      if (legacy) await db.put('meta', { key: 'manifest', ...manifest });
    }
    const backend = new IndexedDbBackend(db, location, manifest, options.readOnly === true);
    return Gallery.over(backend, await backend.load());
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Deletes a stored IndexedDB gallery (the whole database), e.g. after a `GalleryMismatchError` when the app's model
 * changed. Irreversible: export it first (`encodeEmbeddingPair(gallery.toPair())`).
 */
export async function deleteIndexedDbGallery(name: string = DEFAULT_INDEXEDDB_NAME): Promise<void> {
  await deleteDB(name);
}
