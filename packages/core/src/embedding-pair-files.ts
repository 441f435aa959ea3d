import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { decodeUtf8Text } from './csv.js';
import { type EmbeddingPair, decodeEmbeddingPair, encodeEmbeddingPair, identitiesCsvPath } from './embedding-pair.js';
import { CsvFormatError, NpyFormatError } from './errors.js';
import { fileSystemError, writeFileAtomic } from './fs-atomic.js';

/**
 * The NPY + CSV embedding pair as files (Node-only, `@eolgul/core/node`); the format is described in
 * `embedding-pair.ts`.
 * @module
 */

/** Reads a whole file; a missing or unreadable file becomes the format error of its kind, naming the path. */
export async function readPairFile(file: string, kind: 'npy' | 'csv'): Promise<Uint8Array> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    const reason = `cannot read file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    throw kind === 'npy' ? new NpyFormatError(file, reason) : new CsvFormatError(file, reason);
  }
}

/**
 * Reads `npyPath` + `csvPath`, and `<csv name>.identities.csv` beside the CSV when it exists; see
 * `decodeEmbeddingPair` for the checks and how identities are resolved.
 * @throws {NpyFormatError} @throws {CsvFormatError} missing, unreadable or malformed files (text that is not UTF-8
 *   included), or files that disagree. @throws {InvalidEmbeddingError} a non-finite value.
 */
export async function readEmbeddingPairFiles(npyPath: string, csvPath: string): Promise<EmbeddingPair> {
  const npy = await readPairFile(npyPath, 'npy');
  const csv = decodeUtf8Text(await readPairFile(csvPath, 'csv'), csvPath);
  const idsPath = identitiesCsvPath(csvPath);
  const idsBytes = await fs.readFile(idsPath).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new CsvFormatError(idsPath, `cannot read file: ${err.code ?? err.message}`);
  });
  const identitiesCsv = idsBytes === undefined ? undefined : decodeUtf8Text(idsBytes, idsPath);
  return decodeEmbeddingPair({ npy, csv, identitiesCsv }, { npy: npyPath, csv: csvPath, identitiesCsv: idsPath });
}

/**
 * Writes a pair as `npyPath`, `csvPath` and `<csv name>.identities.csv`, each atomically (the three together are not
 * one transaction: the NPY is written first), creating the parent folder when needed.
 * @param mode file permissions, default 0o600 (embeddings are biometric data).
 * @returns the three paths written.
 * @throws as `encodeEmbeddingPair` (bad pair), or `PermissionDeniedError` / `DiskFullError` /
 *   `FileSystemError` naming the file that could not be written.
 */
export async function writeEmbeddingPairFiles(
  npyPath: string,
  csvPath: string,
  pair: EmbeddingPair,
  mode = 0o600,
): Promise<{ npy: string; csv: string; identitiesCsv: string }> {
  const files = encodeEmbeddingPair(pair);
  const idsPath = identitiesCsvPath(csvPath);
  for (const p of new Set([path.dirname(path.resolve(npyPath)), path.dirname(path.resolve(csvPath))])) {
    await fs.mkdir(p, { recursive: true }).catch((err: unknown) => {
      throw fileSystemError(err, p, 'create folder');
    });
  }
  await writeFileAtomic(npyPath, files.npy, mode);
  await writeFileAtomic(csvPath, files.csv, mode);
  await writeFileAtomic(idsPath, files.identitiesCsv, mode);
  return { npy: npyPath, csv: csvPath, identitiesCsv: idsPath };
}
