import { ModelDisposedError } from '@eolgul/core';

/**
 * The dispose contract of every eolgul model object: calls in flight are counted, so that `close` frees the models
 * only once they have settled (a dispose racing a call would otherwise free what the call still reads), and calls after
 * `close` are refused with {@link ModelDisposedError}.
 */
export interface CallGate {
  /** Runs `fn` as one call. @throws {ModelDisposedError} after `close`. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Refuses new calls, waits for the running ones, then runs `free` once; later calls return the same promise. */
  close(free: () => Promise<void>): Promise<void>;
}

/**
 * Creates a {@link CallGate}.
 * @param what the model object's name for the error message, e.g. `'face detector'`.
 * @example
 * ```ts
 * const gate = createCallGate('face embedder');
 * return {
 *   embed: (crop) => gate.run(() => embedOnce(crop)),
 *   dispose: () => gate.close(() => model.dispose()),
 * };
 * ```
 */
export function createCallGate(what: string): CallGate {
  let active = 0;
  let closed = false;
  let closing: Promise<void> | undefined;
  const settled: (() => void)[] = [];
  return {
    async run(fn) {
      if (closed) throw new ModelDisposedError(what);
      active++;
      try {
        return await fn();
      } finally {
        if (--active === 0) for (const done of settled.splice(0)) done();
      }
    },
    close(free) {
      closed = true;
      closing ??= (async () => {
        if (active > 0) await new Promise<void>((resolve) => settled.push(resolve));
        await free();
      })();
      return closing;
    },
  };
}
