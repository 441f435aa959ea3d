import sharp from 'sharp';
import { readFileSync } from 'node:fs';
import type { Box, RgbImage } from '@eolgul/core';

/** Decodes an image file to 8-bit RGB with sharp (EXIF-rotated). */
export async function readRgb(path: string): Promise<RgbImage> {
  const { data, info } = await sharp(path)
    .rotate()
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels === 3)
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  // grey JPEG: sharp keeps one channel; expand to RGB.
  const rgb = new Uint8Array(info.width * info.height * 3);
  for (let i = 0; i < info.width * info.height; i++)
    rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = data[i * info.channels];
  return { data: rgb, width: info.width, height: info.height };
}

/** Cuts a box out of an RGB image (integer pixels, clamped). */
export function cropRgb(image: RgbImage, box: Box): RgbImage {
  const x0 = Math.max(0, Math.round(box[0])),
    y0 = Math.max(0, Math.round(box[1]));
  const x1 = Math.min(image.width, Math.round(box[0] + box[2])),
    y1 = Math.min(image.height, Math.round(box[1] + box[3]));
  const w = x1 - x0,
    h = y1 - y0;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    data.set(image.data.subarray(((y0 + y) * image.width + x0) * 3, ((y0 + y) * image.width + x1) * 3), y * w * 3);
  return { data, width: w, height: h };
}

export const FIXTURES = new URL('./fixtures/', import.meta.url);
export const FACES: Record<string, { expression: string; box: Box }> = JSON.parse(
  readFileSync(new URL('faces.json', FIXTURES), 'utf8'),
);
export const fixturePath = (name: string) => decodeURIComponent(new URL(name, FIXTURES).pathname);
