/**
 * Bad and unusual image input (issue 5): every test image is made at test time, with sharp, from the committed LFW
 * faces in examples/data, in a temporary folder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import {
  ImageDecodeError,
  ImageTooLargeError,
  InvalidArgumentError,
  type Box,
  type FaceDetection,
  type RgbImage,
} from '@eolgul/core';
import {
  DETECTION_MAX_SIDE,
  MAX_IMAGE_PIXELS,
  createFaceDetector,
  readImage,
  toSourcePixels,
  type FaceDetector,
} from '@eolgul/detector';

const DATA = join(__dirname, '..', '..', '..', 'examples', 'data');
const FACE = join(DATA, 'gallery', 'Serena_Williams', 'Serena_Williams_0001.jpg');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

let detector: FaceDetector;
let tmp: string;
let reference: RgbImage;
let referenceBox: Box;
beforeAll(async () => {
  detector = await createFaceDetector();
  tmp = await mkdtemp(join(tmpdir(), 'eolgul-bad-input-'));
  reference = await readImage(FACE);
  const faces = await detector.detect(reference);
  expect(faces).toHaveLength(1);
  referenceBox = faces[0].box;
});
afterAll(async () => {
  await detector?.dispose();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function iou(a: Box, b: Box): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / (a[2] * a[3] + b[2] * b[3] - w * h);
}

/** Mean absolute difference per channel value between two images of the same size. */
function meanAbsDiff(a: RgbImage, b: RgbImage): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += Math.abs(a.data[i] - b.data[i]);
  return s / a.data.length;
}

/** Mean absolute difference between the grey image `a` (R = G = B checked) and the luma of `b`. */
function greyDiff(a: RgbImage, b: RgbImage): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i += 3) {
    expect(a.data[i]).toBe(a.data[i + 1]);
    expect(a.data[i]).toBe(a.data[i + 2]);
    s += Math.abs(a.data[i] - (0.299 * b.data[i] + 0.587 * b.data[i + 1] + 0.114 * b.data[i + 2]));
  }
  return s / (a.data.length / 3);
}

function expectInside(face: FaceDetection, image: { width: number; height: number }): void {
  const [x, y, w, h] = face.box;
  for (const v of face.box) expect(Number.isFinite(v)).toBe(true);
  expect(x).toBeGreaterThanOrEqual(0);
  expect(y).toBeGreaterThanOrEqual(0);
  expect(w).toBeGreaterThan(0);
  expect(h).toBeGreaterThan(0);
  expect(x + w).toBeLessThanOrEqual(image.width + 1e-9);
  expect(y + h).toBeLessThanOrEqual(image.height + 1e-9);
}

