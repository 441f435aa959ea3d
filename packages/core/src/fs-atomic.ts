import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DiskFullError, EolgulError, FileSystemError, PermissionDeniedError } from './errors.js';

/**
 * Node-only file helpers (`@eolgul/core/node`): atomic writes, and file system failures as typed eolgul errors.
 * @module
 */

/**
 * Turns a failed file system call into a typed eolgul error that names the path: `EACCES`/`EPERM` →
 * {@link PermissionDeniedError}, `ENOSPC`/`EDQUOT` → {@link DiskFullError}, any other system error →
 * {@link FileSystemError} with its `errno`. An {@link EolgulError} is returned as it is.
 * @param err what the call threw. @param file the path it was about. @param action e.g. `'write'`, `'create'`.
 */
export function fileSystemError(err: unknown, file: string, action: string): EolgulError {
  if (err instanceof EolgulError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') return new PermissionDeniedError(file, action, { cause: err });
  if (code === 'ENOSPC' || code === 'EDQUOT') return new DiskFullError(file, action, { cause: err });
  return new FileSystemError(file, action, code ?? (err as Error)?.message ?? String(err), { cause: err });
}

/**
 * Writes a file atomically: the bytes go to a temporary file in the same directory, which is fsynced and then renamed
 * over the target, and the directory is fsynced. A crash at any moment leaves the old file or the new one, never a
 * torn one; a failed write (disk full, permission denied) removes the temporary file and leaves the old file as it was.
 * @param file target path.
 * @param data bytes or UTF-8 text.
 * @param mode file permissions (default 0o600: owner read/write only, as for biometric data).
 * @throws {PermissionDeniedError} @throws {DiskFullError} @throws {FileSystemError} the write failed (names `file`).
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string, mode = 0o600): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  } catch (err) {
    throw fileSystemError(err, file, 'write');
  }
  try {
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    await fs.rename(tmp, file);
  } catch (err) {
    await handle.close().catch(() => undefined);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw fileSystemError(err, file, 'write');
  }
  await fsyncDir(dir);
}

/** fsyncs a directory so that a rename inside it is durable. Ignores platforms that refuse to open directories. */
export async function fsyncDir(dir: string): Promise<void> {
  let h: fs.FileHandle | undefined;
  try {
    h = await fs.open(dir, 'r');
    await h.sync();
  } catch {
    /* not supported on this platform */
  } finally {
    await h?.close();
  }
}
