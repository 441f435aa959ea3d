import type { RgbImage } from '@eolgul/core';
import type { DecodedImage } from './face-source-pixels.js';
import { decodePlainJpeg, readJpegHeader } from './jpeg-decode.js';
import { ImageDecodeError, ImageTooLargeError, InvalidArgumentError, rgbImage } from '@eolgul/core';

/**
 * Largest image, in pixels (width × height of the file), that {@link readImage} decodes: 16383 × 16383 ≈ 268 MP, sharp's
 * own default `limitInputPixels`. Larger inputs are refused with {@link ImageTooLargeError} after reading only the header,
 * before any pixel is decoded.
 */
export const MAX_IMAGE_PIXELS = 0x3fff * 0x3fff;

/**
 * Longest side, in pixels, to which the CLI decodes images for detection (`readImage(path, { maxSide })`): 4096.
 * Why nothing is lost: the bundled detector sees the whole image at 320×240 and finds faces from about 16 px wide in
 * that input (measured: a face 1/20 of the image width is found, 1/27 is not), so in a 4096-px image every findable
 * face is at least ~200 px wide, more than the 112–160 px crops the embedders take. The decoded copy then holds at most
 * 4096 × 4096 × 3 bytes = 48 MiB, whatever the file's size.
 */
export const DETECTION_MAX_SIDE = 4096;

/** Options of {@link readImage}. */
export interface ReadImageOptions {
  /** Refuse images with more pixels than this (default {@link MAX_IMAGE_PIXELS}). Pixels of the file, before any downscaling. */
  maxPixels?: number;
  /**
   * Downscale (keeping the aspect ratio, never enlarging) so that neither side exceeds this many pixels; JPEG and WebP
   * are shrunk while they are decoded, so a huge photo never lives in memory at full size. Default: no downscaling.
   * Coordinates found on the result are in its pixels: map them to the file's with `toSourcePixels`.
   * See {@link DETECTION_MAX_SIDE}.
   */
  maxSide?: number;
}

type Sharp = typeof import('sharp');

/** libjpeg's messages that scan data is missing or broken: a premature end, a restart marker out of sequence, a bad code. */
const DATA_MISSING = /premature end|instead of RST|bad Huffman code/i;
/**
 * libjpeg's warnings about a JPEG whose image data is whole: stray bytes between segments, an unknown JFIF version or
 * Adobe transform, a bogus ICC marker, scan parameters a sequential file should not have.
 */
const HARMLESS_JPEG_WARNING =
  /extraneous bytes before marker|unknown JFIF revision|unknown Adobe color transform|bogus ICC|invalid SOS parameters for sequential/i;
const isJpeg = (b: Uint8Array) => b.length > 2 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
let sharpModule: Promise<Sharp> | undefined;
async function getSharp(): Promise<Sharp> {
  sharpModule ??= import('sharp').then((m) => ((m as { default?: Sharp }).default ?? m) as Sharp);
  return sharpModule;
}

const errnoReason: Record<string, string> = {
  ENOENT: 'no such file (ENOENT)',
  EACCES: 'permission denied (EACCES)',
  EPERM: 'operation not permitted (EPERM)',
  EISDIR: 'is a directory (EISDIR)',
  ENOTDIR: 'a component of the path is not a directory (ENOTDIR)',
  EIO: 'input/output error while reading (EIO)',
  ELOOP: 'too many symbolic links (ELOOP)',
  ENAMETOOLONG: 'path too long (ENAMETOOLONG)',
};

/**
 * Decodes an image file or buffer to 8-bit RGB in Node, with sharp (libvips): EXIF orientation applied (so pixels and
 * boxes are in the displayed orientation), alpha flattened onto white, grey, palette, 16-bit and CMYK images converted to
 * 8-bit sRGB, the first frame of animations (GIF, WebP). Any format sharp reads: JPEG, PNG, WebP, GIF, AVIF/HEIF, TIFF,
 * SVG. A small plain JPEG (sequential 8-bit, YCbCr or grey, upright, no ICC profile, up to 2^17 pixels) is decoded in the
 * calling thread by libjpeg-turbo compiled to WebAssembly instead (`@jsquash/jpeg`): the same pixels as sharp's, at
 * about half the CPU time and without a thread-pool round trip. Supported inputs and limits: `docs/supported-inputs.md`.
 * @param input a file path (any Unicode), or the encoded bytes.
 * @param options see {@link ReadImageOptions}.
 * @returns the decoded image, shape `[height, width, 3]` uint8, with the source size.
 * @throws {ImageDecodeError} missing, unreadable, empty, truncated (also when an end marker follows the cut, or scan
 *   data is otherwise missing) or non-image input, a directory or another
 *   non-regular file (FIFO, device); `path` names the file, the message the reason.
 * @throws {ImageTooLargeError} the file has more pixels than `maxPixels`.
 * @throws {InvalidArgumentError} `maxPixels` or `maxSide` is not a positive integer.
 * @example
 * ```ts
 * const img = await readImage('examples/data/gallery/Tom_Hanks/Tom_Hanks_0004.jpg');
 * // { width: 250, height: 250, data: Uint8Array(187500), sourceWidth: 250, sourceHeight: 250, scale: 1 }
 * const big = await readImage('photo-12000x9000.jpg', { maxSide: DETECTION_MAX_SIDE });
 * // { width: 4096, height: 3072, sourceWidth: 12000, sourceHeight: 9000, scale: 2.9296875, ... }
 * ```
 */
