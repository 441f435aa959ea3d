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
/** Node has no ImageData: the decoder must not leave one behind (other code tells browsers from Node by it). */
const hadImageData = 'ImageData' in globalThis;

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
    expect('ImageData' in globalThis).toBe(hadImageData);
  });

  it('gives exactly sharp’s pixels on baseline 4:2:0 and 4:4:4, greyscale and odd-sized JPEGs', async () => {
    const src = sharp(FACE);
    const variants: [string, Buffer][] = [
      ['4:2:0', await src.clone().jpeg({ quality: 80 }).toBuffer()],
      ['4:4:4', await src.clone().jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer()],
      ['greyscale', await src.clone().greyscale().jpeg().toBuffer()],
      ['odd size', await src.clone().resize(171, 97, { fit: 'fill' }).jpeg({ quality: 70 }).toBuffer()],
      ['optimised Huffman tables', await src.clone().jpeg({ optimiseCoding: true, quality: 60 }).toBuffer()],
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
    // Above 2^17 pixels sharp decodes (faster per pixel than this WebAssembly build).
    const grey = (width: number, height: number) =>
      sharp({ create: { width, height, channels: 3, background: '#808080' } })
        .jpeg()
        .toBuffer();
    expect(await decodePlainJpeg(await grey(363, 362), Number.MAX_SAFE_INTEGER)).toBeUndefined();
    const largest = await decodePlainJpeg(await grey(362, 362), Number.MAX_SAFE_INTEGER);
    expect([largest?.width, largest?.height, largest?.data[0]]).toEqual([362, 362, 128]);
    // Cut short, then an end marker: libjpeg only warns and fills the rest with grey; refused, not half-read. Also a
    // restart marker out of sequence (scan data missing). Extraneous bytes between segments are harmless: decoded.
    const halfWithEnd = Uint8Array.from([...bytes.subarray(0, Math.floor(bytes.length / 2)), 0xff, 0xd9]);
    await expect(readImage(halfWithEnd)).rejects.toMatchObject({
      code: 'IMAGE_DECODE',
      message: expect.stringMatching(
        /part of its data is missing \(Corrupt JPEG data: premature end of data segment\)/,
      ),
    });
    const sos = bytes.findIndex((v, k) => v === 0xff && bytes[k + 1] === 0xda);
    const extraneous = Uint8Array.from([...bytes.subarray(0, sos), 0x00, ...bytes.subarray(sos)]);
    const read = await readImage(extraneous);
    expect(Buffer.compare(Buffer.from(read.data), Buffer.from((await sharpRgb(bytes)).data))).toBe(0);
    // Still decodes good images after refusing bad ones.
    expect((await decodePlainJpeg(bytes, Number.MAX_SAFE_INTEGER))?.width).toBe(250);
  });
  it('leaves to sharp what this decoder would read differently: progressive scans, 4:4:0, any APP2 or APP14, odd EXIF', async () => {
    const bytes = readFileSync(FACE);
    /** The bytes with a segment (marker, body) inserted after the start-of-image marker. */
    const withSegment = (marker: number, body: number[]) =>
      Uint8Array.from([
        0xff,
        0xd8,
        0xff,
        marker,
        (body.length + 2) >> 8,
        (body.length + 2) & 0xff,
        ...body,
        ...bytes.subarray(2),
      ]);
    // Progressive (a partial scan set decodes differently in the older libjpeg-turbo of the WebAssembly build).
    const progressive = await sharp(FACE).jpeg({ progressive: true }).toBuffer();
    expect(plainJpegSize(progressive)).toBeUndefined();
    expect(
      Buffer.compare(Buffer.from((await readImage(progressive)).data), Buffer.from((await sharpRgb(progressive)).data)),
    ).toBe(0);
    // Sampling factors: the luma of a 4:4:4 file marked 1×2 (4:4:0) is refused from the header alone.
    const s444 = Uint8Array.from(await sharp(FACE).jpeg({ chromaSubsampling: '4:4:4' }).toBuffer());
    const sof = s444.findIndex((v, k) => v === 0xff && s444[k + 1] === 0xc0);
    expect(plainJpegSize(s444)).toBeDefined();
    s444[sof + 11] = 0x12; // first component: h = 1, v = 2
    expect(plainJpegSize(s444)).toBeUndefined();
    // An APP2 that libvips may read as an ICC profile without the NUL after its name, and an APP14 of any kind.
    expect(
      plainJpegSize(
        withSegment(
          0xe2,
          [...'ICC_PROFILX'].map((c) => c.charCodeAt(0)),
        ),
      ),
    ).toBeUndefined();
    expect(plainJpegSize(withSegment(0xee, [1, 2, 3]))).toBeUndefined();
    expect(plainJpegSize(withSegment(0xe3, [1, 2, 3]))).toEqual({ width: 250, height: 250 });
    // EXIF: two orientation entries (a SHORT of count 0 saying 1, then 6), or one that is not a SHORT of count 1.
    const exif = (entries: number[][]) => {
      const tiff = [0x49, 0x49, 42, 0, 8, 0, 0, 0, entries.length, 0, ...entries.flat(), 0, 0, 0, 0];
      return withSegment(0xe1, [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff]);
    };
    const entry = (type: number, count: number, value: number) => [0x12, 0x01, type, 0, count, 0, 0, 0, value, 0, 0, 0];
    expect(plainJpegSize(exif([entry(3, 1, 1)]))).toEqual({ width: 250, height: 250 });
    const twice = exif([entry(3, 0, 1), entry(3, 1, 6)]);
    expect(plainJpegSize(twice)).toBeUndefined();
    expect(Buffer.compare(Buffer.from((await readImage(twice)).data), Buffer.from((await sharpRgb(twice)).data))).toBe(
      0,
    );
    expect(plainJpegSize(exif([entry(4, 1, 1)]))).toBeUndefined();
    expect(plainJpegSize(exif([entry(3, 2, 1)]))).toBeUndefined();
  });

  it('refuses a JPEG whose frame is over the pixel limit as too large, even past sharp’s 65500 px a side', async () => {
    const bytes = Uint8Array.from(readFileSync(FACE));
    const sof = bytes.findIndex((v, k) => v === 0xff && bytes[k + 1] === 0xc0);
    bytes.set([0xff, 0xff, 0xff, 0xff], sof + 5); // height and width 65535
    await expect(readImage(bytes)).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE' });
    bytes.set([0x10, 0x00, 0x10, 0x00], sof + 5); // 4096 × 4096, under the default limit, over a given one
    await expect(readImage(bytes, { maxPixels: 4096 * 4095 })).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE' });
  });
  it('refuses damaged JPEGs on every decoding path, and never an intact image decoded at the same time', async () => {
    const bytes = readFileSync(FACE);
    const halfWithEnd = (b: Uint8Array) => Uint8Array.from([...b.subarray(0, Math.floor(b.length / 2)), 0xff, 0xd9]);
    const damaged = halfWithEnd(bytes);
    // Through sharp's other paths: shrunk on load (a large photo with maxSide), EXIF-rotated, CMYK.
    const big = await sharp(FACE).resize(1200, 1200).jpeg().toBuffer();
    const rotated = await sharp(FACE).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const cmyk = await sharp(FACE).toColourspace('cmyk').jpeg().toBuffer();
    await expect(readImage(halfWithEnd(big), { maxSide: 600 })).rejects.toMatchObject({ code: 'IMAGE_DECODE' });
    await expect(readImage(halfWithEnd(rotated))).rejects.toMatchObject({ code: 'IMAGE_DECODE' });
    await expect(readImage(halfWithEnd(cmyk))).rejects.toMatchObject({ code: 'IMAGE_DECODE' });
    // Damaged JPEGs and intact PNGs and large JPEGs decoded concurrently: each answer is its own file's.
    const png = await sharp(FACE).png().toBuffer();
    const calls = Array.from({ length: 60 }, (_, i) =>
      i % 3 === 0
        ? readImage(damaged).then(
            () => 'accepted',
            () => 'refused',
          )
        : readImage(i % 3 === 1 ? png : big).then(
            () => 'ok',
            (e) => `refused: ${e.message}`,
          ),
    );
    const answers = await Promise.all(calls);
    expect(answers).toEqual(answers.map((_, i) => (i % 3 === 0 ? 'refused' : 'ok')));
  });
});