/** A PNG of `width` × `height` (IHDR) whose pixel data is a stub: sharp reads the header, decoding would fail. */
function forgedPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(16))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('colour and format: converted to 8-bit RGB, the face found', () => {
  // [file name, how to write it from the reference JPEG, what the decoded pixels must match]
  const cases: [string, (s: sharp.Sharp) => sharp.Sharp, 'colour' | 'grey', number][] = [
    ['grey.jpg', (s) => s.toColourspace('b-w').jpeg({ quality: 95 }), 'grey', 3],
    ['grey.png', (s) => s.toColourspace('b-w').png(), 'grey', 2],
    ['palette.png', (s) => s.png({ palette: true, colours: 128, dither: 0 }), 'colour', 8],
    ['rgb16.png', (s) => s.toColourspace('rgb16').png(), 'colour', 1],
    ['cmyk.jpg', (s) => s.toColourspace('cmyk').jpeg({ quality: 95 }), 'colour', 10],
    ['lossless.webp', (s) => s.webp({ lossless: true }), 'colour', 1],
    ['lossy.webp', (s) => s.webp({ quality: 90 }), 'colour', 5],
    ['lzw.tiff', (s) => s.tiff({ compression: 'lzw' }), 'colour', 1],
    ['jpeg.tiff', (s) => s.tiff({ compression: 'jpeg', quality: 95 }), 'colour', 4],
    ['image.avif', (s) => s.avif({ quality: 80 }), 'colour', 6],
  ];
  for (const [name, write, kind, tolerance] of cases) {
    it(`${name}`, async () => {
      const file = join(tmp, name);
      await write(sharp(FACE)).toFile(file);
      const meta = await sharp(file).metadata();
      if (name === 'grey.jpg' || name === 'grey.png') expect(meta.channels).toBe(1);
      if (name === 'palette.png') expect(meta.isPalette).toBe(true);
      if (name === 'rgb16.png') expect(meta.depth).toBe('ushort');
      if (name === 'cmyk.jpg') expect(meta.space).toBe('cmyk');
      const image = await readImage(file);
      expect([image.width, image.height, image.data.length]).toEqual([250, 250, 250 * 250 * 3]);
      expect(image.data).toBeInstanceOf(Uint8Array);
      const diff = kind === 'grey' ? greyDiff(image, reference) : meanAbsDiff(image, reference);
      expect(diff, `${name}: mean |decoded - reference|`).toBeLessThan(tolerance);
      const faces = await detector.detect(image);
      expect(faces.length).toBe(1);
      expect(iou(faces[0].box, referenceBox)).toBeGreaterThan(0.8);
    });
  }

  it('PNG with alpha: transparent pixels flattened onto white, the opaque face kept', async () => {
    // Alpha 0 in a 20-px frame (RGB black under it), 255 inside.
    const { data } = await sharp(FACE).raw().toBuffer({ resolveWithObject: true });
    const rgba = Buffer.alloc(250 * 250 * 4);
    for (let p = 0; p < 250 * 250; p++) {
      const x = p % 250,
        y = Math.floor(p / 250);
      const inside = x >= 20 && x < 230 && y >= 20 && y < 230;
      rgba[p * 4] = inside ? data[p * 3] : 0;
      rgba[p * 4 + 1] = inside ? data[p * 3 + 1] : 0;
      rgba[p * 4 + 2] = inside ? data[p * 3 + 2] : 0;
      rgba[p * 4 + 3] = inside ? 255 : 0;
    }
    const file = join(tmp, 'alpha.png');
    await sharp(rgba, { raw: { width: 250, height: 250, channels: 4 } })
      .png()
      .toFile(file);
    expect((await sharp(file).metadata()).hasAlpha).toBe(true);
    const image = await readImage(file);
    expect(image.data.length).toBe(250 * 250 * 3);
    expect([...image.data.subarray(0, 3)]).toEqual([255, 255, 255]);
    const c = (125 * 250 + 125) * 3;
    expect([...image.data.subarray(c, c + 3)]).toEqual([...reference.data.subarray(c, c + 3)]);
    const faces = await detector.detect(image);
    expect(faces).toHaveLength(1);
    expect(iou(faces[0].box, referenceBox)).toBeGreaterThan(0.8);
  });

  it('animated GIF: the first frame (the face), not the second (flat green)', async () => {
    const frames = [
      await sharp(FACE).png().toBuffer(),
      await sharp({ create: { width: 250, height: 250, channels: 3, background: '#00ff00' } })
        .png()
        .toBuffer(),
    ];
    const file = join(tmp, 'animated.gif');
    await sharp(frames, { join: { animated: true } })
      .gif()
      .toFile(file);
    expect((await sharp(file).metadata()).pages).toBe(2);
    const image = await readImage(file);
    expect([image.width, image.height]).toEqual([250, 250]);
    expect(meanAbsDiff(image, reference)).toBeLessThan(12);
    const faces = await detector.detect(image);
    expect(faces).toHaveLength(1);
    expect(iou(faces[0].box, referenceBox)).toBeGreaterThan(0.8);
  });
});

describe('formats the bundled sharp cannot read: a typed error, not a crash', () => {
  it('BMP (a real 24-bit BMP written by hand from the face)', async () => {
    const { data, info } = await sharp(FACE).raw().toBuffer({ resolveWithObject: true });
    const row = Math.ceil((info.width * 3) / 4) * 4;
    const bmp = Buffer.alloc(54 + row * info.height);
    bmp.write('BM', 0, 'latin1');
    bmp.writeUInt32LE(bmp.length, 2);
    bmp.writeUInt32LE(54, 10);
    bmp.writeUInt32LE(40, 14);
    bmp.writeInt32LE(info.width, 18);
    bmp.writeInt32LE(info.height, 22); // bottom-up
    bmp.writeUInt16LE(1, 26);
    bmp.writeUInt16LE(24, 28);
    bmp.writeUInt32LE(row * info.height, 34);
    for (let y = 0; y < info.height; y++) {
      for (let x = 0; x < info.width; x++) {
        const s = (y * info.width + x) * 3,
          d = 54 + (info.height - 1 - y) * row + x * 3;
        bmp[d] = data[s + 2];
        bmp[d + 1] = data[s + 1];
        bmp[d + 2] = data[s];
      }
    }
    const file = join(tmp, 'face.bmp');
    await writeFile(file, bmp);
    const err = await readImage(file).catch((e) => e);
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect(err.path).toBe(file);
    expect(err.message).toMatch(/unsupported image format/);
  });
});

