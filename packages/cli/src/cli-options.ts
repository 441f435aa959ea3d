import { InvalidArgumentError as CommanderArgError } from 'commander';

/**
 * Option parsers for commander: each returns the parsed value or throws commander's InvalidArgumentError, which the
 * CLI reports as a usage error (exit code 2) naming the option and the value.
 */

/** A non-negative decimal number such as `1.1` or `.9` (no sign, exponent or hex: a threshold typed wrong must fail). */
export const decimal = (name: string) => (v: string) => {
  const n = /^\s*\d+(\.\d*)?\s*$|^\s*\.\d+\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isFinite(n))
    throw new CommanderArgError(`${name} must be a non-negative decimal number, got ${JSON.stringify(v)}`);
  return n;
};

/** A non-negative integer. */
export const count = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CommanderArgError(`${name} must be a non-negative integer, got ${v}`);
  return n;
};

/** An integer from 1 to `max`. */
export const positive =
  (name: string, max = Number.MAX_SAFE_INTEGER) =>
  (v: string) => {
    const n = /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new CommanderArgError(`${name} must be an integer from 1 to ${max}, got ${JSON.stringify(v)}`);
    return n;
  };

/** Upper bound of --workers: each worker holds its own copy of the models (about 150 MB). */
export const MAX_WORKERS = 64;
