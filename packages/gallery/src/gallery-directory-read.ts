import { constants as fsc, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GalleryCorruptError, decodeNpyHeader, decodeUtf8Text, EolgulError, parseCsv } from '@eolgul/core';
import { fileSystemError } from '@eolgul/core/node';
import {
  COMMIT,
  type CommitRecord,
  DATA_FILES,
  type GalleryDataFile,
  LITTLE_ENDIAN,
  MANIFEST,
  crcOf,
  decodeCommit,
  manifestCrc,
} from './gallery-directory-format.js';
import { checkStoredManifest } from './gallery-manifest.js';
import { GalleryMatrix } from './gallery-matrix.js';
import type { GalleryManifest } from './gallery-types.js';

/**
 * Reading a gallery directory without its lock (Node-only): a consistent snapshot through `commit.json`. Each data
 * file is read up to its committed length (a writer only ever appends past it, or replaces the file by renaming a new
 * one over it, which does not change an open handle), checked against its checksum, and the files are checked
 * against each other. A snapshot that fails while `commit.json` changed under it (a concurrent commit) is read again.
 * @module
 */

/** What a directory holds, as read. */
export interface DirectoryState {
  commit: CommitRecord;
  manifest: GalleryManifest;
  /** The manifest's checksum and each data file's CRC-32 of its committed bytes (the npy's data part), as read. */
  crcs: Record<GalleryDataFile | 'manifest.json', number>;
  /** Bytes of the npy file's preamble + header. */
  npyHeaderLength: number;
  matrix: GalleryMatrix;
}

const READ_CHUNK = 1 << 28;

async function readExactly(handle: fs.FileHandle, into: Uint8Array, position: number): Promise<boolean> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await handle.read(into, done, Math.min(READ_CHUNK, into.length - done), position + done);
    if (bytesRead === 0) return false;
    done += bytesRead;
  }
  return true;
}

class Reader {
  constructor(
    readonly dir: string,
    readonly commit: CommitRecord,
  ) {}

  corrupt(file: string, reason: string, cause?: unknown): GalleryCorruptError {
    return new GalleryCorruptError(this.dir, `${file}: ${reason}`, cause === undefined ? undefined : { cause });
  }

  /** Opens the committed version of a data file: its `.next` while a commit is replacing it. */
  async open(f: GalleryDataFile): Promise<fs.FileHandle> {
    const names = this.commit.replacing.includes(f) ? [`${f}.next`, f] : [f];
    for (const name of names) {
      const handle = await openRegularFile(this.dir, name);
      if (handle) return handle;
    }
    throw this.corrupt(f, 'the file is missing');
  }

  /** The committed bytes `[from, bytes)` of a text file, checked (format 2) and decoded. */
  async text(f: GalleryDataFile, from = 0, previousCrc = 0): Promise<{ text: string; crc: number }> {
    const handle = await this.open(f);
    try {
      const buf = new Uint8Array(Math.max(0, this.commit.files[f].bytes - from));
      if (!(await readExactly(handle, buf, from))) throw this.corrupt(f, 'shorter than its committed length');
      const crc = crcOf(buf, previousCrc);
      this.checkCrc(f, crc);
      try {
        return { text: decodeUtf8Text(buf, f), crc };
      } catch (err) {
        throw this.corrupt(f, 'not valid UTF-8', err);
      }
    } finally {
      await handle.close();
    }
  }

  checkCrc(f: GalleryDataFile, crc: number): void {
    const want = this.commit.files[f].crc32;
    if (want !== undefined && want !== crc)
      throw this.corrupt(f, `checksum mismatch (the file was changed or damaged)`);
  }

  csv<C extends string>(f: GalleryDataFile, text: string, columns: readonly C[]): Record<C, string>[] {
    try {
      return parseCsv(text, columns, f, { unescapeFormulas: this.commit.formatVersion === 2 });
    } catch (err) {
      throw this.corrupt(f, (err as Error).message.replace(/^bad CSV [^:]*: /, ''), err);
    }
  }

