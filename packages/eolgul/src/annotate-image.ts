import { InvalidArgumentError } from '@eolgul/core';
import { readImage } from '@eolgul/detector/node';
import { bytesOf, isPixelImage, rgbOfPixels } from './image-input.js';
import type { Box, RgbImage } from './recognizer-types.js';

/** One box and label to draw. */
export interface Annotation {
  /** `[x, y, width, height]` in pixels of the image as displayed (as `analyse` reports them). */
  box: Box;
  /** Text above the box (below it at the top edge). */
  label: string;
  /** Box and label colour, any CSS colour, e.g. `'#1a9850'`. */
  color: string;
}

/** Escapes text for SVG; characters XML 1.0 forbids (NUL and other C0 controls, U+FFFE/U+FFFF) become U+FFFD. */
const esc = (s: string) =>
  s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD')
    .replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Draws boxes and labels on an image and encodes it as JPEG (quality 90), in Node: sharp composites an SVG overlay, and
 * the text uses the system's fonts through librsvg.
 * @param image a file path, encoded bytes or an `RgbImage`, decoded at full size with EXIF orientation applied.
 * @param annotations boxes in the image's displayed pixels.
 * @returns the JPEG file's bytes.
 * @throws {ImageDecodeError} an unreadable image. @throws {InvalidArgumentError} malformed pixels.
 * @example
 * ```ts
 * const { faces } = await recognizer.analyse('group.jpg');
 * const jpeg = await annotateImage('group.jpg', faces.map((f) => ({ box: f.box, label: f.match?.identity ?? '?', color: '#1a9850' })));
 * await writeFile('group.annotated.jpg', jpeg);
 * ```
 */
export async function annotateImage(
  image: string | Uint8Array | RgbImage,
  annotations: readonly Annotation[],
): Promise<Uint8Array> {
  const bytes = typeof image === 'string' ? image : bytesOf(image);
  const pixels: RgbImage = bytes !== undefined ? await readImage(bytes) : rgbOfPixels(checked(image), 'image');
  const sharp = (await import('sharp')).default;
  const { width: W, height: H } = pixels;
  const fs = Math.max(11, Math.round(Math.min(W, H) / 22));
  const shapes = annotations.map((a) => {
    const [x, y, w, h] = a.box;
    const ty = y - 4 > fs ? y - 4 : y + h + fs;
    const tw = Math.min(W - x, a.label.length * fs * 0.6 + 6);
    return (
      `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="${esc(a.color)}" stroke-width="${Math.max(2, fs / 6)}"/>` +
      `<rect x="${x}" y="${ty - fs}" width="${tw}" height="${fs + 4}" fill="${esc(a.color)}" opacity="0.8"/>` +
      `<text x="${x + 3}" y="${ty}" font-family="DejaVu Sans, sans-serif" font-size="${fs}" fill="#ffffff">${esc(a.label)}</text>`
    );
  });
  const svg = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${shapes.join('')}</svg>`,
  );
  return sharp(pixels.data, { raw: { width: W, height: H, channels: 3 } })
    .composite([{ input: svg, top: 0, left: 0 }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

function checked(image: unknown): RgbImage {
  if (!isPixelImage(image)) throw new InvalidArgumentError('annotateImage takes a path, encoded bytes or an RgbImage');
  return image as RgbImage;
}
