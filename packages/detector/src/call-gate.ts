import { InvalidArgumentError } from '@eolgul/core';

/**
 * Calls in flight on a model holder, so that `close` frees the models only once they have settled (a dispose racing a
 * detect would otherwise read freed tensors: a TypeError deep inside tfjs). Calls after `close` are refused.
 * Internal to @eolgul/detector.
 */
export interface CallGate {
  /** Runs `fn` as one call. @throws {InvalidArgumentError} after `close`. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Refuses new calls, waits for the running ones, then runs `free` once; later calls return the same promise. */
  close(free: () => Promise<void>): Promise<void>;
}

/** @param what the holder's name for the error message, e.g. `'face detector'`. */
export function createCallGate(what: string): CallGate {
  let active = 0;
  let closed = false;
  let closing: Promise<void> | undefined;
  const settled: (() => void)[] = [];
  return {
    async run(fn) {
      if (closed) throw new InvalidArgumentError(`this ${what} was disposed`);
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
