/**
 * `@eolgul/gallery/pg`: galleries in PostgreSQL, through the `pg` client (an optional peer dependency: install it only
 * if you use this entry point).
 * - {@link PostgresGalleryStore}: plain tables, any PostgreSQL; each process keeps the exact in-memory index and
 *   follows the others' changes (LISTEN/NOTIFY and a change log). For several service replicas sharing one gallery.
 * - {@link PgVectorGalleryStore}: pgvector (HNSW or exact scan) searched inside the database.
 * @packageDocumentation
 */
export { PgVectorGalleryStore, type PgVectorStoreOptions, type PgPoolLike } from './gallery-store-pgvector.js';
export {
  PostgresGalleryStore,
  type PostgresStoreOptions,
  type PostgresStoreStatus,
} from './gallery-store-postgres.js';
export type { PgPool } from './gallery-store-postgres-schema.js';
export type { GalleryStore, GalleryStoreSession, GalleryManifest, Match, IdentifyOptions } from './gallery-types.js';
