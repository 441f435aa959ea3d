/**
 * readImage's in-thread JPEG decoder (src/jpeg-decode.ts) against sharp: the same pixels for every plain JPEG, and
 * every JPEG that needs more than decoding (EXIF rotation, ICC profile, CMYK, damage) left to sharp. Test images are the
 * committed LFW faces of examples/data and JPEGs made from them with sharp at test time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageDecodeError } from '@eolgul/core';
import { readImage } from '@eolgul/detector/node';
import { decodePlainJpeg, plainJpegSize } from '../src/jpeg-decode.js';

const GALLERY = join(__dirname, '..', '..', '..', 'examples', 'data', 'gallery');
const faces = readdirSync(GALLERY).flatMap((who) =>
  readdirSync(join(GALLERY, who))
    .filter((f) => f.endsWith('.jpg'))
    .map((f) => join(GALLERY, who, f)),
);
const FACE = faces[0];

/** What sharp alone makes of the bytes, as readImage's sharp path asks it (rotated, sRGB, 3 channels). */
async function sharpRgb(bytes: Uint8Array) {
  const { data, info } = await sharp(bytes, { failOn: 'error' })
    .rotate()
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

describe('in-thread JPEG decoding', () => {
  it('gives exactly sharp’s pixels on the LFW photos', async () => {
    expect(faces.length).toBeGreaterThanOrEqual(5);
    for (const path of faces) {
      const bytes = readFileSync(path);
      const fast = await decodePlainJpeg(bytes, Number.MAX_SAFE_INTEGER);
      expect(fast, path).toBeDefined();
      const ref = await sharpRgb(bytes);
      expect([fast!.width, fast!.height]).toEqual([ref.width, ref.height]);
      expect(Buffer.compare(Buffer.from(fast!.data), Buffer.from(ref.data)), path).toBe(0);
      // readImage returns the same.
      const read = await readImage(path);
      expect(Buffer.compare(Buffer.from(read.data), Buffer.from(ref.data))).toBe(0);
      expect(read.scale).toBe(1);
    }
  });

  it('gives exactly sharp’s pixels on baseline 4:2:0 and 4:4:4, progressive, greyscale and odd-sized JPEGs', async () => {
    const src = sharp(FACE);
    const variants: [string, Buffer][] = [
      ['4:2:0', await src.clone().jpeg({ quality: 80 }).toBuffer()],
      ['4:4:4', await src.clone().jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer()],
      ['progressive', await src.clone().jpeg({ progressive: true }).toBuffer()],
      ['greyscale', await src.clone().greyscale().jpeg().toBuffer()],
      ['odd size', await src.clone().resize(171, 97, { fit: 'fill' }).jpeg({ quality: 70 }).toBuffer()],
      ['mozjpeg', await src.clone().jpeg({ mozjpeg: true }).toBuffer()],
    ];
    for (const [name, bytes] of variants) {
      const fast = await decodePlainJpeg(bytes, Number.MAX_SAFE_INTEGER);
      expect(fast, name).toBeDefined();
      const ref = await sharpRgb(bytes);
      expect([fast!.width, fast!.height], name).toEqual([ref.width, ref.height]);
      expect(Buffer.compare(Buffer.from(fast!.data), Buffer.from(ref.data)), name).toBe(0);
    }
  });

  it('leaves to sharp a JPEG with an EXIF rotation, an ICC profile or CMYK, and readImage still rotates it', async () => {
    const rotated = await sharp(FACE)
      .resize(200, 120, { fit: 'fill' })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect(plainJpegSize(rotated)).toBeUndefined();
    const read = await readImage(rotated);
    expect([read.width, read.height]).toEqual([120, 200]);
    const withExif = await sharp(FACE)
      .jpeg()
      .withExif({ IFD0: { Copyright: 'eolgul test' } })
      .toBuffer();
    expect(plainJpegSize(withExif)).toEqual({ width: 250, height: 250 });
    // An EXIF block holding only the orientation tag, little- and big-endian, inserted after the start marker.
    const bytes = readFileSync(FACE);
    const withOrientation = (o: number, le: boolean) => {
      const tiff = le
        ? [0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, o, 0, 0, 0, 0, 0, 0, 0]
        : [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, o, 0, 0, 0, 0, 0, 0];
      const body = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
      const app1 = [0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body];
      return Uint8Array.from([...bytes.subarray(0, 2), ...app1, ...bytes.subarray(2)]);
    };
    for (const le of [true, false]) {
      expect(plainJpegSize(withOrientation(1, le))).toEqual({ width: 250, height: 250 });
      expect(plainJpegSize(withOrientation(6, le))).toBeUndefined();
      const turned = await readImage(withOrientation(3, le));
      const ref = await sharpRgb(withOrientation(3, le));
      expect(Buffer.compare(Buffer.from(turned.data), Buffer.from(ref.data))).toBe(0);
    }
    const icc = await sharp(FACE).jpeg().withIccProfile('p3').toBuffer();
    expect(plainJpegSize(icc)).toBeUndefined();
    const cmyk = await sharp(FACE).toColourspace('cmyk').jpeg().toBuffer();
    expect(plainJpegSize(cmyk)).toBeUndefined();
    expect((await readImage(cmyk)).width).toBe(250);
  });

  it('leaves to sharp what is not a whole plain JPEG, and sharp refuses the damaged ones', async () => {
    const bytes = readFileSync(FACE);
    const png = await sharp(FACE).png().toBuffer();
    expect(plainJpegSize(png)).toBeUndefined();
    const cut = bytes.subarray(0, bytes.length - 10);
    expect(plainJpegSize(cut)).toBeUndefined();
    await expect(readImage(cut)).rejects.toBeInstanceOf(ImageDecodeError);
    // Scan data overwritten with bytes that are not Huffman codes, the end marker kept: the decoder warns → sharp.
    const damaged = Uint8Array.from(bytes);
    damaged.fill(0xff, Math.floor(bytes.length / 2), Math.floor(bytes.length / 2) + 400);
    expect(plainJpegSize(damaged)).toBeDefined();
    expect(await decodePlainJpeg(damaged, Number.MAX_SAFE_INTEGER)).toBeUndefined();
    // A JPEG over the pixel or side limit is left to sharp (which refuses or shrinks it).
    expect(await decodePlainJpeg(bytes, 250 * 250 - 1)).toBeUndefined();
    expect(await decodePlainJpeg(bytes, Number.MAX_SAFE_INTEGER, 249)).toBeUndefined();
    // Above 4096 × 4096 pixels sharp decodes (it shrinks on load); at it, decoded here, and the grown decoder replaced.
    const grey = (width: number, height: number) =>
      sharp({ create: { width, height, channels: 3, background: '#808080' } })
        .jpeg()
        .toBuffer();
    expect(await decodePlainJpeg(await grey(4096, 4097), Number.MAX_SAFE_INTEGER)).toBeUndefined();
    const largest = await decodePlainJpeg(await grey(4096, 4096), Number.MAX_SAFE_INTEGER);
    expect([largest?.width, largest?.height, largest?.data[0]]).toEqual([4096, 4096, 128]);
    // Still decodes good images after refusing bad ones.
    expect((await decodePlainJpeg(bytes, Number.MAX_SAFE_INTEGER))?.width).toBe(250);
  });
});
