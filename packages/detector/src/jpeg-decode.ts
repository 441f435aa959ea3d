/**
 * The fast path of `readImage` for plain JPEG files: decoded in the calling thread by libjpeg-turbo's mozjpeg fork
 * compiled to WebAssembly (`@jsquash/jpeg`, Apache-2.0), about half of sharp's CPU time on a 250×250 photo and without
 * sharp's thread-pool round trip (measured in docs/benchmarks/pipeline.md). Both decoders are libjpeg-turbo with the
 * same settings (integer IDCT, fancy upsampling), so the pixels are the same as sharp's (tested).
 *
 * Only a JPEG that needs nothing but decoding takes it: 8-bit Huffman baseline, extended or progressive, 1 or 3
 * components, no EXIF orientation other than 1, no ICC profile, no Adobe marker (CMYK, YCCK or RGB), ending in EOI,
 * small enough to need no downscaling. Everything else — and any JPEG the WebAssembly decoder warns about or refuses —
 * goes to sharp, which rotates, converts colour, shrinks on load and explains failures as before.
 *
 * The JPEG marker walk below is ours (a library that reads EXIF would parse far more than the one tag needed here).
 * @module
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { rgbImage, type RgbImage } from '@eolgul/core';

/** Width and height of a JPEG that the fast path may decode, or `undefined` for one that needs sharp. */
export function plainJpegSize(b: Uint8Array): { width: number; height: number } | undefined {
  const n = b.length;
  if (n < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  // A file cut short or followed by other data: sharp decides (and warns or refuses) as it always did.
  if (b[n - 2] !== 0xff || b[n - 1] !== 0xd9) return undefined;
  let size: { width: number; height: number } | undefined;
  let i = 2;
  while (i + 4 <= n) {
    if (b[i] !== 0xff) return undefined;
    const m = b[i + 1];
    if (m === 0xff) {
      i++; // fill byte
      continue;
    }
    const len = (b[i + 2] << 8) | b[i + 3];
    if (len < 2 || i + 2 + len > n) return undefined;
    const s = i + 4,
      e = i + 2 + len;
    if (m === 0xda) return size; // start of scan: the header is complete
    if (m === 0xc0 || m === 0xc1 || m === 0xc2) {
      // Huffman baseline / extended / progressive: precision, height, width, components.
      if (e - s < 6 || size) return undefined;
      const height = (b[s + 1] << 8) | b[s + 2],
        width = (b[s + 3] << 8) | b[s + 4],
        components = b[s + 5];
      if (b[s] !== 8 || width === 0 || height === 0 || (components !== 1 && components !== 3)) return undefined;
      size = { width, height };
    } else if ((m >= 0xc3 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) || m === 0xd8 || m === 0x01) {
      return undefined; // lossless, hierarchical, arithmetic coding, or a malformed stream
    } else if (m >= 0xd0 && m <= 0xd7) {
      return undefined; // a restart marker before the scan: malformed
    } else if (m === 0xe1 && startsWith(b, s, e, EXIF)) {
      if (exifOrientation(b, s + EXIF.length, e) !== 1) return undefined;
    } else if (m === 0xe2 && startsWith(b, s, e, ICC)) {
      return undefined;
    } else if (m === 0xee && startsWith(b, s, e, ADOBE)) {
      return undefined;
    }
    i = e;
  }
  return undefined;
}

const EXIF = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"
const ICC = [...'ICC_PROFILE'].map((c) => c.charCodeAt(0)).concat(0);
const ADOBE = [...'Adobe'].map((c) => c.charCodeAt(0));

function startsWith(b: Uint8Array, s: number, e: number, sig: number[]): boolean {
  if (e - s < sig.length) return false;
  for (let k = 0; k < sig.length; k++) if (b[s + k] !== sig[k]) return false;
  return true;
}

/** The orientation tag (0x0112) of an EXIF block's first IFD: 1 when absent, `undefined` when the block is unreadable. */
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
  for (let k = 0; k < count; k++) {
    const p = ifd + 2 + k * 12;
    if (u16(p) === 0x0112) return u16(p + 2) === 3 ? u16(p + 8) : undefined;
  }
  return 1;
}

interface MozjpegModule {
  decode(data: Uint8Array, preserveOrientation: boolean): { data: Uint8ClampedArray; width: number; height: number };
}

interface Decoder {
  module: MozjpegModule;
  /** The instance's memory: it grows to the largest image decoded and never shrinks. */
  memory: () => number;
  warnings: string[];
}

let decoder: Promise<Decoder> | undefined;

/** Largest JPEG decoded here, in pixels (4096 × 4096, the front door's detection size): larger ones go to sharp. */
const MAX_PIXELS = 4096 * 4096;
/** An instance whose memory grew past this after a decode is dropped (a new one is made when needed): 64 MiB. */
const MAX_MEMORY = 64 * 1024 * 1024;

/** Loads the WebAssembly decoder once per thread (about 160 KB of code); its messages are kept, not printed. */
function getDecoder(): Promise<Decoder> {
  decoder ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasm = new WebAssembly.Module(readFileSync(require.resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm')));
    const factory = (await import('@jsquash/jpeg/codec/dec/mozjpeg_dec.js')).default as unknown as (
      o: object,
    ) => Promise<MozjpegModule>;
    const warnings: string[] = [];
    let memory: WebAssembly.Memory | undefined;
    const module = await factory({
      noInitialRun: true,
      print: () => {},
      printErr: (msg: string) => warnings.push(msg),
      instantiateWasm: (imports: WebAssembly.Imports, done: (i: WebAssembly.Instance) => void) => {
        const instance = new WebAssembly.Instance(wasm, imports);
        memory = Object.values(instance.exports).find((e) => e instanceof WebAssembly.Memory);
        done(instance);
        return instance.exports;
      },
    });
    return { module, warnings, memory: () => memory?.buffer.byteLength ?? 0 };
  })();
  return decoder;
}

/**
 * Decodes a plain JPEG (see the module's description) to RGB in the calling thread.
 * @param bytes the file's bytes.
 * @param maxPixels, maxSide `readImage`'s limits: a JPEG over either is left to sharp.
 * @returns the image, or `undefined` when the file needs sharp (not plain, over a limit, or the decoder warned or failed).
 */
export async function decodePlainJpeg(
  bytes: Uint8Array,
  maxPixels: number,
  maxSide?: number,
): Promise<RgbImage | undefined> {
  const size = plainJpegSize(bytes);
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
    rgba = dec.module.decode(bytes, true);
  } catch {
    decoder = undefined; // the instance may be left in any state: the next call makes a new one
    return undefined;
  } finally {
    if (dec.memory() > MAX_MEMORY) decoder = undefined;
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
