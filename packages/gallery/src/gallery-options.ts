import { InvalidArgumentError } from '@eolgul/core';
import type { Gallery } from './gallery.js';
import type { GalleryCreateOptions } from './gallery-manifest.js';

/** Options of the directory store (`openGallery` of `@eolgul/gallery/node`, and the deprecated `Gallery.open`). */
export interface GalleryOpenOptions extends GalleryCreateOptions {
  /** Create the directory and an empty gallery when it has none. Default false. */
  create?: boolean;
  /**
   * Open for reading only: no write lock, no write access needed (read-only folders and mounts work); every change
   * rejects with `GalleryReadOnlyError`. Default false (changes allowed; the lock is taken only while one is written).
   */
  readOnly?: boolean;
  /** How long a change waits for another writer's lock before `GalleryLockedError`, in ms. Default 30000. */
  lockTimeoutMs?: number;
  /**
   * Age in ms after which a lock whose owner stopped refreshing it (e.g. a killed process) is taken over.
   * Default 10000 (proper-lockfile's default); minimum 2000.
   */
  lockStaleMs?: number;
}

/**
 * Options of {@link Gallery.inMemory}: D (`dimension`, or an `embedder` that gives it), a threshold (`defaultThreshold`
 * or the embedder's); `modelId` defaults to `'unspecified'`.
 */
export type GalleryMemoryOptions = GalleryCreateOptions &
  ({ dimension: number } | { embedder: NonNullable<GalleryCreateOptions['embedder']> });

/** What {@link Gallery.enrollPair} did. */
export interface EnrollPairResult {
  /** Rows added. */
  added: number;
  /** Rows skipped because their image id was already enrolled (with `skipExisting`). */
  skipped: number;
  /** The identities the added rows belong to, in first-row order. */
  identities: string[];
}

/** The Node-only parts of the deprecated API, installed by the package's Node build (see `index-node.ts`). */
export interface NodeGalleryHooks {
  open(dir: string, options: GalleryOpenOptions): Promise<Gallery>;
  importPair(dir: string, npyPath: string, csvPath: string, options: GalleryOpenOptions): Promise<Gallery>;
  exportPair(gallery: Gallery, npyPath: string, csvPath: string): Promise<void>;
}

let nodeHooks: NodeGalleryHooks | undefined;

/** Installs the Node implementations of the deprecated directory methods. @internal */
export function installNodeGalleryHooks(hooks: NodeGalleryHooks): void {
  nodeHooks = hooks;
}

/** The Node hooks, or an error that says where the method lives. */
export function nodeHooksFor(what: string): NodeGalleryHooks {
  if (!nodeHooks) {
    throw new InvalidArgumentError(
      `${what} needs Node.js (files): use openGallery from '@eolgul/gallery/node' there; in a browser use openIndexedDbGallery or Gallery.inMemory`,
    );
  }
  return nodeHooks;
}
