import { endianness } from 'node:os';
import { crc32 } from 'node:zlib';
import { GalleryCorruptError, encodeNpyHeader, formatCsv } from '@eolgul/core';
import type { GalleryMatrix } from './gallery-matrix.js';
import type { GalleryManifest } from './gallery-types.js';

/**
 * The files of a gallery directory and the commit record that ties them together (Node-only). Only the directory
 * store knows these names.
 *
 * | file | content |
 * | --- | --- |
 * | `manifest.json` | what the embeddings are: format version, D, model id, preprocessing, default threshold |
 * | `embeddings.npy` | float32 `[N, D]`, C order, NPY 1.0, header padded to 128 bytes so N can grow in place |
 * | `index.csv` | `image,category`, one line per row of `embeddings.npy` (category = identity number) |
 * | `identities.csv` | `category,name`: the identity name of each number |
 * | `excluded-images.csv` | `image`: images left out of every search (undoable) |
 * | `commit.json` | the commit record: generation, N, and for each file above its committed byte length and checksum |
 *
 * Checksums are CRC-32 (`zlib.crc32`, the checksum of gzip and PNG): the CSV files over all their committed bytes,
 * `embeddings.npy` over its data (the bytes after the header; the header is checked field by field, because appends
 * rewrite its row count in place), `manifest.json` over its fields but `preprocess` (a label users may correct by
 * hand). `commit.json` carries the CRC-32 of its own text. Record format 1
 * (galleries written before checksums) has none of them; see `gallery-store-npy.ts` for how those are opened.
 * CSV cells are formula-escaped in format 2 (see `formatCsv` of `@eolgul/core`).
 * @module
 */

/** The files whose content `commit.json` commits. */
export type GalleryDataFile = 'embeddings.npy' | 'index.csv' | 'identities.csv' | 'excluded-images.csv';

export const DATA_FILES: readonly GalleryDataFile[] = [
  'embeddings.npy',
  'index.csv',
  'identities.csv',
  'excluded-images.csv',
];
export const MANIFEST = 'manifest.json';
export const COMMIT = 'commit.json';
export const LOCK = '.write.lock';
/** Bytes reserved for the NPY preamble + header, enough for any shape N ≤ 1e15. */
export const NPY_HEADER_ROOM = 128;
export const LITTLE_ENDIAN = endianness() === 'LE';

/** What the commit record says of one data file. */
export interface CommittedFile {
  /** Committed byte length: readers use only these first bytes. */
  bytes: number;
  /** Generation at which the file was last replaced whole (appends keep it). */
  epoch: number;
  /** CRC-32 of the committed bytes (for `embeddings.npy`: of the bytes after the header). Format 2. */
  crc32?: number;
}

/** The commit record, `commit.json`. */
export interface CommitRecord {
  /** 1: no checksums, CSV cells not escaped (older galleries); 2: checksums and escaped cells. */
  formatVersion: 1 | 2;
  /** Incremented by every committed change. */
  generation: number;
  /** Committed number of rows N. */
  rows: number;
  /** The data files. */
  files: Record<GalleryDataFile, CommittedFile>;
  /**
   * CRC-32 of the manifest's fields without `preprocess` (format 2; see {@link manifestCrc}): `preprocess` is a label
   * the CLI lets users correct by hand in `manifest.json`; a changed D, model id or threshold is damage.
   */
  manifest?: { crc32: number };
  /** Files whose `<file>.next` replaces them in this commit (non-empty only between the two commit writes). */
  replacing: GalleryDataFile[];
}

const SELF = ',\n "recordCrc32": ';

/** The text of `commit.json`: the record, then the CRC-32 of the text before it. */
export function encodeCommit(rec: CommitRecord): string {
  const body = JSON.stringify(rec, null, 1);
  return `${body.slice(0, -2)}${SELF}${crc32(body)}\n}\n`;
}

/**
 * Parses and checks `commit.json`.
 * @param dir for messages.
 * @throws {GalleryCorruptError} not JSON, fields missing or of the wrong type, or (format 2) a text whose CRC-32 does
 *   not match: any changed byte.
 */
