import { GalleryMismatchError, InvalidArgumentError } from '@eolgul/core';
import { Gallery, createGallerySession, type GallerySession } from '@eolgul/gallery';
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import {
  captureImageId,
  decodePair,
  encodePair,
  nextCaptureNumber,
  type PairFiles,
  type PairRow,
} from './browser-pair.js';

/**
 * The browser gallery: an in-memory `Gallery` of `@eolgul/gallery` (the search), persisted row by row in IndexedDB
 * (database `eolgul-browser`, via the `idb` wrapper), with NPY + CSV export and import.
 * Only embeddings are stored, never camera frames.
 * @module
 */

/** One row as stored in IndexedDB. */
interface StoredRow {
  imageId: string;
  identity: string;
  /** `[D] float32`, structured-cloned. */
  embedding: Float32Array;
  /** Time it was enrolled, ms since 1970. */
  addedAt: number;
}

interface Manifest {
  key: 'manifest';
  modelId: string;
  dimension: number;
}

interface EolgulDb extends DBSchema {
  rows: { key: number; value: StoredRow; indexes: { imageId: string } };
  meta: { key: string; value: Manifest };
}

/** Options of {@link BrowserGallery.open}. */
export interface BrowserGalleryOptions {
  /** Embedding length D of the app's embedder. */
  dimension: number;
  /** Embedding model id; a stored gallery of another model is refused. */
  modelId: string;
  /** L2 distance threshold of `identify` (e.g. `DEFAULT_THRESHOLD` of `@eolgul/facenet`). */
  threshold: number;
  /** IndexedDB database name (default `'eolgul-browser'`). */
  dbName?: string;
}

/** Result of {@link BrowserGallery.importPair}. */
export interface ImportResult {
  /** Rows added. */
  added: number;
  /** Rows skipped because their image id was already in the gallery. */
  skipped: number;
  /** Identities the added rows belong to. */
  identities: string[];
}

/** The persisted gallery of the app. */
export class BrowserGallery {
  private constructor(
    private readonly db: IDBPDatabase<EolgulDb>,
    private gallery: Gallery,
    private readonly options: BrowserGalleryOptions,
  ) {}

  /**
   * Opens (or creates) the IndexedDB gallery and loads it into memory.
   * @throws {GalleryMismatchError} the stored gallery was made with another embedding model or D (`field` says which).
   */
  static async open(options: BrowserGalleryOptions): Promise<BrowserGallery> {
    const db = await openDB<EolgulDb>(options.dbName ?? 'eolgul-browser', 1, {
      upgrade(d) {
        const rows = d.createObjectStore('rows', { autoIncrement: true });
        rows.createIndex('imageId', 'imageId', { unique: true });
        d.createObjectStore('meta', { keyPath: 'key' });
      },
    });
    const manifest = await db.get('meta', 'manifest');
    if (manifest) {
      const mismatch =
        manifest.modelId !== options.modelId
          ? new GalleryMismatchError('modelId', manifest.modelId, options.modelId)
          : manifest.dimension !== options.dimension
            ? new GalleryMismatchError('dimension', manifest.dimension, options.dimension)
            : null;
      if (mismatch) {
        db.close(); // so that deleteStored() is not blocked by this connection
        throw mismatch;
      }
    } else {
      await db.put('meta', { key: 'manifest', modelId: options.modelId, dimension: options.dimension });
    }
    const g = new BrowserGallery(db, BrowserGallery.emptyGallery(options), options);
    await g.loadIntoMemory(await db.getAll('rows'));
    return g;
  }

  /**
   * Deletes the stored gallery (the whole IndexedDB database), e.g. after a {@link GalleryMismatchError} when the app's
   * embedding model changed. Irreversible: export first.
   */
  static async deleteStored(dbName = 'eolgul-browser'): Promise<void> {
    await deleteDB(dbName);
  }

  private static emptyGallery(o: BrowserGalleryOptions): Gallery {
    return Gallery.inMemory({ dimension: o.dimension, modelId: o.modelId, defaultThreshold: o.threshold });
  }

  private async loadIntoMemory(rows: readonly StoredRow[]): Promise<void> {
    const byIdentity = new Map<string, StoredRow[]>();
    for (const r of rows) {
      const list = byIdentity.get(r.identity) ?? [];
      list.push(r);
      byIdentity.set(r.identity, list);
    }
    for (const [identity, list] of byIdentity) {
      await this.gallery.enroll(
        identity,
        list.map((r) => r.embedding),
        list.map((r) => r.imageId),
      );
    }
  }

  /** Identity names, sorted. */
  identities(): string[] {
    return this.gallery.identities();
  }

