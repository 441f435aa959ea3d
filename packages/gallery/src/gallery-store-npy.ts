import { constants as fsc, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { type EolgulError, GalleryCorruptError, GalleryReadOnlyError, encodeNpyHeader } from '@eolgul/core';
import { fileSystemError, fsyncDir, writeFileAtomic } from '@eolgul/core/node';
import type { GalleryBackend, TransactionStep } from './gallery-backend.js';
import type { GalleryChange } from './gallery-change.js';
import {
  COMMIT,
  type CommitRecord,
  DATA_FILES,
  type GalleryDataFile,
  MANIFEST,
  NPY_HEADER_ROOM,
  crcOf,
  encodeCommit,
  fileContent,
  identityLines,
  indexLines,
  manifestCrc,
  rowBytes,
} from './gallery-directory-format.js';
import { type HeldLock, withWriteLock } from './gallery-directory-lock.js';
import { type DirectoryState, readAppended, readCommit, readDirectory } from './gallery-directory-read.js';
import { GalleryMatrix } from './gallery-matrix.js';
import type { GalleryManifest } from './gallery-types.js';

/**
 * The embedded default storage (Node-only): a gallery directory of plain files that numpy, pandas and a spreadsheet can
 * read (layout in `gallery-directory-format.ts`).
 *
 * ## Readers and writers
 * Opening reads a consistent snapshot without any lock (`gallery-directory-read.ts`), so read-only folders and mounts
 * work and readers never wait for writers. Every change is a transaction under the directory's write lock
 * (`gallery-directory-lock.ts`) whose single commit point is the atomic replacement of `commit.json` (temporary file,
 * fsync, rename, fsync of the directory). Readers use only the first committed bytes of each file, so bytes past the
 * committed length do not exist for them, and check every file against its checksum: a damaged gallery is refused
 * with `GalleryCorruptError` naming the file, never searched.
 *
 * **Append path** (enroll): the new rows and lines of `embeddings.npy`, `index.csv` and `identities.csv` are written
 * at the committed length (over the tail of an earlier crashed append, if any) and fsynced; the NPY header's row count
 * is raised to the new N (in place: same length, reserved room) and the files are cut to their new length; then
 * `commit.json` is replaced. At every moment the header's N lies between the committed N and the rows written, which
 * is what readers check. A crash before the commit leaves bytes readers ignore: the old state. Adding one person to a
 * gallery of 1e6 rows writes only that person's rows and lines, never the 2 GB file.
 *
 * **Replace path** (remove, rename, merge, exclusions): each new file is written whole to `<file>.next` and fsynced;
 * then `commit.json` is replaced with the new lengths and checksums and `replacing: [files]`; then each `.next` is
 * renamed over its file and the directory fsynced; then `commit.json` is replaced again with `replacing: []`. Readers
 * of a commit that lists a file read its `.next` while it exists. The next writer finishes an interrupted commit (a
 * listed `.next` is renamed: roll forward) and deletes `.next` files no commit lists (roll back).
 *
 * ## Galleries written before checksums
 * A commit record of format 1 (no checksums, CSV cells not formula-escaped) is opened and checked as before, field by
 * field; its first change rewrites every file once, with checksums and escaped cells (format 2).
 *
 * Files are created with mode 0600 and a created directory with 0700: they are biometric data. Identity names and
 * image ids are only ever CSV field values, never parts of a path.
 * @module
 */

/** Options of the directory store. */
export interface DirectoryStoreOptions {
  readOnly?: boolean;
  lockTimeoutMs?: number;
  lockStaleMs?: number;
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** A failed write as a typed error naming the file; a read-only file system is {@link GalleryReadOnlyError}. */
function writeError(err: unknown, dir: string, file: string): EolgulError {
  if ((err as NodeJS.ErrnoException)?.code === 'EROFS' || (err as { errno?: string })?.errno === 'EROFS')
    return new GalleryReadOnlyError(dir, 'the file system is read-only', { cause: err });
  return fileSystemError(err, file, 'write');
}

async function writeAll(handle: fs.FileHandle, parts: readonly Uint8Array[], position: number): Promise<number> {
  let pos = position;
  for (const part of parts) {
    let done = 0;
    while (done < part.length) {
      const { bytesWritten } = await handle.write(part, done, Math.min(part.length - done, 1 << 28), pos);
      done += bytesWritten;
      pos += bytesWritten;
    }
  }
  return pos - position;
}

/** A gallery directory as the {@link GalleryBackend} of a `Gallery`. */
export class DirectoryBackend implements GalleryBackend {
  readonly readOnlyReason: string | undefined;
  private readonly lockTimeoutMs: number;
  private readonly lockStaleMs: number;

  private constructor(
    readonly location: string,
    private state: DirectoryState,
    options: DirectoryStoreOptions,
  ) {
    this.readOnlyReason = options.readOnly ? 'opened with readOnly: true' : undefined;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
    this.lockStaleMs = Math.max(2000, options.lockStaleMs ?? 10_000);
  }

  /** What the stored embeddings are. */
  get manifest(): GalleryManifest {
    return this.state.manifest;
  }

  /** The committed generation and record format (for tests and `checkGallery`). */
  get committed(): { generation: number; formatVersion: 1 | 2 } {
    return { generation: this.state.commit.generation, formatVersion: this.state.commit.formatVersion };
  }

  /**
   * Opens the gallery directory `dir`, reading it without the lock; with `create`, first makes an empty gallery when
   * the directory has none (under the lock).
   * @throws {GalleryCorruptError} not a gallery directory, or damaged files. @throws {GalleryReadOnlyError}
   *   @throws {PermissionDeniedError} @throws {FileSystemError} creating or reading failed (names the path).
   */
  static async open(
    dir: string,
    create: GalleryManifest | undefined,
    options: DirectoryStoreOptions,
  ): Promise<{ backend: DirectoryBackend; matrix: GalleryMatrix }> {
    const abs = path.resolve(dir);
    if (!(await exists(path.join(abs, MANIFEST)))) {
      if (!create)
        throw new GalleryCorruptError(abs, `no ${MANIFEST}: not a gallery directory (pass create: true to make one)`);
      await fs.mkdir(abs, { recursive: true, mode: 0o700 }).catch((err: unknown) => {
        throw writeError(err, abs, abs);
      });
      await withWriteLock(
        abs,
        { timeoutMs: options.lockTimeoutMs ?? 30_000, staleMs: Math.max(2000, options.lockStaleMs ?? 10_000) },
        async () => {
          if (!(await exists(path.join(abs, MANIFEST)))) await initialise(abs, create);
        },
      );
    }
    const state = await readDirectory(abs);
    const backend = new DirectoryBackend(abs, state, options);
    return { backend, matrix: state.matrix };
  }

  private file(name: string): string {
    return path.join(this.location, name);
  }

  async load(): Promise<GalleryMatrix> {
    this.state = await readDirectory(this.location);
    return this.state.matrix;
  }

  async refresh(current: GalleryMatrix): Promise<{ matrix: GalleryMatrix; changed: boolean }> {
    const { commit } = await readCommit(this.location);
    if (commit.generation === this.state.commit.generation && commit.formatVersion === this.state.commit.formatVersion)
      return { matrix: current, changed: false };
    this.state =
      (await readAppended(this.location, { ...this.state, matrix: current }, commit)) ??
      (await readDirectory(this.location));
    return { matrix: this.state.matrix, changed: true };
  }

  async transact<T>(current: GalleryMatrix, step: TransactionStep<T>): Promise<{ matrix: GalleryMatrix; result: T }> {
    if (this.readOnlyReason) throw new GalleryReadOnlyError(this.location, this.readOnlyReason);
    return withWriteLock(this.location, { timeoutMs: this.lockTimeoutMs, staleMs: this.lockStaleMs }, async (lock) => {
      await this.recover();
      const { matrix } = await this.refresh(current);
      const { next, change, result } = step(matrix);
      if (change) await this.write(next, change, lock);
      else this.state = { ...this.state, matrix: next };
      return { matrix: next, result };
    });
  }

  /**
   * Finishes or rolls back what a killed writer left: renames the `.next` files of a commit that lists them, deletes
   * the others and stray temporary files, and brings the NPY header and the append-only files back to the committed
   * length. Under the lock.
   */
  private async recover(): Promise<void> {
    let { commit } = await readCommit(this.location);
    try {
      if (commit.replacing.length > 0) {
        for (const f of commit.replacing)
          if (await exists(this.file(`${f}.next`))) await fs.rename(this.file(`${f}.next`), this.file(f));
        await fsyncDir(this.location);
        commit = { ...commit, replacing: [] };
        await writeFileAtomic(this.file(COMMIT), encodeCommit(commit));
      }
      for (const name of await fs.readdir(this.location)) {
        const stray =
          (name.endsWith('.next') && DATA_FILES.includes(name.slice(0, -5) as GalleryDataFile)) ||
          (/^\..*\.\d+\.[0-9a-f]{12}\.tmp$/.test(name) &&
            [...DATA_FILES, COMMIT, MANIFEST].some((f) => name.startsWith(`.${f}.`)));
        if (stray) await fs.rm(this.file(name), { force: true });
      }
      if (commit.formatVersion === 2) await this.trimTails(commit);
    } catch (err) {
      throw writeError(err, this.location, this.location);
    }
  }

  /** Cuts uncommitted tails, lowering the NPY header's row count first (readers need it ≤ the rows on disk). */
  private async trimTails(commit: CommitRecord): Promise<void> {
    const npy = this.file('embeddings.npy');
    const { size } = await fs.stat(npy);
    if (size > commit.files['embeddings.npy'].bytes) {
      const header = encodeNpyHeader([commit.rows, this.manifest.dimension], this.state.npyHeaderLength);
      const handle = await fs.open(npy, fsc.O_RDWR);
      try {
        await writeAll(handle, [header], 0);
        await handle.truncate(commit.files['embeddings.npy'].bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    for (const f of ['index.csv', 'identities.csv'] as const) {
      if ((await fs.stat(this.file(f))).size > commit.files[f].bytes)
        await fs.truncate(this.file(f), commit.files[f].bytes);
    }
  }

  /** Commits `change`, already applied to `m`. Under the lock, after {@link DirectoryBackend.refresh}. */
  private async write(m: GalleryMatrix, change: GalleryChange, lock: HeldLock): Promise<void> {
    const old = this.state.commit;
    const generation = old.generation + 1;
    const files = structuredClone(old.files);
    const crcs = { ...this.state.crcs };
    const D = m.dimension;
    let replace: GalleryDataFile[];
    if (old.formatVersion === 1)
      replace = [...DATA_FILES]; // first change: rewrite with checksums and escaped cells
    else if (change.kind === 'enroll') {
      const room = encodeNpyHeader([m.rows, D], this.state.npyHeaderLength).length === this.state.npyHeaderLength;
      replace = room ? [] : ['embeddings.npy'];
    } else if (change.kind === 'remove') replace = [...DATA_FILES];
    else if (change.kind === 'rename') replace = change.merge ? ['index.csv', 'identities.csv'] : ['identities.csv'];
    else replace = ['excluded-images.csv'];
    let file = this.location;
    try {
      if (change.kind === 'enroll' && old.formatVersion === 2) {
        const enc = new TextEncoder();
        const tails: [GalleryDataFile, Uint8Array][] = [
          ['index.csv', enc.encode(indexLines(m, change.fromRow, m.rows))],
          ['identities.csv', enc.encode(identityLines(m, change.newIdentities))],
        ];
        if (!replace.includes('embeddings.npy')) tails.unshift(['embeddings.npy', rowBytes(m, change.fromRow, m.rows)]);
        for (const [f, bytes] of tails) {
          if (bytes.length === 0) continue;
          file = this.file(f);
          const handle = await fs.open(file, fsc.O_RDWR);
          try {
            await writeAll(handle, [bytes], old.files[f].bytes);
            if (f === 'embeddings.npy') {
              await handle.sync(); // the rows are on disk before the header counts them
              await writeAll(handle, [encodeNpyHeader([m.rows, D], this.state.npyHeaderLength)], 0);
            }
            await handle.truncate(old.files[f].bytes + bytes.length);
            await handle.sync();
          } finally {
            await handle.close();
          }
          files[f] = { ...old.files[f], bytes: old.files[f].bytes + bytes.length };
          crcs[f] = crcOf(bytes, crcs[f]);
        }
      }
      for (const f of replace) {
        const parts = fileContent(m, f);
        file = this.file(`${f}.next`);
        const handle = await fs.open(file, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_TRUNC, 0o600);
        try {
          await writeAll(handle, parts, 0);
          await handle.sync();
        } finally {
          await handle.close();
        }
        const dataParts = f === 'embeddings.npy' ? parts.slice(1) : parts;
        files[f] = { bytes: parts.reduce((s, p) => s + p.length, 0), epoch: generation };
        crcs[f] = crcOf(dataParts);
      }
      if (replace.length > 0) await fsyncDir(this.location);
      for (const f of DATA_FILES) files[f].crc32 = crcs[f];
      let rec: CommitRecord = {
        formatVersion: 2,
        generation,
        rows: m.rows,
        files,
        manifest: { crc32: manifestCrc(this.manifest) },
        replacing: replace,
      };
      lock.check();
      file = this.file(COMMIT);
      await writeFileAtomic(file, encodeCommit(rec)); // ← the commit point
      if (replace.length > 0) {
        for (const f of replace) {
          file = this.file(f);
          await fs.rename(this.file(`${f}.next`), file);
        }
        await fsyncDir(this.location);
        rec = { ...rec, replacing: [] };
        file = this.file(COMMIT);
        await writeFileAtomic(file, encodeCommit(rec));
      }
      const npyHeaderLength = replace.includes('embeddings.npy') ? NPY_HEADER_ROOM : this.state.npyHeaderLength;
      this.state = { commit: rec, manifest: this.manifest, crcs, npyHeaderLength, matrix: m };
    } catch (err) {
      throw writeError(err, this.location, file);
    }
  }

  async close(): Promise<void> {}
}

/** Writes an empty gallery: data files, then the commit record, then the manifest (its presence marks a gallery). */
async function initialise(dir: string, manifest: GalleryManifest): Promise<void> {
  const empty = new GalleryMatrix(manifest.dimension);
  const files = {} as CommitRecord['files'];
  let file = dir;
  try {
    for (const f of DATA_FILES) {
      const parts = fileContent(empty, f);
      const bytes = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
      let off = 0;
      for (const p of parts) {
        bytes.set(p, off);
        off += p.length;
      }
      file = path.join(dir, f);
      await writeFileAtomic(file, bytes);
      files[f] = { bytes: bytes.length, epoch: 1, crc32: crcOf(f === 'embeddings.npy' ? parts.slice(1) : parts) };
    }
    const manifestBytes = new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
    const rec: CommitRecord = {
      formatVersion: 2,
      generation: 1,
      rows: 0,
      files,
      manifest: { crc32: manifestCrc(manifest) },
      replacing: [],
    };
    file = path.join(dir, COMMIT);
    await writeFileAtomic(file, encodeCommit(rec));
    file = path.join(dir, MANIFEST);
    await writeFileAtomic(file, manifestBytes);
  } catch (err) {
    throw writeError(err, dir, file);
  }
}
