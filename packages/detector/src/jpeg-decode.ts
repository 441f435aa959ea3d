/**
 * The fast path of `readImage` for small plain JPEG files: decoded in the calling thread by libjpeg-turbo's mozjpeg fork
 * compiled to WebAssembly (`@jsquash/jpeg`, Apache-2.0), about half of sharp's CPU time on a 250×250 photo and without
 * sharp's thread-pool round trip. Both decoders are libjpeg-turbo with the same settings (integer IDCT, fancy
 * upsampling), so the pixels are the same as sharp's (tested).
 *
 * Only a JPEG that needs nothing but decoding takes it (see {@link plainJpegSize}), up to 2^17 pixels. Everything else —
 * and any JPEG the WebAssembly decoder warns about or refuses — goes to sharp, which rotates, converts colour, shrinks on
 * load and explains failures as before.
 *
 * The JPEG marker walk below is ours (a library that reads EXIF would parse far more than the one tag needed here).
 * @module
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { rgbImage, type RgbImage } from '@eolgul/core';

/** What the markers before a JPEG's first scan say (see {@link readJpegHeader}). */
export interface JpegHeader {
  /** Frame size in pixels, from the first start-of-frame marker. */
  width: number;
  height: number;
  /** The start-of-frame marker (0xC0 baseline, 0xC1 extended, 0xC2 progressive, …). */
  frame: number;
  /** Sample precision in bits. */
  precision: number;
  /** Horizontal and vertical sampling factors of each component, in frame order. */
  sampling: [number, number][];
  /** Something in the header asks for more than decoding: an EXIF orientation other than a single 1, an APP2 (ICC
   * profile, MPF) or APP14 (Adobe colour transform) segment, or an EXIF block that cannot be read. */
  needsMore: boolean;
}

/**
 * Reads a JPEG's markers up to its first scan (the frame size, sampling factors, and whether EXIF, ICC or Adobe
 * segments ask for more than decoding).
 * @returns the header, or `undefined` when the bytes are not a JPEG or its header is malformed or has no frame.
 */
export function readJpegHeader(b: Uint8Array): JpegHeader | undefined {
  const n = b.length;
  if (n < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let header: JpegHeader | undefined;
  let needsMore = false;
  let i = 2;
  while (i + 4 <= n) {
    if (b[i] !== 0xff) return undefined;
    const m = b[i + 1];
    if (m === 0xff) {
      i++; // fill byte
      continue;
    }
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd9)) return undefined; // no segment may start so here
    const len = (b[i + 2] << 8) | b[i + 3];
    if (len < 2 || i + 2 + len > n) return undefined;
    const s = i + 4,
      e = i + 2 + len;
    if (m === 0xda) {
      if (header) header.needsMore ||= needsMore;
      return header; // start of scan: the header is complete
    }
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      // A start of frame: precision, height, width, components (id, sampling factors, table).
      if (header) return undefined; // a second frame
      if (e - s < 6) return undefined;
      const components = b[s + 5];
      if (e - s < 6 + 3 * components) return undefined;
      const sampling: [number, number][] = [];
      for (let k = 0; k < components; k++) {
        const f = b[s + 7 + 3 * k];
        sampling.push([f >> 4, f & 15]);
      }
      header = {
        frame: m,
        precision: b[s],
        height: (b[s + 1] << 8) | b[s + 2],
        width: (b[s + 3] << 8) | b[s + 4],
        sampling,
        needsMore: false,
      };
    } else if (m === 0xe1 && startsWith(b, s, e, EXIF)) {
      if (exifOrientation(b, s + EXIF.length, e) !== 1) needsMore = true;
    } else if (m === 0xe2 || m === 0xee) {
      needsMore = true; // APP2: ICC profile (libvips reads any "ICC_PROFILE" prefix) or MPF; APP14: Adobe transform
    }
    i = e;
  }
  return undefined;
}

