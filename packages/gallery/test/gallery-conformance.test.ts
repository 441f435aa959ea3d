import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll } from 'vitest';
import { Gallery, type GalleryStore } from '../src/index.js';
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
