/**
 * Admission control for inference: at most `concurrency` images are handed to the worker pool at once (two per worker
 * keeps each worker fed while the previous answer travels back), at most `queueLimit` more wait here; anything beyond
 * is refused at once with 503 and `Retry-After`, so an overload costs a short answer instead of memory and latency.
 * @module
 */
import { ServiceError } from './server-errors.js';

/** A bounded queue in front of the worker pool. */
export class InferenceGate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    /** Images in the pool at once. */
    readonly concurrency: number,
    /** Images waiting for a slot; beyond it, {@link ServiceError} 503 `SERVICE_BUSY`. */
    readonly queueLimit: number,
  ) {}

  /** Images waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }
  /** Images in the pool. */
  get running(): number {
    return this.active;
  }

  /**
   * Runs `fn` when a slot is free. @throws {ServiceError} 503 `SERVICE_BUSY` with `Retry-After: 1` when the queue is
   * full.
   */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active < this.concurrency) this.active++;
    else {
      if (this.waiting.length >= this.queueLimit) {
        throw new ServiceError(503, 'SERVICE_BUSY', `all ${this.queueLimit} queue places are taken; retry shortly`, {
          'retry-after': '1',
        });
      }
      // The slot is handed over by the finishing call (active stays counted), so none can jump the queue.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