/**
 * Width and height of a JPEG that the in-thread path may decode, or `undefined` for one that needs sharp: a whole
 * (ends in EOI) 8-bit Huffman sequential JPEG, grey or YCbCr with chroma at full, half-width (4:2:2) or half-size
 * (4:2:0) resolution, which asks for nothing but decoding. Progressive files and other subsamplings go to sharp: the
 * WebAssembly build's libjpeg-turbo is older than sharp's and upsamples 4:4:0 and smooths partial progressive scans
 * differently.
 */
export function plainJpegSize(
  b: Uint8Array,
  h: JpegHeader | undefined = readJpegHeader(b),
): { width: number; height: number } | undefined {
  const n = b.length;
  // A file cut short or followed by other data: sharp decides (and warns or refuses) as it always did.
  if (n < 4 || b[n - 2] !== 0xff || b[n - 1] !== 0xd9) return undefined;
  if (!h || h.needsMore || h.precision !== 8 || (h.frame !== 0xc0 && h.frame !== 0xc1)) return undefined;
  if (h.width === 0 || h.height === 0) return undefined;
  if (h.sampling.length === 3) {
    const [[lh, lv], [ch, cv], [dh, dv]] = h.sampling;
    const luma = (lh === 1 && lv === 1) || (lh === 2 && lv === 1) || (lh === 2 && lv === 2);
    if (!luma || ch !== 1 || cv !== 1 || dh !== 1 || dv !== 1) return undefined;
  } else if (h.sampling.length !== 1) return undefined;
  return { width: h.width, height: h.height };
}

const EXIF = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"

function startsWith(b: Uint8Array, s: number, e: number, sig: number[]): boolean {
  if (e - s < sig.length) return false;
  for (let k = 0; k < sig.length; k++) if (b[s + k] !== sig[k]) return false;
  return true;
}

/**
 * The orientation of an EXIF block's first IFD: 1 when it has no orientation tag (0x0112), the value when it has exactly
 * one, a SHORT of count 1; `undefined` for anything else (several tags, another type or count, an unreadable block),
 * which sharp's EXIF reader may interpret differently.
 */
function exifOrientation(b: Uint8Array, t: number, e: number): number | undefined {
  if (e - t < 8) return undefined;
  const le = b[t] === 0x49 && b[t + 1] === 0x49;
  if (!le && !(b[t] === 0x4d && b[t + 1] === 0x4d)) return undefined;
  const u16 = (p: number) => (le ? b[p] | (b[p + 1] << 8) : (b[p] << 8) | b[p + 1]);
  const u32 = (p: number) => (le ? u16(p) + u16(p + 2) * 65536 : u16(p) * 65536 + u16(p + 2));
  if (u16(t + 2) !== 42) return undefined;
  const ifd = t + u32(t + 4);
  if (ifd + 2 > e) return undefined;
  const count = u16(ifd);
  if (ifd + 2 + count * 12 > e) return undefined;
  let orientation: number | undefined = 1;
  let seen = 0;
  for (let k = 0; k < count; k++) {
    const p = ifd + 2 + k * 12;
    if (u16(p) !== 0x0112) continue;
    seen++;
    orientation = u16(p + 2) === 3 && u32(p + 4) === 1 ? u16(p + 8) : undefined;
  }
  return seen > 1 ? undefined : orientation;
}

interface MozjpegModule {
  decode(data: Uint8Array, preserveOrientation: boolean): { data: Uint8ClampedArray; width: number; height: number };
}

interface Decoder {
  module: MozjpegModule;
  warnings: string[];
}

let decoder: Promise<Decoder> | undefined;

/**
 * Largest JPEG decoded here, in pixels (2^17, e.g. 362 × 362). This WebAssembly build has no SIMD: per pixel it is
 * slower than sharp's libjpeg-turbo, and it wins only while sharp's fixed cost per call dominates (about 0.5× sharp's CPU
 * time at 250 × 250, even around 360 × 300, 1.25–2× at 640 × 480). Larger files also would hold the calling thread.
 */
const MAX_PIXELS = 1 << 17;