  /** Reads rows `[from, commit.rows)` of `embeddings.npy` into `m`; returns the CRC of the data and the header length. */
  async rows(m: GalleryMatrix, from: number, previousCrc = 0): Promise<{ crc: number; headerLength: number }> {
    const f = 'embeddings.npy';
    const D = m.dimension;
    const N = this.commit.rows;
    const handle = await this.open(f);
    try {
      const head = new Uint8Array(Math.min(this.commit.files[f].bytes, 4096));
      if (!(await readExactly(handle, head, 0))) throw this.corrupt(f, 'shorter than its committed length');
      let header: ReturnType<typeof decodeNpyHeader>;
      try {
        header = decodeNpyHeader(head, f);
      } catch (err) {
        throw this.corrupt(f, (err as Error).message.replace(/^bad NPY [^:]*: /, ''), err);
      }
      const { headerLength, shape, dtype } = header;
      if (dtype !== 'f4' || shape.length !== 2 || shape[1] !== D)
        throw this.corrupt(f, `expected a float32 [N, ${D}] array, the header says ${dtype} (${shape.join(', ')})`);
      const want = headerLength + N * D * 4;
      if (this.commit.files[f].bytes !== want)
        throw this.corrupt(f, `${COMMIT} says ${this.commit.files[f].bytes} bytes for ${N} rows, expected ${want}`);
      const { size } = await handle.stat();
      if (size < want) throw this.corrupt(f, `the file has ${size} bytes, ${want} are committed`);
      // Appends raise the header's row count before they commit, never past the rows written.
      if (shape[0] < N || headerLength + shape[0] * D * 4 > size)
        throw this.corrupt(
          f,
          `the header says ${shape[0]} rows; ${N} are committed and ${Math.floor((size - headerLength) / (4 * D))} written`,
        );
      m.ensureCapacity(N);
      const target = m.data.subarray(from * D, N * D);
      const bytes = new Uint8Array(target.buffer, target.byteOffset, target.byteLength);
      if (!(await readExactly(handle, bytes, headerLength + from * D * 4)))
        throw this.corrupt(f, 'shorter than its committed length');
      const crc = crcOf(bytes, previousCrc);
      if (!LITTLE_ENDIAN) {
        const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        for (let i = 0; i < target.length; i++) target[i] = dv.getFloat32(i * 4, true);
      }
      for (let r = from; r < N; r++) {
        let s = 0;
        for (let j = r * D, e = j + D; j < e; j++) s += m.data[j] * m.data[j];
        if (!(s > 0 && Number.isFinite(s)))
          throw this.corrupt(f, `row ${r} of embeddings.npy is not finite or has zero norm`);
        m.sqNorms[r] = s;
      }
      this.checkCrc(f, crc);
      return { crc, headerLength };
    } finally {
      await handle.close();
    }
  }

  names(m: GalleryMatrix, text: string): void {
    const f = 'identities.csv';
    for (const [i, { category, name }] of this.csv(f, text, ['category', 'name']).entries()) {
      const c = Number(category);
      if (!/^\d+$/.test(category) || !Number.isSafeInteger(c))
        throw this.corrupt(f, `line ${i + 2}: bad category ${JSON.stringify(category)}`);
      if (m.names[c] !== undefined) throw this.corrupt(f, `line ${i + 2}: category ${c} appears twice`);
      if (name.length === 0 || m.numberOfName.has(name))
        throw this.corrupt(f, `line ${i + 2}: name ${JSON.stringify(name)} is empty or appears twice`);
      m.setIdentity(c, name);
    }
  }