export function decodeCommit(text: string, dir: string): CommitRecord {
  let rec: CommitRecord & { recordCrc32?: number };
  try {
    rec = JSON.parse(text);
  } catch (err) {
    throw new GalleryCorruptError(dir, `${COMMIT} is not JSON`, { cause: err });
  }
  const bad = (why: string) => new GalleryCorruptError(dir, `${COMMIT}: ${why}`);
  if (rec?.formatVersion !== 1 && rec?.formatVersion !== 2)
    throw bad(`unsupported formatVersion ${JSON.stringify(rec?.formatVersion)}`);
  if (rec.formatVersion === 2) {
    const at = text.lastIndexOf(SELF);
    const body = `${text.slice(0, at)}\n}`;
    if (at < 0 || text !== `${body.slice(0, -2)}${SELF}${crc32(body)}\n}\n`)
      throw bad('checksum mismatch (the file was changed or damaged)');
    delete rec.recordCrc32;
  }
  const isCount = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  if (!isCount(rec.generation) || !isCount(rec.rows) || !Array.isArray(rec.replacing)) throw bad('bad fields');
  for (const f of DATA_FILES) {
    const e = rec.files?.[f];
    if (!isCount(e?.bytes) || !isCount(e.epoch) || (rec.formatVersion === 2 && !isCount(e.crc32)))
      throw bad(`bad entry for ${f}`);
  }
  if (rec.formatVersion === 2 && !isCount(rec.manifest?.crc32)) throw bad(`bad entry for ${MANIFEST}`);
  for (const f of rec.replacing) if (!DATA_FILES.includes(f)) throw bad(`lists unknown file ${String(f)}`);
  return rec;
}

/** The checksum `commit.json` keeps of a manifest: CRC-32 of its fields in a fixed order, `preprocess` left out. */
export function manifestCrc(m: GalleryManifest): number {
  return crc32(JSON.stringify([m.formatVersion, m.dimension, m.modelId, m.defaultThreshold]));
}

/** CRC-32 of `bytes`, continuing from `previous` (the CRC-32 of the bytes before them). */
export function crcOf(bytes: Uint8Array | readonly Uint8Array[], previous = 0): number {
  let c = previous;
  for (const part of bytes instanceof Uint8Array ? [bytes] : bytes) c = crc32(part, c);
  return c;
}

/** Bytes of the float32 rows `[from, to)` of `m`, little-endian (a view, no copy, on little-endian machines). */
export function rowBytes(m: GalleryMatrix, from: number, to: number): Uint8Array {
  const D = m.dimension;
  const view = m.data.subarray(from * D, to * D);
  if (LITTLE_ENDIAN) return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const out = new Uint8Array(view.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < view.length; i++) dv.setFloat32(i * 4, view[i], true);
  return out;
}

/** CSV data lines (no header) of `rows`. */
function csvLines<C extends string>(rows: readonly Record<C, string | number>[], columns: readonly C[]): string {
  const text = formatCsv(rows, columns);
  return text.slice(text.indexOf('\n') + 1);
}

/** `index.csv` lines of rows `[from, to)`. */
export function indexLines(m: GalleryMatrix, from: number, to: number): string {
  const rows = [];
  for (let r = from; r < to; r++) rows.push({ image: m.imageIds[r], category: m.identityOf[r] });
  return csvLines(rows, ['image', 'category']);
}

/** `identities.csv` lines of the given identity numbers (default: every identity with rows). */
export function identityLines(m: GalleryMatrix, numbers?: readonly number[]): string {
  const rows = [];
  for (const c of numbers ?? m.names.map((_, c) => c)) {
    const name = m.names[c];
    if (name !== undefined && (numbers !== undefined || m.rowCount[c] > 0)) rows.push({ category: c, name });
  }
  return csvLines(rows, ['category', 'name']);
}

/** The whole content of a data file for the state `m`, as parts to write in order. */
export function fileContent(m: GalleryMatrix, file: GalleryDataFile): Uint8Array[] {
  const enc = new TextEncoder();
  switch (file) {
    case 'embeddings.npy':
      return [encodeNpyHeader([m.rows, m.dimension], NPY_HEADER_ROOM), rowBytes(m, 0, m.rows)];
    case 'index.csv':
      return [enc.encode(`image,category\n${indexLines(m, 0, m.rows)}`)];
    case 'identities.csv':
      return [enc.encode(`category,name\n${identityLines(m)}`)];
    case 'excluded-images.csv': {
      const ids = [...m.excluded].sort().map((image) => ({ image }));
      return [enc.encode(formatCsv(ids, ['image']))];
    }
  }
}