/** Loads the WebAssembly decoder once per thread (about 160 KB of code); its messages are kept, not printed. */
function getDecoder(): Promise<Decoder> {
  decoder ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasm = new WebAssembly.Module(readFileSync(require.resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm')));
    const factory = (await import('@jsquash/jpeg/codec/dec/mozjpeg_dec.js')).default as unknown as (
      o: object,
    ) => Promise<MozjpegModule>;
    const warnings: string[] = [];
    // The decoder's Node build defines globalThis.ImageData when it has no value, and builds each result with that
    // global: ours is lent while it loads (so it installs none) and for each (synchronous) decode, and nothing else
    // ever sees it.
    const ready = withImageData(() =>
      factory({
        noInitialRun: true,
        print: () => {},
        printErr: (msg: string) => warnings.push(msg),
        instantiateWasm: (imports: WebAssembly.Imports, done: (i: WebAssembly.Instance) => void) => {
          const instance = new WebAssembly.Instance(wasm, imports);
          done(instance);
          return instance.exports;
        },
      }),
    );
    return { module: await ready, warnings };
  })();
  return decoder;
}

/** What the decoder builds its result with where the platform has no `ImageData` (Node). */
class DecodedPixels {
  constructor(
    readonly data: Uint8ClampedArray,
    readonly width: number,
    readonly height: number,
  ) {}
}

/**
 * Defines `globalThis.ImageData` (as {@link DecodedPixels}) unless it holds a value, as the decoder would; `restore()`
 * puts back exactly what was there (no property, or its value).
 */
function borrowImageData(): { restore(): void } {
  const g = globalThis as { ImageData?: unknown };
  const had = Object.hasOwn(g, 'ImageData');
  const value = g.ImageData;
  if (value) return { restore() {} };
  g.ImageData = DecodedPixels;
  return {
    restore() {
      if (had) g.ImageData = value;
      else delete g.ImageData;
    },
  };
}

/** Runs `decode` with `globalThis.ImageData` defined, and leaves the global as it found it. */
function withImageData<T>(decode: () => T): T {
  const lent = borrowImageData();
  try {
    return decode();
  } finally {
    lent.restore();
  }
}

/**
 * Decodes a plain JPEG (see the module's description) to RGB in the calling thread.
 * @param bytes the file's bytes.
 * @param maxPixels, maxSide `readImage`'s limits: a JPEG over either is left to sharp.
 * @param header the file's {@link readJpegHeader}, when the caller has read it already.
 * @returns the image, or `undefined` when the file needs sharp (not plain, over a limit, or the decoder warned or failed).
 */
export async function decodePlainJpeg(
  bytes: Uint8Array,
  maxPixels: number,
  maxSide?: number,
  header: JpegHeader | undefined = readJpegHeader(bytes),
): Promise<RgbImage | undefined> {
  const size = plainJpegSize(bytes, header);
  if (!size || size.width * size.height > Math.min(maxPixels, MAX_PIXELS)) return undefined;
  if (maxSide !== undefined && Math.max(size.width, size.height) > maxSide) return undefined;
  let dec: Awaited<ReturnType<typeof getDecoder>>;
  try {
    dec = await getDecoder();
  } catch {
    return undefined; // WebAssembly unavailable: sharp decodes everything
  }
  dec.warnings.length = 0;
  let rgba: { data: Uint8ClampedArray; width: number; height: number } | undefined;
  try {
    rgba = withImageData(() => dec.module.decode(bytes, true));
  } catch {
    decoder = undefined; // the instance may be left in any state: the next call makes a new one
    return undefined;
  }
  if (!rgba || dec.warnings.length || rgba.width !== size.width || rgba.height !== size.height) return undefined;
  const px = rgba.width * rgba.height;
  const src = rgba.data;
  if (src.length !== px * 4) return undefined;
  const out = new Uint8Array(px * 3);
  for (let p = 0, i = 0, o = 0; p < px; p++, i += 4, o += 3) {
    out[o] = src[i];
    out[o + 1] = src[i + 1];
    out[o + 2] = src[i + 2];
  }
  return rgbImage(out, rgba.width, rgba.height);
}
