import { ImageDecodeError, ImageTooLargeError, rgbImage, type RgbImage } from '@eolgul/core';

/**
 * Largest image, in pixels, that {@link readImage} decodes: 16383 × 16383 (sharp's own default limit, about 268 MP).
 * Larger inputs are refused with {@link ImageTooLargeError} before decoding.
 */
export const MAX_IMAGE_PIXELS = 0x3fff * 0x3fff;

/** Options of {@link readImage}. */
export interface ReadImageOptions {
  /** Refuse images with more pixels than this (default {@link MAX_IMAGE_PIXELS}). */
  maxPixels?: number;
}

type Sharp = typeof import('sharp');
let sharpModule: Promise<Sharp> | undefined;
async function getSharp(): Promise<Sharp> {
  sharpModule ??= import('sharp').then((m) => ((m as { default?: Sharp }).default ?? m) as Sharp);
  return sharpModule;
}

/**
 * Decodes an image file or buffer to 8-bit RGB in Node, with sharp: EXIF orientation applied (so pixels and boxes are
 * in the displayed orientation), alpha flattened onto white, grey and palette images expanded to RGB, the first frame of
 * animations. Any format sharp reads (JPEG, PNG, WebP, GIF, AVIF, TIFF, ...).
 * @param input a file path, or the encoded bytes.
 * @param options see {@link ReadImageOptions}.
 * @returns the decoded image, shape `[height, width, 3]` uint8.
 * @throws {ImageDecodeError} missing, unreadable, empty, truncated or non-image input, or a directory (names the path).
 * @throws {ImageTooLargeError} more pixels than `maxPixels`.
 * @example
 * ```ts
 * const img = await readImage('examples/data/gallery/Ariel_Sharon/Ariel_Sharon_0001.jpg');
 * // { width: 250, height: 250, data: Uint8Array(187500) }
 * ```
 */
export async function readImage(input: string | Uint8Array, options: ReadImageOptions = {}): Promise<RgbImage> {
  const name = typeof input === 'string' ? input : '<buffer>';
  const maxPixels = options.maxPixels ?? MAX_IMAGE_PIXELS;
  let bytes: Uint8Array;
  if (typeof input === 'string') {
    const fs = await import('node:fs/promises');
    try {
      const st = await fs.stat(input);
      if (st.isDirectory()) throw new ImageDecodeError(name, 'is a directory');
      bytes = await fs.readFile(input);
    } catch (err) {
      if (err instanceof ImageDecodeError) throw err;
      throw new ImageDecodeError(name, (err as NodeJS.ErrnoException).code ?? (err as Error).message, { cause: err });
    }
  } else bytes = input;
  if (bytes.length === 0) throw new ImageDecodeError(name, 'empty file');
  const sharp = await getSharp();
  let meta: import('sharp').Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ImageDecodeError(name, `not a readable image (${(err as Error).message})`, { cause: err });
  }
  const pixels = (meta.width ?? 0) * (meta.height ?? 0);
  if (pixels > maxPixels) throw new ImageTooLargeError(name, pixels, maxPixels);
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return rgbImage(new Uint8Array(data.buffer, data.byteOffset, data.length), info.width, info.height);
  } catch (err) {
    throw new ImageDecodeError(name, `decoding failed (${(err as Error).message})`, { cause: err });
  }
}

/**
 * Encodes an RGB image as JPEG or PNG with sharp (Node), e.g. to save an aligned crop.
 * @param image the image.
 * @param format `'jpeg'` (quality 90) or `'png'`.
 */
export async function encodeImage(image: RgbImage, format: 'jpeg' | 'png' = 'png'): Promise<Uint8Array> {
  const sharp = await getSharp();
  const s = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  return format === 'png' ? s.png().toBuffer() : s.jpeg({ quality: 90 }).toBuffer();
}
