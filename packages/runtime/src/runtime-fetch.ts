/**
 * Reading model files over HTTP with byte counts, for the browser (and `http(s):` URLs in Node).
 * @module
 */
import { ModelLoadError } from '@eolgul/core';
import type { LoadModelOptions } from './runtime-types.js';

/** The last path segment of a path or URL, without its query: `'https://x/m/fr_detect.onnx?v=1'` → `'fr_detect.onnx'`. */
export function fileNameOf(source: string | URL): string {
  const s = String(source).split(/[?#]/)[0];
  return s.slice(Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\')) + 1);
}

/** True for a string with a URL scheme (`http:`, `file:`, `blob:`…), false for a path (a Windows drive letter is a path). */
export const hasScheme = (s: string): boolean => /^[a-z][a-z0-9+.-]+:/i.test(s);

/**
 * The file `name` in the same folder as `source` (a path, a URL, or a URL string relative to the page).
 * @example sibling('models/facemesh.json', 'facemesh.bin') // 'models/facemesh.bin'
 */
export function sibling(source: string | URL, name: string): string {
  if (source instanceof URL || hasScheme(source)) return new URL(name, source).href;
  return source.replace(/[^\\/]*$/, '') + name;
}

/**
 * Fetches a file, counting its bytes as they arrive.
 * @param url where the file is (relative URLs resolve against the page, as `fetch` does).
 * @param options `onProgress` (called for each chunk, and once more at the end if the size was unknown) and `sizeHint`.
 * @returns the file's bytes.
 * @throws {ModelLoadError} when the request fails or the server answers with an error status.
 */
export async function fetchBytes(
  url: string,
  options: Pick<LoadModelOptions, 'onProgress' | 'sizeHint'> = {},
): Promise<Uint8Array> {
  const file = fileNameOf(url);
  const { onProgress } = options;
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new ModelLoadError(url, `cannot fetch it (${(err as Error).message})`, { cause: err });
  }
  if (!res.ok) throw new ModelLoadError(url, `the server answered HTTP ${res.status} ${res.statusText}`.trim());
  const expected = Number(res.headers.get('content-length')) || options.sizeHint || 0;
  if (!res.body || !onProgress) {
    const bytes = new Uint8Array(await res.arrayBuffer());
    onProgress?.({ file, loaded: bytes.length, total: bytes.length });
    return bytes;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  let reported = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    // A compressed response's Content-Length counts compressed bytes: never report more loaded than total.
    reported = Math.max(expected, loaded);
    onProgress({ file, loaded, total: reported });
  }
  if (reported !== loaded) onProgress({ file, loaded, total: loaded });
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.length;
  }
  return bytes;
}

/** Resolves a base URL string relative to the page (`document.baseURI`, or a worker's `location`); absolute ones as they are. */
export function absoluteUrl(base: string | URL): URL {
  const g = globalThis as { document?: { baseURI?: string }; location?: { href?: string } };
  return new URL(String(base), g.document?.baseURI ?? g.location?.href);
}
