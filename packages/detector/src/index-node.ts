/**
 * `@eolgul/detector` in Node (export condition `node`): everything of the main entry, and, as deprecated aliases, the
 * image file helpers (sharp) that moved to `@eolgul/detector/node`.
 * @packageDocumentation
 */
import * as node from './node.js';

export * from './index.js';

/** @deprecated import `readImage` from `@eolgul/detector/node`. */
export const readImage = node.readImage;
/** @deprecated import `encodeImage` from `@eolgul/detector/node`. */
export const encodeImage = node.encodeImage;
/** @deprecated import `DETECTION_MAX_SIDE` from `@eolgul/detector/node`. */
export const DETECTION_MAX_SIDE = node.DETECTION_MAX_SIDE;
/** @deprecated import `MAX_IMAGE_PIXELS` from `@eolgul/detector/node`. */
export const MAX_IMAGE_PIXELS = node.MAX_IMAGE_PIXELS;
/** @deprecated import `ReadImageOptions` from `@eolgul/detector/node`. */
export type ReadImageOptions = node.ReadImageOptions;