  index(m: GalleryMatrix, text: string, from: number): void {
    const f = 'index.csv';
    const rows = this.csv(f, from === 0 ? text : `image,category\n${text}`, ['image', 'category']);
    if (from + rows.length !== this.commit.rows)
      throw this.corrupt(f, `${from + rows.length} rows, but ${COMMIT} and embeddings.npy have ${this.commit.rows}`);
    rows.forEach(({ image, category }, i) => {
      const r = from + i;
      const c = Number(category);
      if (!/^\d+$/.test(category) || m.names[c] === undefined)
        throw this.corrupt(f, `line ${r + 2}: category ${JSON.stringify(category)} is not in identities.csv`);
      if (image.length === 0 || m.rowOfImage.has(image))
        throw this.corrupt(f, `line ${r + 2}: image id ${JSON.stringify(image)} is empty or repeated`);
      m.identityOf[r] = c;
      m.imageIds[r] = image;
      m.rowOfImage.set(image, r);
      m.rowCount[c]++;
    });
    m.rows = this.commit.rows;
    m.version++;
  }

  exclusions(m: GalleryMatrix, text: string): void {
    const f = 'excluded-images.csv';
    const ids = this.csv(f, text, ['image']).map((r) => r.image);
    for (const id of ids)
      if (!m.rowOfImage.has(id)) throw this.corrupt(f, `image ${JSON.stringify(id)} is not enrolled`);
    m.setExcluded(ids);
  }
}

/**
 * Opens a gallery file for reading, or resolves to undefined when it is missing. Only a regular file in the folder
 * itself is read: a symbolic link (which could point outside the gallery), a FIFO (whose read would wait forever), a
 * folder or a device in its place is damage.
 * @throws {GalleryCorruptError} not a regular file. @throws {PermissionDeniedError} @throws {FileSystemError} unreadable.
 */
export async function openRegularFile(dir: string, name: string): Promise<fs.FileHandle | undefined> {
  const file = path.join(dir, name);
  let handle: fs.FileHandle;
  try {
    // O_NOFOLLOW: a link is refused, not followed; O_NONBLOCK: opening a FIFO does not wait for a writer.
    handle = await fs.open(file, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new GalleryCorruptError(dir, `${name}: is a symbolic link, not a file`, { cause: err });
    throw fileSystemError(err, file, 'read');
  }
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    const what = stat.isDirectory() ? 'a folder' : stat.isFIFO() ? 'a FIFO' : 'not a regular file';
    throw new GalleryCorruptError(dir, `${name}: is ${what}, not a file`);
  }
  return handle;
}

async function readSmall(dir: string, name: string): Promise<Uint8Array> {
  const handle = await openRegularFile(dir, name);
  if (!handle) throw new GalleryCorruptError(dir, `${name}: the file is missing`);
  try {
    return await handle.readFile();
  } catch (err) {
    throw fileSystemError(err, path.join(dir, name), 'read');
  } finally {
    await handle.close();
  }
}

/** Reads and checks `manifest.json` (against its checksum in `commit`, when it has one). */
async function readManifest(dir: string, commit: CommitRecord): Promise<{ manifest: GalleryManifest; crc: number }> {
  const bytes = await readSmall(dir, MANIFEST);
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeUtf8Text(bytes, MANIFEST));
  } catch (err) {
    throw new GalleryCorruptError(dir, `${MANIFEST}: not JSON`, { cause: err });
  }
  const manifest = checkStoredManifest(parsed, dir, MANIFEST);
  const crc = manifestCrc(manifest);
  if (commit.manifest && commit.manifest.crc32 !== crc)
    throw new GalleryCorruptError(dir, `${MANIFEST}: checksum mismatch (the file was changed or damaged)`);
  return { manifest, crc };
}

/** Reads and checks `commit.json`; also returns its text, to tell whether a later read saw the same commit. */
export async function readCommit(dir: string): Promise<{ commit: CommitRecord; text: string }> {
  const bytes = await readSmall(dir, COMMIT);
  let text: string;
  try {
    text = decodeUtf8Text(bytes, COMMIT);
  } catch (err) {
    throw new GalleryCorruptError(dir, `${COMMIT}: not valid UTF-8`, { cause: err });
  }
  return { commit: decodeCommit(text, dir), text };
}

