import { GalleryCorruptError, GalleryMismatchError, InvalidArgumentError } from '@eolgul/core';
import { checkThreshold } from './gallery-input.js';
import type { EmbedderInfo, GalleryManifest } from './gallery-types.js';

/**
 * The manifest of a gallery (what its embeddings are) and the options that create or check it, the same for every
 * store.
 * @module
 */

/** What describes the embeddings of a gallery when it is created, and what is checked when it is opened. */
export interface GalleryCreateOptions {
  /**
   * The embedder that fills the gallery (an object from `@eolgul/embedder`, or anything with `dimension`, `modelId` and
   * `threshold`): a new gallery takes its D, model id and calibrated threshold from it; an existing one must match its
   * D and model id. The fields below, when given, take precedence.
   */
  embedder?: EmbedderInfo;
  /** Embedding length D. Needed to create (or `embedder`); when opening, must equal the stored D. */
  dimension?: number;
  /** Embedding model id. Needed to create (or `embedder`); when opening, must equal the stored one. */
  modelId?: string;
  /** Preprocessing description (alignment). Stored on create; when opening, must equal the stored one if both are set. */
  preprocess?: string;
  /**
   * The L2 distance threshold stored on create, used when a search passes none. Needed to create, unless `embedder`
   * gives it (the model's calibrated threshold). Ignored when opening: the stored one is used.
   */
  defaultThreshold?: number;
}

/**
 * The manifest of a new gallery.
 * @throws {InvalidArgumentError} no positive integer D, no model id, or no (valid) threshold.
 */
export function manifestToCreate(o: GalleryCreateOptions): GalleryManifest {
  const dimension = o.dimension ?? o.embedder?.dimension;
  const modelId = o.modelId ?? o.embedder?.modelId;
  const threshold = o.defaultThreshold ?? o.embedder?.threshold;
  if (!Number.isInteger(dimension) || (dimension as number) <= 0)
    throw new InvalidArgumentError(
      `creating a gallery needs a positive integer dimension (or an embedder), got ${dimension}`,
    );
  if (typeof modelId !== 'string' || modelId.length === 0)
    throw new InvalidArgumentError('creating a gallery needs a modelId (or an embedder)');
  if (threshold === undefined)
    throw new InvalidArgumentError(
      'creating a gallery needs a defaultThreshold or an embedder (whose calibrated threshold it takes): there is no default that fits every model',
    );
  return {
    formatVersion: 1,
    dimension: dimension as number,
    modelId,
    ...(o.preprocess !== undefined ? { preprocess: o.preprocess } : {}),
    defaultThreshold: checkThreshold(threshold, 'defaultThreshold'),
  };
}

/**
 * Checks a stored manifest against what the caller asked for.
 * @throws {GalleryMismatchError} D, model id or preprocessing differ (`field` names which).
 */
export function checkManifestMatches(stored: GalleryManifest, o: GalleryCreateOptions): void {
  const checks: [keyof GalleryManifest, unknown][] = [
    ['dimension', o.dimension ?? o.embedder?.dimension],
    ['modelId', o.modelId ?? o.embedder?.modelId],
    ['preprocess', o.preprocess],
  ];
  for (const [field, want] of checks) {
    if (want !== undefined && stored[field] !== undefined && want !== stored[field]) {
      throw new GalleryMismatchError(field, stored[field], want);
    }
  }
}

/**
 * Checks the fields of a manifest read from storage.
 * @param where the gallery's location, for the error. @param file the file or record it came from.
 * @throws {GalleryCorruptError} fields missing, of the wrong type, or an unknown format version.
 */
export function checkStoredManifest(m: unknown, where: string, file: string): GalleryManifest {
  const x = m as GalleryManifest | undefined;
  if (x?.formatVersion !== 1)
    throw new GalleryCorruptError(where, `${file}: unsupported formatVersion ${JSON.stringify(x?.formatVersion)}`);
  if (!Number.isInteger(x.dimension) || x.dimension <= 0)
    throw new GalleryCorruptError(where, `${file}: bad dimension`);
  if (typeof x.modelId !== 'string') throw new GalleryCorruptError(where, `${file}: bad modelId`);
  if (x.preprocess !== undefined && typeof x.preprocess !== 'string')
    throw new GalleryCorruptError(where, `${file}: bad preprocess`);
  if (typeof x.defaultThreshold !== 'number' || !(x.defaultThreshold >= 0) || !Number.isFinite(x.defaultThreshold))
    throw new GalleryCorruptError(where, `${file}: bad defaultThreshold`);
  return x;
}