describe('EXIF orientation: faces found, boxes in the displayed orientation', () => {
  let upright: string;
  let uprightBox: Box;
  beforeAll(async () => {
    // A 400×250 landscape with the face on the left: a 90° turn moves the face and swaps the sides, so a box reported
    // in the stored orientation could not match.
    upright = join(tmp, 'upright.png');
    await sharp(FACE)
      .resize(400, 250, { fit: 'contain', position: 'left', background: '#808080' })
      .png()
      .toFile(upright);
    const faces = await detector.detect(await readImage(upright));
    expect(faces).toHaveLength(1);
    uprightBox = faces[0].box;
    expect(uprightBox[0] + uprightBox[2] / 2).toBeLessThan(160);
  });

  // Orientation tag → rotation (clockwise) a viewer applies to the stored pixels; we store the upright picture turned the
  // other way, so that the displayed picture is upright.
  const turn: Record<number, number> = { 3: 180, 6: 90, 8: 270 };
  for (const orientation of [3, 6, 8]) {
    it(`orientation ${orientation}`, async () => {
      const file = join(tmp, `orientation-${orientation}.jpg`);
      await sharp(
        await sharp(upright)
          .rotate(360 - turn[orientation])
          .toBuffer(),
      )
        .withMetadata({ orientation })
        .jpeg({ quality: 95 })
        .toFile(file);
      const meta = await sharp(file).metadata();
      expect(meta.orientation).toBe(orientation);
      expect([meta.width, meta.height]).toEqual(orientation === 3 ? [400, 250] : [250, 400]);
      const image = await readImage(file);
      expect([image.width, image.height]).toEqual([400, 250]);
      const faces = await detector.detect(image);
      expect(faces).toHaveLength(1);
      expect(iou(faces[0].box, uprightBox), `${faces[0].box} vs upright ${uprightBox}`).toBeGreaterThan(0.85);
    });
  }

  it('orientation 6 with maxSide: detection on the downscaled copy maps back to the displayed full-size pixels', async () => {
    const file = join(tmp, 'orientation-6.jpg');
    const image = await readImage(file, { maxSide: 200 });
    expect([image.width, image.height, image.sourceWidth, image.sourceHeight, image.scale]).toEqual([
      200, 125, 400, 250, 2,
    ]);
    const faces = await detector.detect(image);
    expect(faces).toHaveLength(1);
    const mapped = toSourcePixels(faces[0], image);
    expectInside(mapped, { width: 400, height: 250 });
    expect(iou(mapped.box, uprightBox)).toBeGreaterThan(0.75);
    expect(mapped.landmarks[0].x).toBeCloseTo(faces[0].landmarks[0].x * 2, 6);
  });
});

