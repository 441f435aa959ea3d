/**
 * Where the gallery lives: a gallery directory (the default: nothing else to install), or PostgreSQL when `DATABASE_URL`
 * is set, shared by every replica that uses the same database and table prefix.
 * @module
 */
import { GalleryMismatchError } from 'eolgul';
import { PostgresGalleryStore } from '@eolgul/gallery/pg';
import pg from 'pg';
import type { ServerConfig } from './server-config.js';

/** What a new gallery must record about the embedder (a recognizer's `dimension`, `modelId`, `preprocess`). */
export interface EmbedderInfo {
  dimension: number;
  modelId: string;
  preprocess: string;
  threshold: number;
}

/**
 * Opens the PostgreSQL gallery, creating its tables on the first start. Creating needs the embedder's description,
 * which `describeEmbedder` supplies (it loads the models once; only on that first start).
 */
export async function openPostgresGallery(
  config: ServerConfig,
  describeEmbedder: () => Promise<EmbedderInfo>,
): Promise<PostgresGalleryStore> {
  const url = config.databaseUrl as string;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let exists: boolean;
  try {
    exists = (await client.query('select to_regclass($1) is not null as ok', [`${config.pgTable}_manifest`])).rows[0]
      .ok;
  } finally {
    await client.end();
  }
  if (exists) return PostgresGalleryStore.open(url, { table: config.pgTable });
  const info = await describeEmbedder();
  return PostgresGalleryStore.open(url, {
    table: config.pgTable,
    create: true,
    dimension: info.dimension,
    modelId: info.modelId,
    preprocess: info.preprocess,
    defaultThreshold: info.threshold,
  });
}

/**
 * The front door checks a given store's dimension and model id; this adds the alignment (`preprocess`), so that a
 * gallery enrolled with other alignment points is refused rather than matched badly.
 * @throws {GalleryMismatchError}
 */
export function checkPreprocess(store: PostgresGalleryStore, preprocess: string): void {
  const stored = store.manifest.preprocess;
  if (stored !== undefined && stored !== preprocess) throw new GalleryMismatchError('preprocess', stored, preprocess);
}
