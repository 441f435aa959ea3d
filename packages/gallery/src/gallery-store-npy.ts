import { promises as fs, constants as fsc } from 'node:fs';
import * as path from 'node:path';
import { endianness, hostname } from 'node:os';
import lockfile from 'proper-lockfile';
import {
  GalleryCorruptError,
  GalleryLockedError,
  GalleryMismatchError,
  InvalidArgumentError,
  encodeNpyHeader,
  formatCsv,
  fsyncDir,
  parseCsv,
  writeFileAtomic,
  EolgulError,
} from '@eolgul/core';
import { GalleryMatrix } from './gallery-matrix.js';
import type { GalleryManifest } from './gallery-types.js';

/**
 * The embedded default storage: a gallery directory of plain files that numpy, pandas and a spreadsheet can read.
 *
 * | file | content |
 * | --- | --- |
 * | `manifest.json` | {@link GalleryManifest}: format version, D, model id, preprocessing, default threshold |
 * | `embeddings.npy` | float32 `[N, D]`, C order, NPY 1.0, header padded to ≥ 128 bytes so N can grow in place |
 * | `index.csv` | `image,category`, one line per row of `embeddings.npy` (the seed project's layout) |
 * | `identities.csv` | `category,name`: the identity name of each category number |
 * | `excluded-images.csv` | `image`: images left out of every search ("that is not me", undoable) |
 * | `commit.json` | the commit record: generation, N, the committed byte length and epoch of each file above |
 *
 * ## Crash safety
 * Every change is a transaction under the directory's write lock (proper-lockfile, `.write.lock`), and the atomic
 * replacement of `commit.json` (temp file, fsync, rename, fsync directory) is its single commit point. Readers use
 * only the first `files[f].bytes` bytes of each file, so bytes past the committed length do not exist for them.
 *
 * **Append path** (enroll): the three append-only files (`embeddings.npy`, `index.csv`, `identities.csv`) are truncated to
 * their committed length (dropping the tail of an earlier crashed append), the new rows are written after it and
 * fsynced; then `commit.json` is replaced with the new lengths; then the NPY header's shape is rewritten in place (same
 * length, reserved room). A crash before the commit leaves uncommitted tail bytes that readers ignore and the next
 * writer truncates: the old state. A crash after it leaves the new state; at worst the NPY header still says the old
 * N, which readers do not trust (N comes from `commit.json`) and the next writer corrects. Adding one person to a
 * gallery of 1e6 rows therefore writes only that person's rows and lines, never the 2 GB file.
 *
 * **Replace path** (remove, rename, merge, exclusions): each new file is written in full to `<file>.next` and fsynced;
 * then `commit.json` is replaced with the new lengths and `replacing: [files]`; then each `.next` is renamed over its
 * file and the directory fsynced; then `commit.json` is replaced again with `replacing: []`. Opening (under the lock)
 * finishes an interrupted commit: a listed file whose `.next` still exists is renamed (roll forward); unlisted `.next`
 * files were never committed and are deleted (roll back). Either way the gallery opens in its old or its new state.
 *
 * Files are created with mode 0600 and a created directory with 0700: they are biometric data. Identity names and
 * image ids are only ever CSV field values, never parts of a path.
 * @module
 */

/** Names of the files of a gallery directory whose content is committed by `commit.json`. */
export type GalleryDataFile = 'embeddings.npy' | 'index.csv' | 'identities.csv' | 'excluded-images.csv';

const DATA_FILES: readonly GalleryDataFile[] = ['embeddings.npy', 'index.csv', 'identities.csv', 'excluded-images.csv'];
const MANIFEST = 'manifest.json';
const COMMIT = 'commit.json';
const LOCK = '.write.lock';
/** Bytes reserved for the NPY preamble + header, enough for any shape N ≤ 1e15. */
const NPY_HEADER_ROOM = 128;
const LITTLE_ENDIAN = endianness() === 'LE';
const READ_CHUNK = 1 << 28;

