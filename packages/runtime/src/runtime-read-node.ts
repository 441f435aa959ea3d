/**
 * Reading model files in Node: local paths and `file:` URLs from the file system, `http(s):` URLs with fetch.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ModelLoadError } from '@eolgul/core';
import { fetchBytes, fileNameOf, hasScheme } from './runtime-fetch.js';
import type { LoadModelOptions } from './runtime-types.js';

/** The local path of a source, or undefined for a URL that is not `file:`. */
export function localPath(source: string | URL): string | undefined {
  if (source instanceof URL) return source.protocol === 'file:' ? fileURLToPath(source) : undefined;
  if (/^file:/i.test(source)) return fileURLToPath(source);
  return hasScheme(source) ? undefined : source;
}

/**
 * Reads a model file: from the file system (reporting its size once read), or over HTTP.
 * @throws {ModelLoadError} naming the file when it cannot be read.
 */
export async function readBytesNode(source: string | URL, options: LoadModelOptions): Promise<Uint8Array> {
  const path = localPath(source);
  if (path === undefined) return fetchBytes(String(source), options);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new ModelLoadError(path, (err as Error).message, { cause: err });
  }
  options.onProgress?.({ file: fileNameOf(path), loaded: bytes.length, total: bytes.length });
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}