describe('size', () => {
  it('a 12000×9000 photo decodes downscaled to ≤ 4096 px and the face box maps back to the original pixels', async () => {
    // The reference face, 6× larger (1500×1500), pasted at (7000, 3000) of a 12000×9000 JPEG.
    const file = join(tmp, 'huge.jpg');
    const big = await sharp(FACE).resize(1500, 1500).toBuffer();
    await sharp({ create: { width: 12000, height: 9000, channels: 3, background: '#7a8a7a' } })
      .composite([{ input: big, left: 7000, top: 3000 }])
      .jpeg({ quality: 85 })
      .toFile(file);
    const image = await readImage(file, { maxSide: DETECTION_MAX_SIDE });
    expect([image.width, image.height, image.sourceWidth, image.sourceHeight]).toEqual([4096, 3072, 12000, 9000]);
    expect(image.scale).toBeCloseTo(12000 / 4096, 9);
    const faces = (await detector.detect(image)).map((f) => toSourcePixels(f, image));
    expect(faces).toHaveLength(1);
    expectInside(faces[0], { width: 12000, height: 9000 });
    const expected: Box = [
      7000 + referenceBox[0] * 6,
      3000 + referenceBox[1] * 6,
      referenceBox[2] * 6,
      referenceBox[3] * 6,
    ];
    expect(iou(faces[0].box, expected), `${faces[0].box} vs ${expected}`).toBeGreaterThan(0.7);
  });

  it('decoding the 12000×9000 photo with maxSide keeps peak memory bounded (separate process, built package)', async () => {
    const dist = join(__dirname, '..', 'dist', 'node.js');
    expect(existsSync(dist), 'run `pnpm build` first: this test measures the built package in a fresh process').toBe(
      true,
    );
    const file = join(tmp, 'huge.jpg');
    expect(existsSync(file)).toBe(true);
    const peakMiB = (maxSide: number | undefined) => {
      const script = `import { readImage } from ${JSON.stringify(dist)};
        const img = await readImage(${JSON.stringify(file)}, ${maxSide ? `{ maxSide: ${maxSide} }` : '{}'});
        console.log(JSON.stringify({ w: img.width, h: img.height, rss: process.resourceUsage().maxRSS / 1024 }));`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
      return JSON.parse(out.trim().split('\n').pop()!) as { w: number; h: number; rss: number };
    };
    const small = peakMiB(DETECTION_MAX_SIDE);
    const full = peakMiB(undefined);
    console.log(
      `peak RSS decoding 12000x9000 JPEG: maxSide ${DETECTION_MAX_SIDE} → ${small.rss.toFixed(0)} MiB, full size → ${full.rss.toFixed(0)} MiB`,
    );
    expect([small.w, small.h]).toEqual([4096, 3072]);
    expect([full.w, full.h]).toEqual([12000, 9000]);
    // The full decode holds 12000 × 9000 × 3 B = 309 MiB of pixels; the downscaled one at most 4096² × 3 B = 48 MiB.
    expect(full.rss).toBeGreaterThan(309);
    expect(small.rss).toBeLessThan(256);
  });

  it('refuses an image past the pixel limit from its header alone, fast, naming the file', async () => {
    const file = join(tmp, 'forged-20000x20000.png');
    await writeFile(file, forgedPng(20000, 20000));
    const t0 = performance.now();
    const err = await readImage(file).catch((e) => e);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(err).toBeInstanceOf(ImageTooLargeError);
    expect(err.code).toBe('IMAGE_TOO_LARGE');
    expect(err.path).toBe(file);
    expect(err.pixels).toBe(400_000_000);
    expect(err.limit).toBe(MAX_IMAGE_PIXELS);
    // A lower limit applies to real images too.
    const small = await readImage(FACE, { maxPixels: 200 * 200 }).catch((e) => e);
    expect(small).toBeInstanceOf(ImageTooLargeError);
    expect(small.pixels).toBe(62_500);
    // Raising the limit does not make the stub decodable: a typed decode error, not a crash.
    const stub = await readImage(file, { maxPixels: 20000 * 20000 }).catch((e) => e);
    expect(stub).toBeInstanceOf(ImageDecodeError);
  });

  it('refuses nonsense maxSide / maxPixels', async () => {
    for (const o of [{ maxSide: 0 }, { maxSide: -5 }, { maxSide: 1.5 }, { maxPixels: Number.NaN }, { maxPixels: 0 }]) {
      await expect(readImage(FACE, o)).rejects.toThrow(InvalidArgumentError);
    }
  });

  it('tiny images (1×1, 2×3, 10×10) decode and give zero faces, no crash', async () => {
    for (const [w, h] of [
      [1, 1],
      [2, 3],
      [10, 10],
    ]) {
      const file = join(tmp, `tiny-${w}x${h}.png`);
      await sharp(FACE).resize(w, h, { fit: 'fill' }).png().toFile(file);
      const image = await readImage(file);
      expect([image.width, image.height]).toEqual([w, h]);
      expect(await detector.detect(image)).toEqual([]);
    }
  });

  it('a face smaller than the detector minimum gives zero faces; the same face larger is found', async () => {
    const crop = await sharp(FACE).extract({ left: 65, top: 60, width: 120, height: 130 }).toBuffer();
    const scene = async (side: number) => {
      const f = await sharp(crop)
        .resize(side, Math.round((side * 130) / 120))
        .toBuffer();
      const buf = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#808080' } })
        .composite([{ input: f, left: 300, top: 200 }])
        .png()
        .toBuffer();
      return detector.detect(await readImage(buf));
    };
    // Measured: a 12-px face in a 640-px image (6 px in the detector's 320×240 input) is not found; 48 px is.
    expect(await scene(12)).toEqual([]);
    const found = await scene(48);
    expect(found).toHaveLength(1);
    expect(found[0].box[0]).toBeGreaterThan(290);
  });

  it('detect() refuses an RgbImage whose buffer disagrees with its size', async () => {
    for (const bad of [
      { data: new Uint8Array(10), width: 100, height: 100 },
      { data: new Uint8Array(0), width: 0, height: 0 },
      { data: new Uint8Array(12), width: 2.5, height: 1.6 },
    ]) {
      await expect(detector.detect(bad)).rejects.toThrow(InvalidArgumentError);
    }
  });
});

