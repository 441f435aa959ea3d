/**
 * Errors across the worker-thread boundary: structured cloning keeps an Error's message but not its class or its
 * fields, so a worker sends `{ name, code, message, fields }` and the calling thread rebuilds the same typed error.
 * @module
 */
import * as core from '@eolgul/core';

/** An error as a worker sends it. */
export interface SentError {
  name: string;
  message: string;
  stack?: string;
  /** Own enumerable fields (`code`, `path`, `count`…). */
  fields: Record<string, unknown>;
}

/** Turns a thrown value into plain data for `postMessage`. */
export function sendError(err: unknown): SentError {
  const e = err instanceof Error ? err : new Error(String(err));
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) fields[k] = v;
  }
  return { name: e.name, message: e.message, stack: e.stack, fields };
}

/**
 * Rebuilds a sent error: an `EolgulError` subclass of `@eolgul/core` when one has that name (so `instanceof` and
 * `code` work as in this thread), a plain `Error` otherwise.
 */
export function reviveError(sent: SentError): Error {
  const ctor = (core as unknown as Record<string, unknown>)[sent.name];
  const isTyped = typeof ctor === 'function' && ctor.prototype instanceof core.EolgulError;
  const err: Error = Object.create(isTyped ? ctor.prototype : Error.prototype);
  Object.assign(err, sent.fields);
  Object.defineProperty(err, 'message', { value: sent.message, writable: true, configurable: true });
  Object.defineProperty(err, 'name', { value: sent.name, writable: true, configurable: true });
  if (sent.stack) Object.defineProperty(err, 'stack', { value: sent.stack, writable: true, configurable: true });
  return err;
}
