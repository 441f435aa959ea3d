import { InvalidArgumentError } from '@eolgul/core';

/**
 * Identity names and image ids. Both are data, stored inside CSV files or database rows and never used as file names,
 * so any well-formed Unicode string is accepted (`../../x`, `a/b`, NUL, Korean, emoji…) except the empty string and
 * strings with unpaired UTF-16 surrogates (which cannot round-trip through UTF-8). They are compared in Unicode NFC:
 * "José" typed with a combining accent is the same person as "José" typed with a precomposed é.
 * @module
 */

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * @param kind `'identity'` or `'image id'`, used in the message.
 * @throws {InvalidArgumentError} when `value` is not a string, is empty or is not well-formed Unicode.
 */
export function validateLabel(value: unknown, kind: 'identity' | 'image id'): asserts value is string {
  if (typeof value !== 'string') throw new InvalidArgumentError(`${kind} must be a string, got ${describe(value)}`);
  if (value.length === 0) throw new InvalidArgumentError(`${kind} must not be empty`);
  if (LONE_SURROGATE.test(value)) {
    throw new InvalidArgumentError(
      `${kind} ${JSON.stringify(value)} holds an unpaired UTF-16 surrogate (not valid Unicode)`,
    );
  }
}

/**
 * Checks a name or image id ({@link validateLabel}) and returns its NFC form, the form a gallery stores and compares.
 * @throws {InvalidArgumentError} as {@link validateLabel}.
 */
export function normalizeLabel(value: unknown, kind: 'identity' | 'image id'): string {
  validateLabel(value, kind);
  return value.normalize('NFC');
}

/**
 * Checks a list of identity names given where a list is expected (`exclude`): an iterable of strings, not a string
 * (which would be split into characters) and not null.
 * @returns the names in NFC.
 * @throws {InvalidArgumentError} not a list, or a bad name in it.
 */
export function normalizeNameList(value: unknown, what: string): string[] {
  if (typeof value === 'string' || value === null || typeof value !== 'object' || !(Symbol.iterator in value)) {
    throw new InvalidArgumentError(`${what} must be a list of identity names, got ${describe(value)}`);
  }
  return [...(value as Iterable<unknown>)].map((n) => normalizeLabel(n, 'identity'));
}

/** A short description of a value for error messages: its type, and its text when short. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return typeof value;
}