export async function readImage(input: string | Uint8Array, options: ReadImageOptions = {}): Promise<DecodedImage> {
  const name = typeof input === 'string' ? input : '<buffer>';
  const maxPixels = options.maxPixels ?? MAX_IMAGE_PIXELS;
  if (!Number.isSafeInteger(maxPixels) || maxPixels <= 0) {
    throw new InvalidArgumentError(`maxPixels must be a positive integer, got ${maxPixels}`);
  }
  const maxSide = options.maxSide;
  if (maxSide !== undefined && (!Number.isSafeInteger(maxSide) || maxSide <= 0)) {
    throw new InvalidArgumentError(`maxSide must be a positive integer, got ${maxSide}`);
  }
  let bytes: Uint8Array;
  if (typeof input === 'string') {
    if (input.length === 0) throw new ImageDecodeError(name, 'empty path');
    if (input.includes('\0')) throw new ImageDecodeError(name, 'path contains a NUL character');
    const fs = await import('node:fs/promises');
    try {
      const st = await fs.stat(input);
      if (st.isDirectory()) throw new ImageDecodeError(name, 'is a directory');
      // FIFOs and devices would block or never end (/dev/zero): only regular files are read.
      if (!st.isFile()) throw new ImageDecodeError(name, 'not a regular file');
      bytes = await fs.readFile(input);
    } catch (err) {
      if (err instanceof ImageDecodeError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      throw new ImageDecodeError(name, (code && errnoReason[code]) ?? code ?? (err as Error).message, { cause: err });
    }
  } else if (input instanceof Uint8Array) {
    bytes = input;
  } else {
    throw new InvalidArgumentError(
      `readImage takes a path or a Uint8Array, got ${Object.prototype.toString.call(input)}`,
    );
  }
  if (bytes.length === 0) throw new ImageDecodeError(name, 'empty file (0 bytes)');
  // A JPEG frame over the limit is refused from its own header (sharp cannot read one over 65500 px a side at all).
  const jpeg = readJpegHeader(bytes);
  if (jpeg && jpeg.width * jpeg.height > maxPixels)
    throw new ImageTooLargeError(name, jpeg.width * jpeg.height, maxPixels);
  // A plain JPEG within the limits is decoded in this thread (jpeg-decode.ts); anything else, or any doubt, goes to sharp.
  const plain = await decodePlainJpeg(bytes, maxPixels, maxSide, jpeg);
  if (plain) return { ...plain, sourceWidth: plain.width, sourceHeight: plain.height, scale: 1 };
  const sharp = await getSharp();
  // One pass in the common case: sharp refuses an image over `maxPixels` from its header (limitInputPixels) before
  // decoding any pixel, and an image whose result is smaller than `maxSide` was not downscaled, so its size is the
  // source's. The header is read separately only to explain a failure or to learn the size of a downscaled source.
  // (A metadata pass on every image cost about 0.2 ms of CPU and a thread-pool round trip per 250×250 JPEG.)
  let decoded: { data: Buffer; info: import('sharp').OutputInfo };
  const decode = (failOn: 'warning' | 'error') => {
    let s = sharp(bytes, { limitInputPixels: maxPixels, failOn }).rotate();
    if (maxSide !== undefined)
      s = s.resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true });
    return s
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  };
  try {
    // A JPEG whose scan data is missing (cut short, then an end marker) only makes libjpeg warn, and it fills the rest
    // with grey: JPEGs are decoded failing on warnings, so a damaged file is refused, not half-read. libjpeg's harmless
    // warnings (stray bytes between segments, an unknown JFIF version, …) are decoded again, tolerated. The failure is
    // the decoder's own (sharp's warning events are shared by the whole process, not one image).
    if (isJpeg(bytes)) {
      try {
        decoded = await decode('warning');
      } catch (err) {
        if (!HARMLESS_JPEG_WARNING.test((err as Error).message)) throw err;
        decoded = await decode('error');
      }
    } else decoded = await decode('error');
  } catch (err) {
    const { width, height } = await readHeader(sharp, bytes, name);
    if (width * height > maxPixels) throw new ImageTooLargeError(name, width * height, maxPixels);
    const message = (err as Error).message;
    if (DATA_MISSING.test(message)) {
      const reason = message
        .replace(/^VipsJpeg: /, '')
        .split('\n')[0]
        .trim();
      throw new ImageDecodeError(name, `damaged image: part of its data is missing (${reason})`, { cause: err });
    }
    throw new ImageDecodeError(name, `decoding failed (${message})`, { cause: err });
  }
  const { data, info } = decoded;
  if (info.channels !== 3) throw new ImageDecodeError(name, `decoding failed (decoded to ${info.channels} channels)`);
  const image = rgbImage(new Uint8Array(data.buffer, data.byteOffset, data.length), info.width, info.height);
  let sourceWidth = info.width,
    sourceHeight = info.height;
  if (maxSide !== undefined && Math.max(info.width, info.height) >= maxSide) {
    // Possibly downscaled: the source size (displayed orientation) comes from the header.
    const meta = await readHeader(sharp, bytes, name);
    sourceWidth = meta.displayedWidth || info.width;
    sourceHeight = meta.displayedHeight || info.height;
  }
  return { ...image, sourceWidth, sourceHeight, scale: sourceWidth / info.width };
}

/** The size of an encoded image from its header alone (no pixel decoded), as stored and as displayed (EXIF applied). */
async function readHeader(sharp: Sharp, bytes: Uint8Array, name: string) {
  let meta: import('sharp').Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ImageDecodeError(name, `not a readable image (${(err as Error).message})`, { cause: err });
  }
  const width = meta.width ?? 0,
    height = meta.height ?? 0;
  // EXIF orientations 5–8 swap width and height on display.
  const swap = (meta.orientation ?? 1) >= 5;
  return { width, height, displayedWidth: swap ? height : width, displayedHeight: swap ? width : height };
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