/** The commit record, `commit.json`. */
interface CommitRecord {
  formatVersion: 1;
  /** Incremented by every committed change. */
  generation: number;
  /** Committed number of rows N. */
  rows: number;
  /** Committed byte length of each data file and the generation at which it was last replaced whole. */
  files: Record<GalleryDataFile, { bytes: number; epoch: number }>;
  /** Files whose `<file>.next` replaces them in this commit (non-empty only between the two commit writes). */
  replacing: GalleryDataFile[];
}

/** Options of the directory backend. */
export interface DirectoryStoreOptions {
  /** How long to wait for another writer's lock before {@link GalleryLockedError}, in ms. Default 30000. */
  lockTimeoutMs?: number;
  /**
   * Age in ms after which a lock whose owner stopped refreshing it (e.g. a killed process) is taken over.
   * Default 10000 (proper-lockfile's default); minimum 2000.
   */
  lockStaleMs?: number;
}

/** What a transaction wrote, described on the new in-memory state. */
export type DirectoryChange =
  /** Rows `[fromRow, matrix.rows)` were appended; categories `newCats` were created for them. */
  | { kind: 'append'; fromRow: number; newCats: readonly number[] }
  /** These files are rewritten whole from the new state. */
  | { kind: 'replace'; files: readonly GalleryDataFile[] };

/**
 * Points of a transaction where the durability test kills the process (fault injection): set the environment
 * variable `EOLGUL_GALLERY_CRASH_AT` to one of these in a test child process. Unset in normal use (one string compare).
 */
export type GalleryCrashPoint =
  | 'append-before-commit'
  | 'append-after-commit'
  | 'replace-before-commit'
  | 'replace-after-commit'
  | 'replace-after-rename';

function crashPoint(point: GalleryCrashPoint): void {
  if (typeof process !== 'undefined' && process.env.EOLGUL_GALLERY_CRASH_AT === point)
    process.kill(process.pid, 'SIGKILL');
}

