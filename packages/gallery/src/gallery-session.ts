import { normalizeLabel, normalizeNameList } from './gallery-names.js';
import type { GalleryStore, GalleryStoreSession, IdentifyOptions, Match, MaybePromise } from './gallery-types.js';

/**
 * The L2 distance threshold galleries used to get when created without one: 1.0, the distance between two unit
 * vectors at 60°. No longer used: a gallery now takes its threshold from its embedder (`{ embedder }`) or from
 * `defaultThreshold`, because a geometric placeholder is not a calibration.
 * @deprecated Pass `defaultThreshold` (e.g. `DEFAULT_THRESHOLD` of `@eolgul/facenet`, 1.10) or `embedder`.
 */
export const DEFAULT_GALLERY_THRESHOLD = 1.0;

/** Creates a "that is not me" session over any store. Rejected names are compared in NFC. */
export function createGallerySession(store: Pick<GalleryStore, 'identify'>): GalleryStoreSession {
  const rejected: string[] = [];
  return {
    reject(identity: string): void {
      const name = normalizeLabel(identity, 'identity');
      if (!rejected.includes(name)) rejected.push(name);
    },
    rejected: () => rejected.slice(),
    identify(probe: Float32Array, options: IdentifyOptions = {}): MaybePromise<Match[]> {
      const exclude = options?.exclude === undefined ? [] : normalizeNameList(options.exclude, 'exclude');
      return store.identify(probe, { ...options, exclude: [...exclude, ...rejected] });
    },
  };
}
