import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll } from 'vitest';
import { Gallery, type GalleryStore, openIndexedDbGallery } from '../src/index.js';
import { openGallery } from '../src/node.js';
import { runGalleryStoreConformance } from './gallery-store-conformance.js';

runGalleryStoreConformance('in-memory Gallery', {
  persistent: false,
  create: async (dimension) => Gallery.inMemory({ dimension, modelId: 'test-model', defaultThreshold: 1 }),
  reopen: async (store) => store,
});

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

runGalleryStoreConformance('directory Gallery (NPY + CSV)', {
  persistent: true,
  create: async (dimension) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'eolgul-gallery-'));
    dirs.push(dir);
    return openGallery(path.join(dir, 'g'), { create: true, dimension, modelId: 'test-model', defaultThreshold: 1 });
  },
  reopen: async (store: GalleryStore) => {
    const g = store as Gallery;
    const dir = g.directory!;
    await g.close();
    return openGallery(dir, { dimension: g.dimension, modelId: 'test-model' });
  },
});

// IndexedDB in Node through fake-indexeddb (a pure-JS implementation of the standard, structured clone included);
// the browser example's end-to-end test runs the same store in Chromium's real IndexedDB.
let databases = 0;
runGalleryStoreConformance('IndexedDB Gallery (fake-indexeddb)', {
  persistent: true,
  create: async (dimension) => {
    await import('fake-indexeddb/auto');
    const name = `eolgul-conformance-${databases++}`;
    return openIndexedDbGallery(name, { dimension, modelId: 'test-model', defaultThreshold: 1 });
  },
  reopen: async (store: GalleryStore) => {
    const g = store as Gallery;
    const name = (g.directory as string).replace(/^indexeddb:/, '');
    await g.close();
    return openIndexedDbGallery(name, { dimension: g.dimension, modelId: 'test-model' });
  },
});
