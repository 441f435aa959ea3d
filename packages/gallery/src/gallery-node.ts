import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { EolgulError, UNIT_NORM_TOLERANCE, decodeNpyHeader } from '@eolgul/core';
import { readEmbeddingPairFiles, writeEmbeddingPairFiles } from '@eolgul/core/node';
import { DATA_FILES, crcOf, manifestCrc } from './gallery-directory-format.js';
import { openRegularFile, readCommit, readDirectory } from './gallery-directory-read.js';
import { checkManifestMatches, checkStoredManifest, manifestToCreate } from './gallery-manifest.js';
import { DirectoryBackend } from './gallery-store-npy.js';
import { Gallery, type GalleryOpenOptions } from './gallery.js';

/**
 * The Node entry points of the gallery: open a gallery directory, import an embedding pair into one, and check one.
 * @module
 */

/**
 * Opens the gallery directory `dir` (or, with `create: true`, creates it when it holds no gallery) and loads it. The
 * open itself reads a consistent snapshot without any lock and needs no write access: read-only folders and mounts
 * open, and `readOnly: true` refuses every change with `GalleryReadOnlyError`. Changes take the write lock while
 * they are written.
 * @param options creation (`embedder`, or `dimension` + `modelId` + `defaultThreshold`) and checks (a stored D, model
 *   id or preprocessing that differs is refused), `readOnly`, lock timings.
 * @throws {GalleryMismatchError} stored `dimension`, `modelId` or `preprocess` differs (`field` names it).
 * @throws {GalleryCorruptError} not a gallery directory, or a damaged file (named), checksums included.
 * @throws {InvalidArgumentError} creating without D, model id or threshold.
 * @throws {GalleryReadOnlyError} @throws {PermissionDeniedError} @throws {FileSystemError} creating or reading failed
 *   (names the path).
 * @example
 * ```ts
 * const gallery = await openGallery('out/g', { create: true, embedder }); // embedder: createFaceEmbedder()
 * const readOnly = await openGallery('/mnt/share/g', { readOnly: true });
 * ```
 */
export async function openGallery(dir: string, options: GalleryOpenOptions = {}): Promise<Gallery> {
  let create: ReturnType<typeof manifestToCreate> | undefined;
  if (options.create && !(await fs.stat(path.join(dir, 'manifest.json')).catch(() => undefined))) {
    create = manifestToCreate(options);
  }
  const { backend, matrix } = await DirectoryBackend.open(dir, create, options);
  checkManifestMatches(backend.manifest, options);
  return Gallery.over(backend, matrix);
}

/**
 * Imports an NPY + CSV pair (with `<csv name>.identities.csv` when it exists; see `decodeEmbeddingPair` of
 * `@eolgul/core`) into the gallery directory `dir`, creating it with `options.create` (D defaults to the pair's). All
 * rows are committed in one transaction.
 * @returns the open gallery.
 * @throws {NpyFormatError} @throws {CsvFormatError} @throws {InvalidEmbeddingError} @throws {EmbeddingNormError} bad
 *   pair files. @throws {GalleryMismatchError} another D or model. @throws {InvalidArgumentError} an image id
 *   already enrolled.
 */
export async function importEmbeddingPair(
  dir: string,
  npyPath: string,
  csvPath: string,
  options: GalleryOpenOptions = {},
): Promise<Gallery> {
  const pair = await readEmbeddingPairFiles(npyPath, csvPath);
  const g = await openGallery(dir, { ...options, dimension: options.dimension ?? pair.dimension });
  try {
    await g.enrollPair(pair);
  } catch (err) {
    await g.close();
    throw err;
  }
  return g;
}

/** The result of {@link checkGallery}. */
export interface GalleryCheckReport {
  /** `true` when `problems` is empty. */
  ok: boolean;
  /** One sentence per problem found (a damaged file, files that disagree, rows that are not unit vectors). */
  problems: string[];
  /**
   * `'verified'`: every file matched its checksum in `commit.json`; `'absent'`: a gallery written before checksums
   * (checked field by field; its next change adds them); `'failed'`: see `problems`.
   */
  checksums: 'verified' | 'absent' | 'failed';
  /** With a readable gallery: rows N, identities, D and model id. */
  rows?: number;
  identities?: number;
  dimension?: number;
  modelId?: string;
}

/**
 * Checks a gallery directory without changing it (no lock, no write access needed): each file against its checksum,
 * then the NPY / CSV / identities agreement (row counts, identity numbers, unique image ids, finite rows), then that
 * every row is a unit vector.
 * @returns a report listing every problem; it throws only for a path that cannot be read at all.
 */
