import type { GalleryChange } from './gallery-change.js';
import type { GalleryMatrix } from './gallery-matrix.js';
import type { GalleryManifest } from './gallery-types.js';

/**
 * Where a `Gallery` keeps its state: in memory, in IndexedDB, or in a directory of NPY + CSV files (Node). The
 * `Gallery` searches its in-memory copy and asks the backend to run each change as one transaction.
 * @module
 */

/** One step of a transaction: the change planned on the up-to-date state, applied to it. */
export type TransactionStep<T> = (current: GalleryMatrix) => {
  next: GalleryMatrix;
  change: GalleryChange | null;
  result: T;
};

/** The storage under a `Gallery`. Internal to the package. */
export interface GalleryBackend {
  /** Where the gallery lives, for messages: a directory path, `indexeddb:<name>`, or `memory`. */
  readonly location: string;
  /** What the stored embeddings are. */
  readonly manifest: GalleryManifest;
  /** Why changes are refused (`readOnly: true`, a read-only file system), or `undefined` when they are allowed. */
  readonly readOnlyReason: string | undefined;
  /**
   * Runs one change as a transaction: brings `current` up to the stored state (other processes or tabs may have
   * written), runs `step` on it, and stores the change before resolving. If it rejects, `current` may hold the change
   * without it being stored: reload with {@link GalleryBackend.load}.
   */
  transact<T>(current: GalleryMatrix, step: TransactionStep<T>): Promise<{ matrix: GalleryMatrix; result: T }>;
  /** The stored state, read afresh. */
  load(): Promise<GalleryMatrix>;
  /** Catches `current` up with the stored state: the same matrix updated in place, or a new one; `changed` says whether anything did. */
  refresh(current: GalleryMatrix): Promise<{ matrix: GalleryMatrix; changed: boolean }>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** The backend of an in-memory gallery: changes apply at once, nothing is stored. */
export function memoryBackend(manifest: GalleryManifest): GalleryBackend {
  return {
    location: 'memory',
    manifest,
    readOnlyReason: undefined,
    async transact(current, step) {
      const { next, result } = step(current);
      return { matrix: next, result };
    },
    async load() {
      throw new Error('an in-memory gallery has no stored state to reload');
    },
    async refresh(current) {
      return { matrix: current, changed: false };
    },
    async close() {},
  };
}
