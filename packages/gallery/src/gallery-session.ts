import { validateLabel } from './gallery-names.js';
import type { GalleryStore, GalleryStoreSession, IdentifyOptions, Match, MaybePromise } from './gallery-types.js';

/**
 * Default L2 distance threshold of a new gallery when none is given: 1.0, the distance between two unit vectors at
 * 60° (cosine similarity 0.5). A geometric placeholder, not a calibration: calibrate the threshold of your embedding
 * model on labelled pairs (e.g. with `@eolgul/lfw-tools`) and store it with `defaultThreshold`.
 */
export const DEFAULT_GALLERY_THRESHOLD = 1.0;

/** Creates a "that is not me" session over any store. */
export function createGallerySession(store: Pick<GalleryStore, 'identify'>): GalleryStoreSession {
  const rejected: string[] = [];
  return {
    reject(identity: string): void {
      validateLabel(identity, 'identity');
      if (!rejected.includes(identity)) rejected.push(identity);
    },
    rejected: () => rejected.slice(),
    identify(probe: Float32Array, options: IdentifyOptions = {}): MaybePromise<Match[]> {
      return store.identify(probe, { ...options, exclude: [...(options.exclude ?? []), ...rejected] });
    },
  };
}