describe('broken files: a typed ImageDecodeError naming the file', () => {
  async function expectDecodeError(p: string, reason: RegExp): Promise<void> {
    const err = await readImage(p).catch((e) => e);
    expect(err, p).toBeInstanceOf(ImageDecodeError);
    expect(err.code).toBe('IMAGE_DECODE');
    expect(err.path).toBe(p);
    expect(err.message).toContain(p);
    expect(err.message).toMatch(reason);
  }

  it('truncated JPEGs (half, and missing the last 10 bytes)', async () => {
    const bytes = await readFile(FACE);
    await writeFile(join(tmp, 'half.jpg'), bytes.subarray(0, bytes.length >> 1));
    await writeFile(join(tmp, 'cut10.jpg'), bytes.subarray(0, bytes.length - 10));
    await writeFile(join(tmp, 'header-only.jpg'), bytes.subarray(0, 600));
    await expectDecodeError(join(tmp, 'half.jpg'), /premature end|truncated/i);
    await expectDecodeError(join(tmp, 'cut10.jpg'), /premature end|truncated/i);
    await expectDecodeError(join(tmp, 'header-only.jpg'), /premature end|truncated|decod/i);
  });

  it('zero-byte file, text named .jpg, directory, missing file, path with NUL', async () => {
    await writeFile(join(tmp, 'zero.jpg'), new Uint8Array(0));
    await writeFile(join(tmp, 'notes.jpg'), 'Dear diary, today I saw a face.\n');
    await mkdir(join(tmp, 'a-folder.jpg'));
    await expectDecodeError(join(tmp, 'zero.jpg'), /empty/);
    await expectDecodeError(join(tmp, 'notes.jpg'), /not a readable image/);
    await expectDecodeError(join(tmp, 'a-folder.jpg'), /directory/);
    await expectDecodeError(join(tmp, 'missing.jpg'), /ENOENT/);
    await expectDecodeError(join(tmp, 'not-a-dir.jpg', 'x.jpg').replace('not-a-dir.jpg', 'notes.jpg'), /ENOTDIR/);
    await expectDecodeError(join(tmp, 'nul\0.jpg'), /NUL/);
  });

  it('FIFO and character device named .jpg: refused at once instead of blocking or reading forever', async () => {
    const fifo = join(tmp, 'pipe.jpg');
    execFileSync('mkfifo', [fifo]);
    await expectDecodeError(fifo, /not a regular file/);
    const dev = join(tmp, 'zero-device.jpg');
    await symlink('/dev/zero', dev);
    await expectDecodeError(dev, /not a regular file/);
  }, 10_000);

  it.skipIf(process.platform !== 'linux')(
    'a regular file whose read fails (EIO: /proc/self/mem through a .jpg link)',
    async () => {
      const p = join(tmp, 'eio.jpg');
      await symlink('/proc/self/mem', p);
      await expectDecodeError(p, /EIO/);
    },
  );

  it.skipIf(isRoot)('a file without read permission (chmod 000)', async () => {
    const p = join(tmp, 'secret.jpg');
    await writeFile(p, await readFile(FACE));
    await chmod(p, 0o000);
    await expectDecodeError(p, /EACCES|permission/);
    const locked = join(tmp, 'locked');
    await mkdir(locked);
    await writeFile(join(locked, 'face.jpg'), await readFile(FACE));
    await chmod(locked, 0o000);
    await expectDecodeError(join(locked, 'face.jpg'), /EACCES|permission/);
    await chmod(locked, 0o700);
  });
  if (isRoot) {
    it('(chmod 000 case skipped: running as root, permissions do not block reads; the EIO test above covers a failing read)', () => {
      console.warn('skipped the chmod 000 test: running as root, where permission bits do not stop reads');
    });
  }
});

