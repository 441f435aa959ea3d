import { NpyFormatError } from './errors.js';

/**
 * Reading and writing NumPy `.npy` files (format versions 1.0, 2.0 and 3.0), browser-safe (bytes in, data out).
 * Spec: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 * @module
 */

/** A dense float32 array and its shape, C (row-major) order. */
export interface NpyArray {
  /** Values in C order, length = product of `shape`. */
  data: Float32Array;
  /** Array shape, e.g. `[N, 128]`. */
  shape: number[];
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Number of bytes of the preamble + header of an `.npy` file that {@link encodeNpy} writes (a multiple of 64). */
export function npyHeaderLength(buf: Uint8Array): number {
  const major = buf[6];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return major === 1 ? 10 + view.getUint16(8, true) : 12 + view.getUint32(8, true);
}

/** What the preamble + header of an `.npy` file says. */
export interface NpyHeader {
  /** Bytes of the preamble + header: the data starts here. */
  headerLength: number;
  /** Array shape, e.g. `[N, 512]`. */
  shape: number[];
  /** Element type: `'f4'` (float32) or `'f8'` (float64), little-endian. */
  dtype: 'f4' | 'f8';
}

/**
 * Parses the preamble + header of an `.npy` file (the data is not read). Accepts little-endian `<f4` / `<f8`, C order.
 * @param buf the start of the file (at least the whole header).
 * @param path used only in error messages.
 * @throws {NpyFormatError} bad magic, unsupported version or dtype, big-endian data, Fortran order, a header that does
 *   not parse or runs past `buf`.
 */
export function decodeNpyHeader(buf: Uint8Array, path = '<buffer>'): NpyHeader {
  if (buf.length < 10 || MAGIC.some((b, i) => buf[i] !== b))
    throw new NpyFormatError(path, 'not an NPY file (bad magic)');
  const major = buf[6];
  if (major !== 1 && major !== 2 && major !== 3) throw new NpyFormatError(path, `unsupported format version ${major}`);
  if (major !== 1 && buf.length < 12) throw new NpyFormatError(path, 'truncated header');
  const headerStart = major === 1 ? 10 : 12;
  const headerLength = npyHeaderLength(buf);
  if (headerLength > buf.length) throw new NpyFormatError(path, 'truncated header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(buf.subarray(headerStart, headerLength));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!/^\s*\{[\s\S]*\}\s*$/.test(header) || descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new NpyFormatError(path, `header does not parse: ${header.trim()}`);
  }
  if (fortran === 'True') throw new NpyFormatError(path, 'Fortran-order arrays are not supported; save with C order');
  if (descr[0] === '>') throw new NpyFormatError(path, `big-endian dtype ${descr} is not supported`);
  const kind = descr.replace(/^[<=|]/, '');
  if (kind !== 'f4' && kind !== 'f8')
    throw new NpyFormatError(path, `unsupported dtype ${descr}; expected float32 or float64`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = /^\d+L?$/.test(s) ? Number(s.replace(/L$/, '')) : Number.NaN;
      if (!Number.isSafeInteger(n) || n < 0) throw new NpyFormatError(path, `bad shape entry ${s}`);
      return n;
    });
  return { headerLength, shape, dtype: kind };
}

/**
 * Parses an `.npy` file into a float32 array. Accepts little-endian `<f4` and `<f8` (converted to float32), C order.
 * @param buf the whole file.
 * @param path used only in error messages.
 * @throws {NpyFormatError} bad magic, unsupported version or dtype, big-endian data, Fortran order,
 *   a header that does not parse, or a data section whose length disagrees with the shape.
 */
export function decodeNpy(buf: Uint8Array, path = '<buffer>'): NpyArray {
  const { headerLength: headerEnd, shape, dtype } = decodeNpyHeader(buf, path);
  const count = shape.reduce((a, b) => a * b, 1);
  const itemSize = dtype === 'f4' ? 4 : 8;
  const bodyLength = buf.length - headerEnd;
  if (bodyLength !== count * itemSize) {
    throw new NpyFormatError(
      path,
      `shape (${shape.join(', ')}) needs ${count * itemSize} data bytes, file has ${bodyLength}`,
    );
  }
  const data = new Float32Array(count);
  const view = new DataView(buf.buffer, buf.byteOffset + headerEnd, bodyLength);
  if (itemSize === 4) for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
  else for (let i = 0; i < count; i++) data[i] = view.getFloat64(i * 8, true);
  return { data, shape };
}

/**
 * Builds the preamble + header of a version 1.0 `.npy` file for a little-endian float32 C-order array,
 * padded with spaces to a multiple of 64 bytes. `minLength` lets an appending writer reserve room so the shape can grow
 * without moving the data.
 */
export function encodeNpyHeader(shape: readonly number[], minLength = 0): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  if (total < minLength) total = Math.ceil(minLength / 64) * 64;
  if (total - 10 > 0xffff) throw new RangeError('NPY header too long');
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, total - 10, true);
  const text = `${dict.padEnd(total - 10 - 1, ' ')}\n`;
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
  return out;
}

/**
 * Encodes a float32 array as a version 1.0 `.npy` file (`<f4`, C order), readable by `numpy.load`.
 * @param data values in C order; length must equal the product of `shape`.
 * @param shape e.g. `[N, 128]`.
 * @throws {RangeError} when `data.length` disagrees with `shape`.
 */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length)
    throw new RangeError(`shape (${shape.join(', ')}) needs ${count} values, got ${data.length}`);
  const header = encodeNpyHeader(shape);
  const out = new Uint8Array(header.length + data.length * 4);
  out.set(header, 0);
  const view = new DataView(out.buffer, header.length);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return out;
}
