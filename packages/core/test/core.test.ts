import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CsvFormatError,
  EmbeddingDimensionError,
  InvalidEmbeddingError,
  NpyFormatError,
  decodeNpy,
  encodeNpy,
  euclideanDistance,
  formatCsv,
  l2Normalize,
  parseCsv,
  validateEmbedding,
} from '@eolgul/core';
import { writeFileAtomic } from '@eolgul/core/node';

describe('NPY codec', () => {
  it('writes the exact v1.0 header numpy writes for float32 (2, 3), padded to a multiple of 64 bytes', () => {
    const buf = encodeNpy(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect(buf.length).toBe(128 + 24); // 10-byte preamble + 59-char dict + spaces + newline = 128
    expect(Array.from(buf.subarray(0, 8))).toEqual([0x93, 78, 85, 77, 80, 89, 1, 0]);
    const header = new TextDecoder().decode(buf.subarray(10, 128));
    expect(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")).toBe(true);
    expect(header.endsWith('\n')).toBe(true);
    expect(new DataView(buf.buffer).getFloat32(128 + 4 * 5, true)).toBe(6);
    const back = decodeNpy(buf);
    expect(back.shape).toEqual([2, 3]);
    expect(Array.from(back.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("reads float64 (numpy's default dtype) as float32", () => {
    const hdr = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
    const text = `${hdr + ' '.repeat(128 - 10 - hdr.length - 1)}\n`;
    const buf = new Uint8Array(128 + 16);
    buf.set([0x93, 78, 85, 77, 80, 89, 1, 0]);
    new DataView(buf.buffer).setUint16(8, 118, true);
    for (let i = 0; i < text.length; i++) buf[10 + i] = text.charCodeAt(i);
    new DataView(buf.buffer).setFloat64(128, 0.5, true);
    new DataView(buf.buffer).setFloat64(136, -2.25, true);
    expect(Array.from(decodeNpy(buf).data)).toEqual([0.5, -2.25]);
  });

  it('refuses malformed files with typed errors', () => {
    const good = encodeNpy(new Float32Array(4), [2, 2]);
    const bad = (f: (b: Uint8Array) => void) => {
      const b = good.slice();
      f(b);
      return b;
    };
    const replaceHeader = (from: string, to: string) => (b: Uint8Array) => {
      const t = new TextDecoder('latin1').decode(b.subarray(10, 128)).replace(from, to);
      for (let i = 0; i < t.length; i++) b[10 + i] = t.charCodeAt(i);
    };
    expect(() =>
      decodeNpy(
        bad((b) => {
          b[0] = 0;
        }),
      ),
    ).toThrow(/bad magic/);
    expect(() => decodeNpy(good.subarray(0, good.length - 3))).toThrow(/data bytes/);
    expect(() => decodeNpy(bad(replaceHeader("'<f4'", "'>f4'")))).toThrow(/big-endian/);
    expect(() => decodeNpy(bad(replaceHeader("'<f4'", "'<i4'")))).toThrow(/unsupported dtype/);
    expect(() => decodeNpy(bad(replaceHeader('False', 'True ')))).toThrow(/Fortran/);
    expect(() => decodeNpy(bad(replaceHeader('(2, 2)', '(2, 3)')))).toThrow(NpyFormatError);
    expect(() => decodeNpy(new Uint8Array(0))).toThrow(NpyFormatError);
  });
});

describe('CSV', () => {
  it('round-trips rows with commas, quotes and non-ASCII names', () => {
    const rows = [
      { image: '노무현_1.jpg', category: 0 },
      { image: 'a,b "c".jpg', category: 12 },
    ];
    const text = formatCsv(rows, ['image', 'category']);
    expect(text.split('\n')[0]).toBe('image,category');
    expect(parseCsv(text, ['image', 'category'])).toEqual(
      rows.map((r) => ({ image: r.image, category: String(r.category) })),
    );
  });

  it('refuses a missing header or a wrong column count', () => {
    expect(() => parseCsv('a.jpg,1\n', ['image', 'category'], 'x.csv')).toThrow(CsvFormatError);
    expect(() => parseCsv('image,category\na.jpg,1,extra\n', ['image', 'category'])).toThrow(/line 2 has 3 fields/);
    expect(() => parseCsv('', ['image', 'category'])).toThrow(CsvFormatError);
  });
});

describe('vectors', () => {
  it('computes Euclidean distances by hand', () => {
    expect(euclideanDistance([0, 0], [3, 4])).toBe(5);
    expect(euclideanDistance([1, 0], [-1, 0])).toBe(2);
    expect(() => euclideanDistance([1], [1, 2])).toThrow(EmbeddingDimensionError);
  });

  it('normalises and refuses NaN, infinity and zero vectors', () => {
    expect(Array.from(l2Normalize([3, 4]))).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(() => l2Normalize([0, 0])).toThrow(InvalidEmbeddingError);
    expect(() => validateEmbedding([1, NaN])).toThrow(/index 1/);
    expect(() => validateEmbedding([Infinity, 1])).toThrow(InvalidEmbeddingError);
    expect(() => validateEmbedding([1, 2, 3], 2)).toThrow(EmbeddingDimensionError);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file whole, owner-only, and leaves no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eolgul-atomic-'));
    const f = join(dir, 'x.bin');
    await writeFileAtomic(f, 'old');
    await writeFileAtomic(f, new Uint8Array([1, 2, 3]));
    expect(Array.from(await readFile(f))).toEqual([1, 2, 3]);
    expect((await stat(f)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['x.bin']);
  });
});
