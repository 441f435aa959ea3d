/**
 * The `node` build of `@eolgul/gallery`'s main entry: the same exports, plus the Node implementations behind the
 * deprecated directory methods (`Gallery.open`, `Gallery.importPair`, `gallery.exportPair`). Browser bundles get
 * `index.ts`, which holds no Node code.
 * @packageDocumentation
 */
import { exportGalleryPair, importEmbeddingPair, openGallery } from './gallery-node.js';
import { installNodeGalleryHooks } from './gallery.js';

installNodeGalleryHooks({ open: openGallery, importPair: importEmbeddingPair, exportPair: exportGalleryPair });

export * from './index.js';