export async function checkGallery(dir: string): Promise<GalleryCheckReport> {
  const abs = path.resolve(dir);
  // A writer may commit while the files are read: check again (a few times) when commit.json changed meanwhile, so
  // a sound gallery is never reported damaged because of a concurrent commit.
  for (let attempt = 0; ; attempt++) {
    const before = await readCommit(abs).then(
      (r) => JSON.stringify(r.commit),
      () => undefined,
    );
    const report = await checkOnce(abs);
    if (report.ok || attempt >= 4) return report;
    const after = await readCommit(abs).then(
      (r) => JSON.stringify(r.commit),
      () => undefined,
    );
    if (before === after) return report;
  }
}

/** Reads the committed bytes of a data file: its `.next` while a commit replaces it, else the file (read safely). */
async function readDataFile(abs: string, name: string, replacing: boolean): Promise<Uint8Array | undefined> {
  for (const n of replacing ? [`${name}.next`, name] : [name]) {
    const handle = await openRegularFile(abs, n).catch(() => undefined);
    if (!handle) continue;
    try {
      return await handle.readFile();
    } catch {
      return undefined;
    } finally {
      await handle.close();
    }
  }
  return undefined;
}

async function checkOnce(abs: string): Promise<GalleryCheckReport> {
  const problems: string[] = [];
  let checksums: GalleryCheckReport['checksums'] = 'failed';
  try {
    const { commit } = await readCommit(abs);
    checksums = commit.formatVersion === 2 ? 'verified' : 'absent';
    if (commit.formatVersion === 2) {
      // Every file on its own first, so that the report names each damaged one.
      const manifestBytes = await readDataFile(abs, 'manifest.json', false);
      const manifest = manifestBytes && new TextDecoder().decode(manifestBytes);
      let manifestOk = false;
      try {
        const parsed = checkStoredManifest(JSON.parse(manifest ?? ''), abs, 'manifest.json');
        manifestOk = manifestCrc(parsed) === commit.manifest?.crc32;
      } catch {}
      if (!manifestOk) problems.push('manifest.json: missing, unreadable, or checksum mismatch');
      for (const f of DATA_FILES) {
        const bytes = await readDataFile(abs, f, commit.replacing.includes(f));
        const committed = commit.files[f];
        const data = bytes?.subarray(0, committed.bytes);
        if (!data || data.length < committed.bytes) {
          problems.push(`${f}: missing or shorter than its committed ${committed.bytes} bytes`);
          continue;
        }
        let start = 0;
        if (f === 'embeddings.npy') {
          try {
            start = decodeNpyHeader(data, f).headerLength;
          } catch (err) {
            problems.push(`${f}: ${(err as Error).message}`);
            continue;
          }
        }
        if (crcOf(data.subarray(start)) !== committed.crc32) problems.push(`${f}: checksum mismatch`);
      }
      if (problems.length > 0) checksums = 'failed';
    }
    if (problems.length === 0) {
      const state = await readDirectory(abs);
      const m = state.matrix;
      const D = m.dimension;
      let bad = 0;
      for (let r = 0; r < m.rows; r++) {
        const norm = Math.sqrt(m.sqNorms[r]);
        if (Math.abs(norm - 1) > UNIT_NORM_TOLERANCE && bad++ < 20)
          problems.push(
            `row ${r} (${JSON.stringify(m.imageIds[r])}): L2 norm ${norm}, expected 1 ± ${UNIT_NORM_TOLERANCE}`,
          );
      }
      if (bad > 20) problems.push(`… and ${bad - 20} more rows that are not unit vectors`);
      return {
        ok: problems.length === 0,
        problems,
        checksums,
        rows: m.rows,
        identities: m.identityNames().length,
        dimension: D,
        modelId: state.manifest.modelId,
      };
    }
  } catch (err) {
    if (!(err instanceof EolgulError)) throw err;
    if (err.code !== 'GALLERY_CORRUPT') throw err;
    checksums = checksums === 'absent' ? 'absent' : 'failed';
    problems.push(err.message);
  }
  return { ok: false, problems, checksums };
}

/** Writes the gallery's rows as an embedding pair (the deprecated `Gallery.exportPair`). */
export async function exportGalleryPair(g: Gallery, npyPath: string, csvPath: string): Promise<void> {
  await writeEmbeddingPairFiles(npyPath, csvPath, g.toPair());
}
