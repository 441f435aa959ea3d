/**
 * `@eolgul/gallery/pg`: the gallery over PostgreSQL + pgvector (HNSW, L2). Needs the `pg` package (an optional peer
 * dependency: install it only if you use this entry point).
 * @packageDocumentation
 */
export { PgVectorGalleryStore, type PgVectorStoreOptions, type PgPoolLike } from './gallery-store-pgvector.js';
export type { GalleryStore, GalleryStoreSession, GalleryManifest, Match, IdentifyOptions } from './gallery-types.js';