/** Reads the whole committed state once (see {@link readDirectory}). */
async function readOnce(dir: string, commit: CommitRecord): Promise<DirectoryState> {
  const { manifest, crc: manifestChecksum } = await readManifest(dir, commit);
  const r = new Reader(dir, commit);
  const m = new GalleryMatrix(manifest.dimension, Math.max(16, commit.rows));
  const { crc: npyCrc, headerLength } = await r.rows(m, 0);
  const identities = await r.text('identities.csv');
  r.names(m, identities.text);
  const index = await r.text('index.csv');
  r.index(m, index.text, 0);
  const excluded = await r.text('excluded-images.csv');
  r.exclusions(m, excluded.text);
  const crcs = {
    'manifest.json': manifestChecksum,
    'embeddings.npy': npyCrc,
    'identities.csv': identities.crc,
    'index.csv': index.crc,
    'excluded-images.csv': excluded.crc,
  };
  return { commit, manifest, crcs, npyHeaderLength: headerLength, matrix: m };
}

/**
 * Reads a consistent snapshot of a gallery directory without its lock.
 * @throws {GalleryCorruptError} a missing, damaged or inconsistent file (the reason names it).
 * @throws {PermissionDeniedError} @throws {FileSystemError} a file that cannot be read (names the path).
 */
export async function readDirectory(dir: string): Promise<DirectoryState> {
  let sameCommitFailures = 0;
  for (let attempt = 0; ; attempt++) {
    const { commit, text } = await readCommit(dir);
    try {
      return await readOnce(dir, commit);
    } catch (err) {
      if (!(err instanceof GalleryCorruptError) || attempt >= 8) throw err;
      // A commit that landed while we read explains the failure: read again. Otherwise retry once (a torn read of
      // the npy header while a writer rewrote it), then believe it.
      const again = await readCommit(dir).catch(() => undefined);
      if (again?.text === text && ++sameCommitFailures > 1) throw err;
    }
  }
}

/**
 * Brings `state` up to the commit `next` by reading only what was appended since (the embeddings, index and
 * identities files were not replaced and N did not shrink). The appended bytes are checked by extending the
 * checksums read so far.
 * @returns the new state (its matrix is `state.matrix`, updated in place), or `undefined` when only a full read will do.
 */
export async function readAppended(
  dir: string,
  state: DirectoryState,
  next: CommitRecord,
): Promise<DirectoryState | undefined> {
  const old = state.commit;
  const appendOnly =
    next.formatVersion === old.formatVersion &&
    next.replacing.length === 0 &&
    next.rows >= old.rows &&
    state.matrix.rows === old.rows &&
    (['embeddings.npy', 'index.csv', 'identities.csv'] as const).every(
      (f) => next.files[f].epoch === old.files[f].epoch,
    );
  if (!appendOnly) return undefined;
  const r = new Reader(dir, next);
  const m = state.matrix;
  try {
    const { crc: npyCrc, headerLength } = await r.rows(m, old.rows, state.crcs['embeddings.npy']);
    const ids = await r.text('identities.csv', old.files['identities.csv'].bytes, state.crcs['identities.csv']);
    r.names(m, `category,name\n${ids.text}`);
    const index = await r.text('index.csv', old.files['index.csv'].bytes, state.crcs['index.csv']);
    r.index(m, index.text, old.rows);
    const excluded = await r.text('excluded-images.csv');
    r.exclusions(m, excluded.text);
    const crcs = {
      ...state.crcs,
      'embeddings.npy': npyCrc,
      'identities.csv': ids.crc,
      'index.csv': index.crc,
      'excluded-images.csv': excluded.crc,
    };
    return { commit: next, manifest: state.manifest, crcs, npyHeaderLength: headerLength, matrix: m };
  } catch (err) {
    if (err instanceof EolgulError && !(err instanceof GalleryCorruptError)) throw err;
    return undefined; // the caller reads everything again, which reports the damage if it is real
  }
}

export { DATA_FILES };
