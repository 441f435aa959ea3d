import * as path from 'node:path';
import { GalleryLockedError, GalleryReadOnlyError } from '@eolgul/core';
import { fileSystemError } from '@eolgul/core/node';
import lockfile from 'proper-lockfile';
import { LOCK } from './gallery-directory-format.js';

/**
 * The write lock of a gallery directory (Node-only): proper-lockfile's `.write.lock` directory, refreshed while held
 * and taken over once its holder stopped refreshing it for `staleMs`. Only writers take it; readers never do.
 *
 * There is no owner file with the holder's pid: checking whether a pid is alive is only sound inside one pid
 * namespace, and two containers that share a volume (and a host name) would each see the other's live writer as dead
 * and break its lock. A writer killed with SIGKILL therefore delays the next writer by up to `staleMs` (10 s by
 * default), which is the price of never having two writers.
 * @module
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A held lock: `check()` throws if it was lost (e.g. the process was stopped longer than `staleMs`). */
export interface HeldLock {
  check(): void;
}

/**
 * Runs `fn` holding the directory's write lock, waiting up to `timeoutMs` for another writer.
 * @throws {GalleryLockedError} another writer held it past `timeoutMs`, or it was lost while `fn` ran.
 * @throws {GalleryReadOnlyError} the directory is on a read-only file system.
 * @throws {PermissionDeniedError} @throws {FileSystemError} the lock could not be created for another reason.
 */
export async function withWriteLock<T>(
  dir: string,
  options: { timeoutMs: number; staleMs: number },
  fn: (lock: HeldLock) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const lockPath = path.join(dir, LOCK);
  let compromised: Error | undefined;
  let release: () => Promise<void>;
  for (let attempt = 0; ; attempt++) {
    try {
      release = await lockfile.lock(dir, {
        lockfilePath: lockPath,
        realpath: false,
        stale: options.staleMs,
        retries: 0,
        onCompromised: (err) => {
          compromised = err;
        },
      });
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EROFS') throw new GalleryReadOnlyError(dir, 'the file system is read-only', { cause: err });
      if (code !== 'ELOCKED') throw fileSystemError(err, lockPath, 'create the write lock');
      if (Date.now() >= deadline) throw new GalleryLockedError(dir, { cause: err });
      await sleep(Math.min(200, 10 + attempt * 10) * (0.5 + Math.random()));
    }
  }
  try {
    return await fn({
      check() {
        if (compromised) throw new GalleryLockedError(dir, { cause: compromised });
      },
    });
  } finally {
    await release().catch(() => undefined);
  }
}