function corrupt(dir: string, reason: string, cause?: unknown): GalleryCorruptError {
  return new GalleryCorruptError(dir, reason, cause === undefined ? undefined : { cause });
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Parses the preamble + header of an NPY file (the part `decodeNpy` in core reads), without the data. */
export function parseNpyHeader(head: Uint8Array, file: string): { headerLength: number; shape: number[] } {
  const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (head.length < 10 || MAGIC.some((b, i) => head[i] !== b)) throw new Error(`${file}: not an NPY file`);
  const major = head[6];
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const headerLength = major === 1 ? 10 + view.getUint16(8, true) : 12 + view.getUint32(8, true);
  if (headerLength > head.length) throw new Error(`${file}: header longer than ${head.length} bytes`);
  const text = new TextDecoder('latin1').decode(head.subarray(major === 1 ? 10 : 12, headerLength));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr !== '<f4' || fortran !== 'False' || shapeText === undefined) {
    throw new Error(`${file}: expected a little-endian float32 C-order array, header is ${text.trim()}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.length !== 2 || shape.some((n) => !Number.isSafeInteger(n) || n < 0)) {
    throw new Error(`${file}: expected a 2-D shape, got (${shapeText})`);
  }
  return { headerLength, shape };
}

/** Formats CSV data lines (no header). */
function csvLines<C extends string>(rows: readonly Record<C, string | number>[], columns: readonly C[]): string {
  if (rows.length === 0) return '';
  const text = formatCsv(rows, columns);
  return text.slice(text.indexOf('\n') + 1);
}

function indexRows(m: GalleryMatrix, from: number, to: number): { image: string; category: number }[] {
  const out = [];
  for (let r = from; r < to; r++) out.push({ image: m.imageIds[r], category: m.cats[r] });
  return out;
}

function identityRows(m: GalleryMatrix, cats?: readonly number[]): { category: number; name: string }[] {
  const list = cats ?? m.names.map((_, c) => c);
  const out = [];
  for (const c of list) {
    const name = m.names[c];
    if (name !== undefined && (cats !== undefined || m.catRows[c] > 0)) out.push({ category: c, name });
  }
  return out;
}

/** Bytes of the float32 rows `[from, to)` of `m`, little-endian (a view, no copy, on little-endian machines). */
function rowBytes(m: GalleryMatrix, from: number, to: number): Uint8Array {
  const D = m.dimension;
  const view = m.data.subarray(from * D, to * D);
  if (LITTLE_ENDIAN) return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const out = new Uint8Array(view.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < view.length; i++) dv.setFloat32(i * 4, view[i], true);
  return out;
}

/** Content of each data file for the state `m`. */
function fileContent(m: GalleryMatrix, file: GalleryDataFile): Uint8Array[] {
  const enc = new TextEncoder();
  switch (file) {
    case 'embeddings.npy':
      return [encodeNpyHeader([m.rows, m.dimension], NPY_HEADER_ROOM), rowBytes(m, 0, m.rows)];
    case 'index.csv':
      return [enc.encode(formatCsv(indexRows(m, 0, m.rows), ['image', 'category']) || 'image,category\n')];
    case 'identities.csv':
      return [enc.encode(formatCsv(identityRows(m), ['category', 'name']) || 'category,name\n')];
    case 'excluded-images.csv':
      return [
        enc.encode(
          formatCsv(
            [...m.excluded].sort().map((image) => ({ image })),
            ['image'],
          ) || 'image\n',
        ),
      ];
  }
}

async function writeAll(handle: fs.FileHandle, parts: readonly Uint8Array[], position: number): Promise<number> {
  let pos = position;
  for (const part of parts) {
    for (let off = 0; off < part.length; off += READ_CHUNK) {
      const chunk = part.subarray(off, Math.min(part.length, off + READ_CHUNK));
      let done = 0;
      while (done < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, pos);
        done += bytesWritten;
        pos += bytesWritten;
      }
    }
  }
  return pos - position;
}

async function readExactly(handle: fs.FileHandle, into: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const n = Math.min(READ_CHUNK, into.length - done);
    const { bytesRead } = await handle.read(into, done, n, position + done);
    if (bytesRead === 0) throw new Error('unexpected end of file');
    done += bytesRead;
  }
}

/**
 * A gallery directory: loads it into a {@link GalleryMatrix} and commits changes to it. Used by {@link Gallery.open};
 * not exported from the package.
 */
export class DirectoryBackend {
  private commit!: CommitRecord;
  private npyHeaderLength = NPY_HEADER_ROOM;
  private compromised: Error | undefined;
  private readonly lockTimeoutMs: number;
  private readonly lockStaleMs: number;

  private constructor(
    readonly dir: string,
    readonly manifest: GalleryManifest,
    options: DirectoryStoreOptions,
  ) {
    this.lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
    this.lockStaleMs = Math.max(2000, options.lockStaleMs ?? 10_000);
  }

  /**
   * Opens (or creates) the gallery directory `dir` and loads it.
   * @throws {GalleryMismatchError} the stored D, model id or preprocessing differs from the one requested (names the field).
   * @throws {GalleryCorruptError} missing or inconsistent files. @throws {GalleryLockedError} lock not obtained in time.
   */
  static async open(
    dir: string,
    request: { create?: boolean; dimension?: number; modelId?: string; preprocess?: string; defaultThreshold?: number },
    options: DirectoryStoreOptions & { defaultThreshold: number },
  ): Promise<{ backend: DirectoryBackend; matrix: GalleryMatrix }> {
    const abs = path.resolve(dir);
    if (request.create) await fs.mkdir(abs, { recursive: true, mode: 0o700 });
    else if (!(await exists(path.join(abs, MANIFEST)))) {
      throw corrupt(abs, `no ${MANIFEST}: not a gallery directory (pass create: true to make one)`);
    }
    const probe = new DirectoryBackend(abs, undefined as unknown as GalleryManifest, options);
    return probe.withLock(async () => {
      let manifest: GalleryManifest;
      if (!(await exists(path.join(abs, MANIFEST)))) {
        if (!request.create) throw corrupt(abs, `no ${MANIFEST}`);
        if (!Number.isInteger(request.dimension) || (request.dimension as number) <= 0) {
          throw new InvalidArgumentError('creating a gallery needs a positive integer dimension');
        }
        if (typeof request.modelId !== 'string' || request.modelId.length === 0) {
          throw new InvalidArgumentError('creating a gallery needs a modelId');
        }
        manifest = {
          formatVersion: 1,
          dimension: request.dimension as number,
          modelId: request.modelId,
          ...(request.preprocess !== undefined ? { preprocess: request.preprocess } : {}),
          defaultThreshold: options.defaultThreshold,
        };
        const backend = new DirectoryBackend(abs, manifest, options);
        await backend.initialise();
        return { backend, matrix: new GalleryMatrix(manifest.dimension) };
      }
      manifest = await readManifest(abs);
      const checks: [keyof GalleryManifest, unknown][] = [
        ['dimension', request.dimension],
        ['modelId', request.modelId],
        ['preprocess', request.preprocess],
      ];
      for (const [field, want] of checks) {
        if (want !== undefined && manifest[field] !== undefined && want !== manifest[field]) {
          throw new GalleryMismatchError(field, manifest[field], want);
        }
      }
      const backend = new DirectoryBackend(abs, manifest, options);
      const matrix = await backend.load();
      return { backend, matrix };
    });
  }

  private file(name: string): string {
    return path.join(this.dir, name);
  }

  /**
   * Runs `fn` holding the directory's write lock (waiting up to `lockTimeoutMs`). The lock is proper-lockfile's
   * `.write.lock` directory, refreshed while held; the holder's pid and host are written beside it to
   * `.write.lock.owner` (removed before release), so
   * that a waiter on the same host can take over at once from a holder that died (SIGKILL, power cut of a container)
   * instead of waiting `lockStaleMs`.
   */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.lockTimeoutMs;
    const lockPath = this.file(LOCK);
    let release: (() => Promise<void>) | undefined;
    let lastErr: unknown;
    this.compromised = undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        release = await lockfile.lock(this.dir, {
          lockfilePath: lockPath,
          realpath: false,
          stale: this.lockStaleMs,
          retries: 0,
          onCompromised: (err) => {
            this.compromised = err;
          },
        });
        await fs.writeFile(`${lockPath}.owner`, JSON.stringify({ pid: process.pid, host: hostname() }), {
          mode: 0o600,
        });
        break;
      } catch (err) {
        lastErr = err;
        if ((err as { code?: string }).code !== 'ELOCKED') {
          if (release) await release().catch(() => undefined);
          throw new GalleryLockedError(this.dir, { cause: err });
        }
        if (await this.removeLockOfDeadOwner(lockPath)) continue;
        if (Date.now() >= deadline) throw new GalleryLockedError(this.dir, { cause: lastErr });
        await sleep(Math.min(200, 10 + attempt * 10) * (0.5 + Math.random()));
      }
    }
    try {
      return await fn();
    } finally {
      await fs.rm(`${lockPath}.owner`, { force: true }).catch(() => undefined);
      await release().catch(() => undefined);
    }
  }

  /** Removes the lock when its owner file names a process of this host that no longer exists. */
  private async removeLockOfDeadOwner(lockPath: string): Promise<boolean> {
    const ownerFile = `${lockPath}.owner`;
    const read = async () => {
      try {
        return JSON.parse(await fs.readFile(ownerFile, 'utf8')) as { pid: number; host: string };
      } catch {
        return undefined;
      }
    };
    const owner = await read();
    if (!owner || owner.host !== hostname() || !Number.isInteger(owner.pid) || owner.pid === process.pid) return false;
    try {
      process.kill(owner.pid, 0);
      return false; // alive (or a reused pid: then the mtime-based stale check applies)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') return false;
    }
    // Re-read just before removing, to narrow the window in which another waiter took the lock over meanwhile.
    const again = await read();
    if (again?.pid !== owner.pid) return false;
    await fs.rm(ownerFile, { force: true });
    await fs.rm(lockPath, { recursive: true, force: true });
    return true;
  }

  private checkLock(): void {
    if (this.compromised) throw new GalleryLockedError(this.dir, { cause: this.compromised });
  }

  /** Writes an empty gallery: data files, then the commit record, then the manifest (its presence marks a gallery). */
  private async initialise(): Promise<void> {
    const empty = new GalleryMatrix(this.manifest.dimension);
    const files = {} as CommitRecord['files'];
    for (const f of DATA_FILES) {
      const parts = fileContent(empty, f);
      const bytes = concat(parts);
      await writeFileAtomic(this.file(f), bytes);
      files[f] = { bytes: bytes.length, epoch: 1 };
    }
    this.npyHeaderLength = NPY_HEADER_ROOM;
    this.commit = { formatVersion: 1, generation: 1, rows: 0, files, replacing: [] };
    await writeFileAtomic(this.file(COMMIT), `${JSON.stringify(this.commit, null, 1)}\n`);
    await writeFileAtomic(this.file(MANIFEST), `${JSON.stringify(this.manifest, null, 2)}\n`);
  }

  /** Reads `commit.json`; finishes or rolls back an interrupted commit. Call under the lock. */
  private async recover(): Promise<CommitRecord> {
    let rec: CommitRecord;
    try {
      rec = JSON.parse(await fs.readFile(this.file(COMMIT), 'utf8')) as CommitRecord;
    } catch (err) {
      throw corrupt(this.dir, `${COMMIT} is missing or unreadable`, err);
    }
    if (
      rec?.formatVersion !== 1 ||
      !Number.isSafeInteger(rec.generation) ||
      !Number.isSafeInteger(rec.rows) ||
      rec.rows < 0 ||
      !Array.isArray(rec.replacing) ||
      DATA_FILES.some((f) => !Number.isSafeInteger(rec.files?.[f]?.bytes) || !Number.isSafeInteger(rec.files[f].epoch))
    ) {
      throw corrupt(this.dir, `${COMMIT} does not have the expected fields`);
    }
    if (rec.replacing.length > 0) {
      for (const f of rec.replacing) {
        if (!DATA_FILES.includes(f)) throw corrupt(this.dir, `${COMMIT} lists unknown file ${f}`);
        if (await exists(this.file(`${f}.next`))) await fs.rename(this.file(`${f}.next`), this.file(f));
      }
      await fsyncDir(this.dir);
      rec = { ...rec, replacing: [] };
      await writeFileAtomic(this.file(COMMIT), `${JSON.stringify(rec, null, 1)}\n`);
    }
    for (const name of await fs.readdir(this.dir)) {
      const stray =
        (name.endsWith('.next') && DATA_FILES.includes(name.slice(0, -5) as GalleryDataFile)) ||
        (/^\..*\.\d+\.[0-9a-f]{12}\.tmp$/.test(name) &&
          [...DATA_FILES, COMMIT, MANIFEST].some((f) => name.startsWith(`.${f}.`)));
      if (stray) await fs.rm(this.file(name), { force: true });
    }
    return rec;
  }

  /** Loads the whole committed state. Call under the lock. */
  async load(): Promise<GalleryMatrix> {
    const rec = await this.recover();
    const D = this.manifest.dimension;
    const m = new GalleryMatrix(D, Math.max(16, rec.rows));
    await this.readRows(m, rec, 0);
    await this.readNames(m, rec);
    await this.readIndex(m, rec, 0, 0);
    await this.readExclusions(m, rec);
    this.commit = rec;
    return m;
  }

  /** Reads rows `[from, rec.rows)` of `embeddings.npy` into `m` (appending; categories set later by the index). */
  private async readRows(m: GalleryMatrix, rec: CommitRecord, from: number): Promise<void> {
    const D = this.manifest.dimension;
    const file = this.file('embeddings.npy');
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'r');
    } catch (err) {
      throw corrupt(this.dir, 'embeddings.npy is missing', err);
    }
    try {
      const head = new Uint8Array(Math.min(rec.files['embeddings.npy'].bytes, 4096));
      await readExactly(handle, head, 0).catch((err) => {
        throw corrupt(this.dir, 'embeddings.npy is shorter than its committed length', err);
      });
      let header: { headerLength: number; shape: number[] };
      try {
        header = parseNpyHeader(head, 'embeddings.npy');
      } catch (err) {
        throw corrupt(this.dir, (err as Error).message, err);
      }
      if (header.shape[1] !== D) {
        throw corrupt(this.dir, `embeddings.npy has rows of ${header.shape[1]} values, the manifest says D = ${D}`);
      }
      const want = header.headerLength + rec.rows * D * 4;
      if (rec.files['embeddings.npy'].bytes !== want) {
        throw corrupt(
          this.dir,
          `${COMMIT} says ${rec.files['embeddings.npy'].bytes} bytes for ${rec.rows} rows, expected ${want}`,
        );
      }
      const { size } = await handle.stat();
      if (size < want) throw corrupt(this.dir, `embeddings.npy has ${size} bytes, ${want} are committed`);
      this.npyHeaderLength = header.headerLength;
      const n = rec.rows - from;
      if (n <= 0) return;
      m.ensureCapacity(rec.rows);
      const target = m.data.subarray(from * D, rec.rows * D);
      const bytes = new Uint8Array(target.buffer, target.byteOffset, target.byteLength);
      await readExactly(handle, bytes, header.headerLength + from * D * 4);
      if (!LITTLE_ENDIAN) {
        const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        for (let i = 0; i < target.length; i++) target[i] = dv.getFloat32(i * 4, true);
      }
      for (let r = from; r < rec.rows; r++) {
        let s = 0;
        for (let j = r * D, e = j + D; j < e; j++) s += m.data[j] * m.data[j];
        if (!(s > 0 && Number.isFinite(s)))
          throw corrupt(this.dir, `row ${r} of embeddings.npy is not finite or has zero norm`);
        m.sqNorms[r] = s;
      }
    } finally {
      await handle.close();
    }
  }

  private async readText(f: GalleryDataFile, rec: CommitRecord, fromByte = 0): Promise<string> {
    const handle = await fs.open(this.file(f), 'r').catch((err) => {
      throw corrupt(this.dir, `${f} is missing`, err);
    });
    try {
      const len = rec.files[f].bytes - fromByte;
      const buf = new Uint8Array(Math.max(0, len));
      await readExactly(handle, buf, fromByte).catch((err) => {
        throw corrupt(this.dir, `${f} is shorter than its committed length`, err);
      });
      return new TextDecoder('utf-8', { fatal: true }).decode(buf);
    } catch (err) {
      if (err instanceof EolgulError) throw err;
      throw corrupt(this.dir, `${f} is not UTF-8`, err);
    } finally {
      await handle.close();
    }
  }

  private parse<C extends string>(f: GalleryDataFile, text: string, columns: readonly C[]): Record<C, string>[] {
    try {
      return parseCsv(text, columns, f);
    } catch (err) {
      throw corrupt(this.dir, (err as Error).message, err);
    }
  }

  /** Rebuilds names from `identities.csv`. */
  private async readNames(m: GalleryMatrix, rec: CommitRecord): Promise<void> {
    const rows = this.parse('identities.csv', await this.readText('identities.csv', rec), ['category', 'name']);
    m.names = [];
    m.catOfName = new Map();
    const counts = m.catRows;
    m.catRows = [];
    for (const { category, name } of rows) {
      const c = Number(category);
      if (!/^\d+$/.test(category) || !Number.isSafeInteger(c))
        throw corrupt(this.dir, `identities.csv: bad category ${JSON.stringify(category)}`);
      if (m.names[c] !== undefined) throw corrupt(this.dir, `identities.csv: category ${c} appears twice`);
      if (m.catOfName.has(name)) throw corrupt(this.dir, `identities.csv: name ${JSON.stringify(name)} appears twice`);
      m.setCategory(c, name);
    }
    m.catRows = m.names.map((_, c) => counts[c] ?? 0);
  }

  /** Reads the index lines of rows `[from, rec.rows)`, which start at byte `fromByte` (0: the whole file). */
  private async readIndex(m: GalleryMatrix, rec: CommitRecord, from: number, fromByte: number): Promise<void> {
    const tail = await this.readText('index.csv', rec, fromByte);
    const text = fromByte === 0 ? tail : `image,category\n${tail}`;
    const rows = this.parse('index.csv', text, ['image', 'category']);
    if (from + rows.length !== rec.rows) {
      throw corrupt(this.dir, `index.csv has ${from + rows.length} rows, embeddings.npy ${rec.rows}`);
    }
    rows.forEach(({ image, category }, i) => {
      const r = from + i;
      const c = Number(category);
      if (!/^\d+$/.test(category) || m.names[c] === undefined) {
        throw corrupt(
          this.dir,
          `index.csv line ${r + 2}: category ${JSON.stringify(category)} is not in identities.csv`,
        );
      }
      if (image.length === 0 || m.rowOfImage.has(image))
        throw corrupt(this.dir, `index.csv line ${r + 2}: image id ${JSON.stringify(image)} is empty or repeated`);
      m.cats[r] = c;
      m.imageIds[r] = image;
      m.rowOfImage.set(image, r);
      m.catRows[c]++;
    });
    m.rows = rec.rows;
    m.version++;
  }

  private async readExclusions(m: GalleryMatrix, rec: CommitRecord): Promise<void> {
    const rows = this.parse('excluded-images.csv', await this.readText('excluded-images.csv', rec), ['image']);
    m.setExcluded(rows.map((r) => r.image));
  }

  /**
   * Brings `m` up to the committed state on disk (another process may have written since). Reads only the appended
   * tail when the big files were not replaced since `m` was loaded. Call under the lock.
   * @returns the same matrix (updated in place), or a new one after a full reload.
   */
  async refresh(m: GalleryMatrix): Promise<GalleryMatrix> {
    const rec = await this.recover();
    const old = this.commit;
    if (rec.generation === old.generation) return m;
    const sameBig =
      rec.files['embeddings.npy'].epoch === old.files['embeddings.npy'].epoch &&
      rec.files['index.csv'].epoch === old.files['index.csv'].epoch &&
      rec.rows >= old.rows &&
      m.rows === old.rows;
    if (!sameBig) return this.load();
    const from = m.rows;
    await this.readRows(m, rec, from);
    await this.readNames(m, rec);
    await this.readIndex(m, rec, from, old.files['index.csv'].bytes);
    await this.readExclusions(m, rec);
    this.commit = rec;
    return m;
  }

  /**
   * Commits `change`, already applied to the in-memory state `m`, to the directory. Call under the lock, after
   * {@link DirectoryBackend.refresh}. Durable when it resolves.
   */
  async write(m: GalleryMatrix, change: DirectoryChange): Promise<void> {
    const D = this.manifest.dimension;
    const old = this.commit;
    const generation = old.generation + 1;
    const files = structuredClone(old.files);
    let replace: GalleryDataFile[] = change.kind === 'replace' ? [...change.files] : [];
    if (
      change.kind === 'append' &&
      encodeNpyHeader([m.rows, D], this.npyHeaderLength).length !== this.npyHeaderLength
    ) {
      replace = ['embeddings.npy']; // no room left in the header: rewrite once with a reserved header
    }
    if (change.kind === 'append') {
      const enc = new TextEncoder();
      const tails: [GalleryDataFile, Uint8Array[]][] = [
        ['index.csv', [enc.encode(csvLines(indexRows(m, change.fromRow, m.rows), ['image', 'category']))]],
        ['identities.csv', [enc.encode(csvLines(identityRows(m, change.newCats), ['category', 'name']))]],
      ];
      if (!replace.includes('embeddings.npy')) tails.unshift(['embeddings.npy', [rowBytes(m, change.fromRow, m.rows)]]);
      for (const [f, parts] of tails) {
        if (parts.every((p) => p.length === 0)) continue;
        const handle = await fs.open(this.file(f), fsc.O_RDWR);
        try {
          await handle.truncate(old.files[f].bytes);
          const n = await writeAll(handle, parts, old.files[f].bytes);
          await handle.sync();
          files[f] = { bytes: old.files[f].bytes + n, epoch: old.files[f].epoch };
        } finally {
          await handle.close();
        }
      }
    }
    for (const f of replace) {
      const parts = fileContent(m, f);
      const handle = await fs.open(this.file(`${f}.next`), fsc.O_WRONLY | fsc.O_CREAT | fsc.O_TRUNC, 0o600);
      try {
        const n = await writeAll(handle, parts, 0);
        await handle.sync();
        files[f] = { bytes: n, epoch: generation };
      } finally {
        await handle.close();
      }
    }
    if (replace.length > 0) await fsyncDir(this.dir);
    crashPoint(change.kind === 'append' && replace.length === 0 ? 'append-before-commit' : 'replace-before-commit');
    this.checkLock();
    const rec: CommitRecord = { formatVersion: 1, generation, rows: m.rows, files, replacing: replace };
    await writeFileAtomic(this.file(COMMIT), `${JSON.stringify(rec, null, 1)}\n`); // ← the commit point
    this.commit = rec;
    if (replace.length > 0) {
      crashPoint('replace-after-commit');
      for (const f of replace) await fs.rename(this.file(`${f}.next`), this.file(f));
      await fsyncDir(this.dir);
      crashPoint('replace-after-rename');
      this.commit = { ...rec, replacing: [] };
      await writeFileAtomic(this.file(COMMIT), `${JSON.stringify(this.commit, null, 1)}\n`);
      if (replace.includes('embeddings.npy')) this.npyHeaderLength = NPY_HEADER_ROOM;
    }
    if (change.kind === 'append' && !replace.includes('embeddings.npy')) {
      crashPoint('append-after-commit');
      // Not part of the commit: readers take N from commit.json. Keeps the file a valid NPY for numpy.load.
      const handle = await fs.open(this.file('embeddings.npy'), fsc.O_RDWR);
      try {
        await writeAll(handle, [encodeNpyHeader([m.rows, D], this.npyHeaderLength)], 0);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  }

  /** The committed generation (for tests and diagnostics). */
  get generation(): number {
    return this.commit.generation;
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * Reads and checks `manifest.json` of a gallery directory.
 * @throws {GalleryCorruptError} missing, not JSON, or fields of the wrong type or an unknown format version.
 */
export async function readManifest(dir: string): Promise<GalleryManifest> {
  let m: GalleryManifest;
  try {
    m = JSON.parse(await fs.readFile(path.join(dir, MANIFEST), 'utf8')) as GalleryManifest;
  } catch (err) {
    throw corrupt(dir, `${MANIFEST} is missing or not JSON`, err);
  }
  if (m?.formatVersion !== 1)
    throw corrupt(dir, `${MANIFEST}: unsupported formatVersion ${JSON.stringify(m?.formatVersion)}`);
  if (!Number.isInteger(m.dimension) || m.dimension <= 0) throw corrupt(dir, `${MANIFEST}: bad dimension`);
  if (typeof m.modelId !== 'string') throw corrupt(dir, `${MANIFEST}: bad modelId`);
  if (m.preprocess !== undefined && typeof m.preprocess !== 'string') throw corrupt(dir, `${MANIFEST}: bad preprocess`);
  if (typeof m.defaultThreshold !== 'number' || !(m.defaultThreshold >= 0))
    throw corrupt(dir, `${MANIFEST}: bad defaultThreshold`);
  return m;
}