  /** Number of photos (embeddings) of `identity`. */
  countOf(identity: string): number {
    return this.gallery.countOf(identity);
  }

  /** Number of rows. */
  get size(): number {
    return this.gallery.size;
  }

  /** Embedding length D. */
  get dimension(): number {
    return this.options.dimension;
  }

  /** L2 distance threshold. */
  get threshold(): number {
    return this.options.threshold;
  }

  /**
   * A new "that is not me" session (`createGallerySession` of `@eolgul/gallery`): after `reject(identity)` that
   * identity is left out of this session's searches. It follows the gallery across imports and deletions.
   */
  session(): GallerySession {
    return createGallerySession({ identify: (probe, o) => this.gallery.identify(probe, o) }) as GallerySession;
  }

  /**
   * Enrolls photos of one identity: in memory first (which validates everything), then in IndexedDB in one
   * transaction; if that write fails the rows are taken out of memory again.
   * @param embeddings `[n][D] float32`, from the embedder.
   * @returns the new image ids (`<identity>_<k>.jpg`).
   * @throws {InvalidArgumentError} bad name. @throws {EmbeddingDimensionError} / {InvalidEmbeddingError} bad vectors.
   */
  async enroll(identity: string, embeddings: readonly Float32Array[]): Promise<string[]> {
    const first = nextCaptureNumber(identity, this.gallery.imagesOf(identity));
    const ids = embeddings.map((_, i) => captureImageId(identity, first + i));
    await this.gallery.enroll(identity, embeddings, ids);
    try {
      const tx = this.db.transaction('rows', 'readwrite');
      const now = Date.now();
      await Promise.all([
        ...embeddings.map((e, i) => tx.store.add({ imageId: ids[i], identity, embedding: e, addedAt: now })),
        tx.done,
      ]);
    } catch (err) {
      for (const id of ids) await this.gallery.remove(id).catch(() => 0);
      throw err;
    }
    return ids;
  }

  /** Every row, in enrollment order. */
  async rows(): Promise<PairRow[]> {
    return (await this.db.getAll('rows')).map((r) => ({
      imageId: r.imageId,
      identity: r.identity,
      embedding: r.embedding,
    }));
  }

  /** The gallery as the NPY + CSV pair that `eolgul gallery import` reads (see `browser-pair.ts`). */
  async exportPair(): Promise<PairFiles> {
    return encodePair(await this.rows(), this.options.dimension);
  }

  /**
   * Adds the rows of an NPY + CSV pair. Rows whose image id is already in the gallery are skipped; all the others are
   * added in one IndexedDB transaction.
   * @throws {NpyFormatError} @throws {CsvFormatError} @throws {EmbeddingDimensionError} @throws {InvalidEmbeddingError}
   *   a bad pair (nothing is added).
   */
  async importPair(npy: Uint8Array, csv: string, names?: { npy: string; csv: string }): Promise<ImportResult> {
    const rows = decodePair(npy, csv, this.options.dimension, names);
    const existing = new Set((await this.db.getAll('rows')).map((r) => r.imageId));
    const fresh = rows.filter((r) => !existing.has(r.imageId));
    const seen = new Set<string>();
    for (const r of fresh) {
      if (seen.has(r.imageId))
        throw new InvalidArgumentError(`image id ${JSON.stringify(r.imageId)} appears twice in the pair`);
      seen.add(r.imageId);
    }
    const tx = this.db.transaction('rows', 'readwrite');
    const now = Date.now();
    await Promise.all([
      ...fresh.map((r) =>
        tx.store.add({ imageId: r.imageId, identity: r.identity, embedding: r.embedding, addedAt: now }),
      ),
      tx.done,
    ]);
    await this.reload();
    return {
      added: fresh.length,
      skipped: rows.length - fresh.length,
      identities: [...new Set(fresh.map((r) => r.identity))],
    };
  }

  /** Deletes one identity and all its photos. @returns the rows removed. */
  async removeIdentity(identity: string): Promise<number> {
    const tx = this.db.transaction('rows', 'readwrite');
    let n = 0;
    for (let cur = await tx.store.openCursor(); cur; cur = await cur.continue()) {
      if (cur.value.identity === identity) {
        await cur.delete();
        n++;
      }
    }
    await tx.done;
    await this.reload();
    return n;
  }

  /** Deletes every row. */
  async clear(): Promise<void> {
    await this.db.clear('rows');
    await this.reload();
  }

  /** Rebuilds the in-memory gallery from IndexedDB. */
  private async reload(): Promise<void> {
    const rows = await this.db.getAll('rows');
    this.gallery = BrowserGallery.emptyGallery(this.options);
    await this.loadIntoMemory(rows);
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }
}
