/**
 * Per-channel normalisation values of an {@link ImageTensorSpec}, shared by the functions that write model inputs.
 * Internal: not exported from the package.
 * @module
 */
import type { ImageTensorSpec } from './image-tensor.js';

/** A spec's `mean` or `scale` as three values for R, G and B (`d` when absent, the one number repeated). */
export const perChannel = (v: ImageTensorSpec['mean'], d: number): readonly number[] =>
  v === undefined ? [d, d, d] : typeof v === 'number' ? [v, v, v] : v;