describe('faces', () => {
  it('no face: flat grey and smooth noise images give []', async () => {
    const grey = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#6b6b6b' } })
      .png()
      .toBuffer();
    expect(await detector.detect(await readImage(grey))).toEqual([]);
    // A blurred, stretched copy of the face: colours of skin but no face.
    const smear = await sharp(FACE).resize(8, 6).resize(640, 480, { kernel: 'nearest' }).blur(20).png().toBuffer();
    expect(await detector.detect(await readImage(smear))).toEqual([]);
  });

  it('a group photo of 16 faces: 16 detections, one per face', async () => {
    const people = ['Jackie_Chan', 'Roh_Moo-hyun', 'Serena_Williams', 'Tom_Hanks'];
    const files: string[] = [];
    for (const p of people)
      for (const n of (await import('node:fs')).readdirSync(join(DATA, 'gallery', p)).sort())
        files.push(join(DATA, 'gallery', p, n));
    expect(files).toHaveLength(16);
    const [tw, th] = [150, 170];
    const tiles = await Promise.all(
      files.map((f) => sharp(f).extract({ left: 50, top: 40, width: tw, height: th }).toBuffer()),
    );
    const buf = await sharp({ create: { width: 4 * tw, height: 4 * th, channels: 3, background: '#808080' } })
      .composite(tiles.map((input, i) => ({ input, left: (i % 4) * tw, top: Math.floor(i / 4) * th })))
      .jpeg({ quality: 92 })
      .toBuffer();
    const image = await readImage(buf);
    const faces = await detector.detect(image);
    expect(faces).toHaveLength(16);
    const tileOf = (f: FaceDetection) =>
      Math.floor((f.box[0] + f.box[2] / 2) / tw) + 4 * Math.floor((f.box[1] + f.box[3] / 2) / th);
    expect(new Set(faces.map(tileOf)).size).toBe(16);
    for (const f of faces) expectInside(f, image);
    // maxFaces keeps the highest scores.
    expect(await detector.detect(image, { maxFaces: 3 })).toHaveLength(3);
  });

  it('faces cut by the border: boxes clamped to the image, never negative or outside', async () => {
    // [left, top] offset of the 250×250 photo on a 300×300 canvas: negative = cut off.
    for (const [l, t] of [
      [-100, 0],
      [0, -90],
      [-60, -40],
      [150, 100],
      [120, -80],
    ]) {
      const x0 = Math.max(0, -l),
        y0 = Math.max(0, -t);
      const part = await sharp(FACE)
        .extract({
          left: x0,
          top: y0,
          width: Math.min(250 - x0, 300 - Math.max(0, l)),
          height: Math.min(250 - y0, 300 - Math.max(0, t)),
        })
        .toBuffer();
      const buf = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#808080' } })
        .composite([{ input: part, left: Math.max(0, l), top: Math.max(0, t) }])
        .png()
        .toBuffer();
      const image = await readImage(buf);
      const faces = await detector.detect(image);
      expect(faces.length, `offset ${l},${t}`).toBeGreaterThanOrEqual(1);
      for (const f of faces) {
        expectInside(f, image);
        for (const p of f.landmarks) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
      }
      // The face's own box runs past the cut edge: clamped to 0 there.
      const [x, y] = faces[0].box;
      if (l === -100) expect(x).toBe(0);
      if (t === -90) expect(y).toBe(0);
    }
  });
});

describe('non-ASCII paths', () => {
  it('reads images under Korean and accented folder and file names', async () => {
    const dir = join(tmp, '얼굴 사진', 'Zoë Saldaña – été');
    await mkdir(dir, { recursive: true });
    for (const name of ['세레나_윌리엄스.jpg', 'Ñandú çà.png', 'emoji 🙂.webp']) {
      const p = join(dir, name);
      await sharp(FACE).toFile(p);
      const image = await readImage(p);
      expect(image.width).toBe(250);
      expect(await detector.detect(image)).toHaveLength(1);
    }
    const err = await readImage(join(dir, '없는 파일.jpg')).catch((e) => e);
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect(err.message).toContain('없는 파일.jpg');
  });
});
