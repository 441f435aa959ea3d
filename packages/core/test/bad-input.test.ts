/**
 * Bad input to the files eolgul reads (issue 5): malformed NPY and CSV get typed errors and nothing else, whatever the
 * bytes; bad embeddings are refused. The fast-check NPY round trip lives in packages/lfw-tools/test/npy-roundtrip.test.ts;
 * the mutation fuzzing here uses a seeded generator (fast-check is not a dependency of @eolgul/core), so failures replay.
 */
import { describe, expect, it } from 'vitest';
import {
  CsvFormatError,
  EmbeddingDimensionError,
  InvalidEmbeddingError,
  NpyFormatError,
  decodeNpy,
  encodeNpy,
  formatCsv,
  l2Normalize,
  parseCsv,
  validateEmbedding,
} from '@eolgul/core';

/** mulberry32: a small seeded PRNG, so every fuzz case can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A version 1/2/3 NPY file with header dictionary `dict` and raw data bytes `data` (padded to 64 as numpy does). */
function npyWith(dict: string, data: Uint8Array, major = 1): Uint8Array {
  const pre = major === 1 ? 10 : 12;
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  const out = new Uint8Array(total + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, total - 10, true);
  else dv.setUint32(8, total - 12, true);
  const text = `${dict.padEnd(total - pre - 1, ' ')}\n`;
  for (let i = 0; i < text.length; i++) out[pre + i] = text.charCodeAt(i);
  out.set(data, total);
  return out;
}
const dict = (descr: string, shape: string, fortran = 'False') =>
  `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
const f32 = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);
const f64 = (...v: number[]) => new Uint8Array(new Float64Array(v).buffer);

function expectNpyError(buf: Uint8Array, reason: RegExp, path = 'emb.npy'): void {
  let err: unknown;
  try {
    decodeNpy(buf, path);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(NpyFormatError);
  expect((err as NpyFormatError).code).toBe('NPY_FORMAT');
  expect((err as NpyFormatError).path).toBe(path);
  expect((err as Error).message).toContain(path);
  expect((err as Error).message).toMatch(reason);
}

describe('malformed NPY: NpyFormatError naming the file and the problem', () => {
  const good = encodeNpy(new Float32Array([1, 0, 0, 1]), [2, 2]);

  it('bad magic: empty, too short, another format, text, one byte off', () => {
    expectNpyError(new Uint8Array(0), /bad magic/);
    expectNpyError(good.subarray(0, 5), /bad magic/);
    expectNpyError(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]), /bad magic/);
    expectNpyError(new TextEncoder().encode('image,category\na.jpg,0\n'), /bad magic/);
    const off = good.slice();
    off[3] = 0x6d; // \x93NUmPY
    expectNpyError(off, /bad magic/);
  });

  it('unsupported format version', () => {
    const v = good.slice();
    v[6] = 4;
    expectNpyError(v, /version 4/);
    v[6] = 0;
    expectNpyError(v, /version 0/);
  });

  it('unsupported dtypes: integers, half, complex, bool, object, strings, structured', () => {
    for (const descr of ['<i4', '<i8', '|u1', '<f2', '<c8', '|b1', '|O', '<U10', '|S4']) {
      expectNpyError(npyWith(dict(descr, '(4,)'), new Uint8Array(16)), /unsupported dtype|data bytes/);
    }
    expectNpyError(npyWith(dict('<i4', '(4,)'), new Uint8Array(16)), /unsupported dtype <i4/);
    // A structured dtype's descr is a list, not a string: the header does not parse.
    expectNpyError(
      npyWith("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (4,), }", new Uint8Array(16)),
      /header does not parse/,
    );
  });

  it('big-endian float32 and float64', () => {
    expectNpyError(npyWith(dict('>f4', '(2,)'), f32(1, 2)), /big-endian dtype >f4/);
    expectNpyError(npyWith(dict('>f8', '(2,)'), f64(1, 2)), /big-endian dtype >f8/);
  });

  it('Fortran order', () => {
    expectNpyError(npyWith(dict('<f4', '(2, 2)', 'True'), f32(1, 2, 3, 4)), /Fortran/);
  });

  it('truncated: data cut short, header cut, header length pointing past the end, magic only', () => {
    expectNpyError(good.subarray(0, good.length - 1), /needs 16 data bytes, file has 15/);
    expectNpyError(good.subarray(0, good.length - 16), /needs 16 data bytes, file has 0/);
    expectNpyError(good.subarray(0, 40), /truncated header/);
    const long = good.slice();
    new DataView(long.buffer).setUint16(8, 60000, true);
    expectNpyError(long, /truncated header/);
    const v2 = npyWith(dict('<f4', '(1,)'), f32(1), 2);
    new DataView(v2.buffer).setUint32(8, 0xfffffff0, true);
    expectNpyError(v2, /truncated header/);
    expectNpyError(npyWith(dict('<f4', '(1,)'), f32(1), 2).subarray(0, 11), /truncated header/);
  });

  it('a header lying about the shape: more, fewer, zero rows with data, astronomically many', () => {
    expectNpyError(npyWith(dict('<f4', '(3, 2)'), f32(1, 2, 3, 4)), /shape \(3, 2\) needs 24 data bytes, file has 16/);
    expectNpyError(npyWith(dict('<f4', '(1, 2)'), f32(1, 2, 3, 4)), /needs 8 data bytes, file has 16/);
    expectNpyError(npyWith(dict('<f4', '(0, 2)'), f32(1, 2, 3, 4)), /needs 0 data bytes/);
    expectNpyError(npyWith(dict('<f4', '(4294967296, 4294967296)'), f32(1, 2)), /data bytes/);
    expectNpyError(npyWith(dict('<f8', '(2, 2)'), f32(1, 2, 3, 4)), /needs 32 data bytes, file has 16/);
  });

  it('headers that do not parse or hold impossible shapes', () => {
    expectNpyError(npyWith('{hello world}', f32(1)), /header does not parse/);
    expectNpyError(npyWith("{'descr': '<f4', 'shape': (1,), }", f32(1)), /header does not parse/);
    expectNpyError(npyWith(dict('<f4', '(-1, 4)'), f32(1)), /bad shape entry -1/);
    expectNpyError(npyWith(dict('<f4', '(two, 2)'), f32(1)), /bad shape entry two/);
    expectNpyError(npyWith(dict('<f4', '(1.5, 2)'), f32(1, 2, 3)), /bad shape entry 1.5/);
    expectNpyError(npyWith(dict('<f4', '((2), 2)'), f32(1, 2, 3, 4)), /bad shape entry/);
    const zeroLen = good.slice();
    new DataView(zeroLen.buffer).setUint16(8, 0, true);
    expectNpyError(zeroLen, /header does not parse/);
  });

  it('still reads what numpy writes: versions 2 and 3, native/no-byte-order descr, float64, an unaligned buffer', () => {
    expect(Array.from(decodeNpy(npyWith(dict('<f4', '(2,)'), f32(1.5, -2), 2)).data)).toEqual([1.5, -2]);
    expect(Array.from(decodeNpy(npyWith(dict('<f4', '(2,)'), f32(1.5, -2), 3)).data)).toEqual([1.5, -2]);
    expect(decodeNpy(npyWith(dict('=f4', '(1, 2)'), f32(3, 4))).shape).toEqual([1, 2]);
    expect(Array.from(decodeNpy(npyWith(dict('<f8', '(2,)'), f64(0.25, 8))).data)).toEqual([0.25, 8]);
    const shifted = new Uint8Array(good.length + 1);
    shifted.set(good, 1);
    expect(Array.from(decodeNpy(shifted.subarray(1)).data)).toEqual([1, 0, 0, 1]);
  });

  it('fuzz: 3000 mutated files (seeded) give a consistent array or an NpyFormatError, never another exception', () => {
    const base = encodeNpy(new Float32Array(Array.from({ length: 24 }, (_, i) => i / 7)), [4, 6]);
    const headerEnd = base.length - 24 * 4;
    const tokens = [
      "'<f4'",
      "'>f4'",
      "'<i4'",
      "'<f8'",
      'False',
      'True',
      '(4, 6)',
      '(6, 4)',
      '(24,)',
      '(0,)',
      '()',
      '(4, 6, 1)',
      '(-4, 6)',
    ];
    let decoded = 0,
      refused = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const r = rng(seed);
      let buf: Uint8Array = base.slice();
      const kind = Math.floor(r() * 5);
      if (kind === 0) {
        // flip 1–4 random bytes
        for (let k = 1 + Math.floor(r() * 4); k > 0; k--) buf[Math.floor(r() * buf.length)] = Math.floor(r() * 256);
      } else if (kind === 1) {
        // flip a byte in the preamble or header
        buf[Math.floor(r() * headerEnd)] ^= 1 << Math.floor(r() * 8);
      } else if (kind === 2) {
        buf = buf.subarray(0, Math.floor(r() * buf.length)); // truncate
      } else if (kind === 3) {
        // insert or delete bytes
        const at = Math.floor(r() * buf.length),
          n = 1 + Math.floor(r() * 8);
        buf =
          r() < 0.5
            ? new Uint8Array([
                ...buf.subarray(0, at),
                ...Array.from({ length: n }, () => Math.floor(r() * 256)),
                ...buf.subarray(at),
              ])
            : new Uint8Array([...buf.subarray(0, at), ...buf.subarray(at + n)]);
      } else {
        // swap one header token for another, keeping the header length
        const text = new TextDecoder('latin1').decode(buf.subarray(10, headerEnd));
        const from = tokens[Math.floor(r() * 5)],
          to = tokens[Math.floor(r() * tokens.length)];
        const swapped = `${text
          .replace(from, to)
          .padEnd(text.length, ' ')
          .slice(0, text.length - 1)}\n`;
        for (let i = 0; i < swapped.length; i++) buf[10 + i] = swapped.charCodeAt(i);
      }
      try {
        const { data, shape } = decodeNpy(buf, `fuzz-${seed}.npy`);
        expect(data, `seed ${seed}`).toBeInstanceOf(Float32Array);
        expect(data.length, `seed ${seed}`).toBe(shape.reduce((a, b) => a * b, 1));
        for (const s of shape) expect(Number.isSafeInteger(s) && s >= 0, `seed ${seed}`).toBe(true);
        decoded++;
      } catch (err) {
        if (!(err instanceof NpyFormatError))
          throw new Error(`seed ${seed}: ${(err as Error).name}: ${(err as Error).message}`);
        expect((err as Error).message).toContain(`fuzz-${seed}.npy`);
        refused++;
      }
    }
    // Both outcomes occur (the mutations reach the data and the header).
    expect(decoded).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(1000);
  });
});

describe('malformed CSV: CsvFormatError naming the file', () => {
  const cols = ['image', 'category'] as const;
  function expectCsvError(text: string, reason: RegExp): void {
    let err: unknown;
    try {
      parseCsv(text, cols, 'emb.csv');
    } catch (e) {
      err = e;
    }
    expect(err, JSON.stringify(text)).toBeInstanceOf(CsvFormatError);
    expect((err as CsvFormatError).code).toBe('CSV_FORMAT');
    expect((err as CsvFormatError).path).toBe('emb.csv');
    expect((err as Error).message).toMatch(reason);
  }

  it('no header, or another header', () => {
    expectCsvError('a_0001.jpg,0\nb_0001.jpg,1\n', /header is "a_0001.jpg,0", expected "image,category"/);
    expectCsvError('', /empty file/);
    expectCsvError('\n\n', /empty file/);
    expectCsvError('Image,Category\na.jpg,0\n', /header is "Image,Category"/);
    expectCsvError('category,image\n0,a.jpg\n', /header is "category,image"/);
    expectCsvError('image;category\na.jpg;0\n', /header is "image;category"/);
    expectCsvError('image\na.jpg\n', /header is "image"/);
  });

  it('extra or missing columns, in the header or in a row', () => {
    expectCsvError('image,category,score\na.jpg,0,0.9\n', /header is "image,category,score"/);
    expectCsvError('image,category\na.jpg,0,extra\n', /line 2 has 3 fields, expected 2/);
    expectCsvError('image,category\na.jpg,0\nb.jpg\n', /line 3 has 1 fields, expected 2/);
  });

  it('text that is not CSV: unclosed or stray quotes', () => {
    expectCsvError('image,category\n"a.jpg,0\n', /quote/i);
    expectCsvError('image,category\na"b.jpg,0\n', /quote/i);
  });

  it('accepts what spreadsheet tools write: BOM, CRLF, blank lines, quoted commas and non-ASCII names', () => {
    expect(parseCsv('\uFEFFimage,category\r\n"a, b.jpg",0\r\n\r\n노무현_1.jpg,1\r\n', cols)).toEqual([
      { image: 'a, b.jpg', category: '0' },
      { image: '노무현_1.jpg', category: '1' },
    ]);
    expect(parseCsv('image,category\n', cols)).toEqual([]);
  });

  it('fuzz: 3000 mutated CSV texts (seeded) give rows of exactly two fields or a CsvFormatError', () => {
    const base = formatCsv(
      Array.from({ length: 6 }, (_, i) => ({ image: i % 2 ? `"q" ${i}, x.jpg` : `Name_${i}.jpg`, category: i })),
      ['image', 'category'],
    );
    const alphabet = ['"', ',', '\n', '\r', 'a', ' ', '\uFEFF', '한', '\0', 'image', 'category'];
    for (let seed = 1; seed <= 3000; seed++) {
      const r = rng(seed);
      let text = base;
      for (let k = 1 + Math.floor(r() * 3); k > 0; k--) {
        const at = Math.floor(r() * (text.length + 1));
        const op = r();
        if (op < 0.4) text = text.slice(0, at) + alphabet[Math.floor(r() * alphabet.length)] + text.slice(at);
        else if (op < 0.8) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 4));
        else text = text.slice(0, at);
      }
      try {
        const rows = parseCsv(text, cols, `fuzz-${seed}.csv`);
        for (const row of rows) {
          expect(Object.keys(row), `seed ${seed}`).toEqual(['image', 'category']);
          expect(typeof row.image === 'string' && typeof row.category === 'string', `seed ${seed}`).toBe(true);
        }
      } catch (err) {
        if (!(err instanceof CsvFormatError))
          throw new Error(`seed ${seed}: ${(err as Error).name}: ${(err as Error).message}`);
      }
    }
  });
});

describe('bad embeddings are refused by validateEmbedding / l2Normalize', () => {
  it('wrong dimension: EmbeddingDimensionError with expected and got', () => {
    const err = (() => {
      try {
        validateEmbedding(new Float32Array(128), 512);
      } catch (e) {
        return e as EmbeddingDimensionError;
      }
    })();
    expect(err).toBeInstanceOf(EmbeddingDimensionError);
    expect([err!.code, err!.expected, err!.got]).toEqual(['EMBEDDING_DIMENSION', 512, 128]);
  });

  it('NaN, ±Infinity anywhere, zero norm, empty: InvalidEmbeddingError', () => {
    const unit = () => l2Normalize(new Float32Array(512).fill(1));
    for (const [i, v] of [
      [0, Number.NaN],
      [511, Number.NaN],
      [7, Number.POSITIVE_INFINITY],
      [300, Number.NEGATIVE_INFINITY],
    ] as const) {
      const e = unit();
      e[i] = v;
      expect(() => validateEmbedding(e, 512)).toThrow(InvalidEmbeddingError);
      expect(() => validateEmbedding(e, 512)).toThrow(new RegExp(`index ${i}`));
      expect(() => l2Normalize(e)).toThrow(InvalidEmbeddingError);
    }
    expect(() => validateEmbedding(new Float32Array(512), 512)).toThrow(/zero norm/);
    expect(() => validateEmbedding(new Float32Array([-0, 0, -0]))).toThrow(/zero norm/);
    expect(() => validateEmbedding(new Float32Array(0))).toThrow(/empty/);
    expect(() => l2Normalize(new Float32Array(512))).toThrow(InvalidEmbeddingError);
  });

  it('tiny and huge but finite vectors normalise to unit length (no underflow to NaN)', () => {
    for (const v of [
      [1e-30, 1e-30],
      [3e38, 3e38],
      [1.4e-45, 0],
    ]) {
      const n = l2Normalize(new Float32Array(v));
      expect(Math.hypot(...n)).toBeCloseTo(1, 6);
    }
  });
});
