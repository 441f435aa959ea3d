import { type Stats, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError, UNIT_NORM_TOLERANCE, identityFromImagePath, isImageFileName } from '@eolgul/core';
import { parseCategory, readEmbeddingCsv, readNpyMatrix } from './embeddings-files.js';

/**
 * Consistency check of an embedding NPY + CSV pair against each other and against an images folder (`eolgul check`).
 * @module
 */

/** The result of {@link checkEmbeddings}. */
export interface ConsistencyReport {
  /** `true` when `problems` is empty. */
  ok: boolean;
  /** Rows of the NPY array (N of `[N, D]`). */
  rows: number;
  /** Data rows of the CSV (header excluded). */
  csvRows: number;
  /** Columns of the NPY array (D of `[N, D]`). */
  dimension: number;
  /**
   * One sentence per problem found, e.g. `"row 3 (a_0001.jpg): L2 norm 0.5, expected 1 ± 0.0001"`. At most
   * {@link MAX_PROBLEMS_PER_KIND} per kind are listed, followed by a line counting the rest.
   */
  problems: string[];
  /** With `images`: image files found under the folder (recursively). */
  imagesFound?: number;
  /** With `images`: image files under the folder that no CSV row names (not a problem: e.g. images without a face). */
  imagesNotInCsv?: number;
}

/** The most problems of one kind listed in a report (the rest are counted). */
export const MAX_PROBLEMS_PER_KIND = 20;

/** Default tolerance on `|‖row‖₂ − 1|`: float32 normalisation errors are about 1e-7, so 1e-4 only flags real errors. */
export const DEFAULT_UNIT_TOLERANCE = UNIT_NORM_TOLERANCE;

/**
 * The identity of an image file by the rule every eolgul tool uses (`identityFromImagePath` of `@eolgul/core`): the
 * name of its parent folder when it is inside a sub-folder of the images folder, otherwise (flat folder, the seed's
 * layout) the file-name stem before the last `_<digits>` (`"Ariel_Sharon_0005.jpg"` → `"Ariel_Sharon"`; a stem
 * without `_<digits>` is its own identity).
 * @param relPath path relative to the images folder, `/`-separated.
 */
export function identityOfImage(relPath: string): string {
  return identityFromImagePath(relPath);
}

async function listFiles(root: string): Promise<string[]> {
  let st: Stats;
  try {
    st = await fs.stat(root);
  } catch (err) {
    throw new InvalidArgumentError(`cannot read images folder ${root}: ${(err as Error).message}`);
  }
  if (!st.isDirectory()) throw new InvalidArgumentError(`images folder ${root} is not a folder`);
  const entries = await fs.readdir(root, { recursive: true, withFileTypes: true });
  const out: string[] = [];
  for (const e of entries) {
    const full = path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
    const rel = path.relative(root, full).split(path.sep).join('/');
    if (rel.split('/').some((p) => p.startsWith('.'))) continue;
    if (e.isFile() || (e.isSymbolicLink() && (await fs.stat(full).catch(() => undefined))?.isFile())) out.push(rel);
  }
  return out.sort();
}

/**
 * Checks that an embedding NPY + CSV pair (see `writeEmbeddingPair`) is consistent, and lists every problem:
 * - the NPY has as many rows as the CSV has data rows, and D > 0;
 * - every NPY row is finite (no NaN, ±Infinity) and has L2 norm 1 ± `unitTolerance`;
 * - every CSV row has a non-empty image, a category that is a non-negative integer, and no image appears twice;
 * - with `images`: every CSV image exists under that folder, found either as a path relative to it or by file name
 *   anywhere below it (recursively; a file name matching several files is a problem), and categories match identities
 *   one to one (identity = parent folder name, or in a flat folder the stem before the last `_<digits>`, see
 *   {@link identityOfImage}).
 *   Hidden files and folders (name starting with `.`) are ignored; symbolic links to files are followed, links to
 *   folders are not.
 * Inconsistencies never throw: they are listed in `problems`.
 * @param options `npy`, `csv`: the two files; `images`: the images folder the embeddings were computed from (optional);
 *   `unitTolerance`: allowed `|‖row‖₂ − 1|` (default {@link DEFAULT_UNIT_TOLERANCE}).
 * @returns the report; `ok` is true when no problem was found.
 * @throws {NpyFormatError} the NPY file is unreadable, malformed or not 2-D.
 * @throws {CsvFormatError} the CSV file is unreadable, does not parse, has a header other than `image,category`, or a
 *   row with a number of fields other than 2.
 * @throws {InvalidArgumentError} `images` is not a readable folder, or `unitTolerance` is not a positive number.
 * @example
 * ```ts
 * await checkEmbeddings({ npy: 'out/lfw.npy', csv: 'out/lfw.csv', images: 'lfw/images' });
 * // { ok: true, rows: 3344, csvRows: 3344, dimension: 512, problems: [], imagesFound: 3344, imagesNotInCsv: 0 }
 * ```
 */
export async function checkEmbeddings(options: {
  npy: string;
  csv: string;
  images?: string;
  unitTolerance?: number;
}): Promise<ConsistencyReport> {
  const tol = options.unitTolerance ?? DEFAULT_UNIT_TOLERANCE;
  if (typeof tol !== 'number' || !(tol > 0) || !Number.isFinite(tol)) {
    throw new InvalidArgumentError(`unitTolerance must be a positive number, got ${tol}`);
  }
  const m = await readNpyMatrix(options.npy);
  const records = await readEmbeddingCsv(options.csv);
  const files = options.images !== undefined ? await listFiles(options.images) : undefined;

  const kinds = new Map<string, { listed: string[]; more: number }>();
  const add = (kind: string, message: string): void => {
    let k = kinds.get(kind);
    if (!k) {
      k = { listed: [], more: 0 };
      kinds.set(kind, k);
    }
    if (k.listed.length < MAX_PROBLEMS_PER_KIND) k.listed.push(message);
    else k.more++;
  };
  const label = (i: number): string => (i < records.length ? ` (${records[i].image})` : '');

  if (m.rows !== records.length) {
    add('count', `${options.npy} has ${m.rows} rows but ${options.csv} has ${records.length} data rows`);
  }
  if (m.dimension === 0) add('dimension', `${options.npy} has embedding dimension 0`);
  else {
    for (let i = 0; i < m.rows; i++) {
      const row = m.data.subarray(i * m.dimension, (i + 1) * m.dimension);
      let s = 0;
      let bad = -1;
      for (let j = 0; j < row.length; j++) {
        if (!Number.isFinite(row[j])) {
          bad = j;
          break;
        }
        s += row[j] * row[j];
      }
      if (bad >= 0) {
        add('finite', `row ${i}${label(i)}: value ${row[bad]} at column ${bad} is not finite`);
        continue;
      }
      const norm = Math.sqrt(s);
      if (Math.abs(norm - 1) > tol)
        add('norm', `row ${i}${label(i)}: L2 norm ${norm.toPrecision(6)}, expected 1 ± ${tol}`);
    }
  }

  const seen = new Map<string, number>();
  records.forEach((r, i) => {
    const line = i + 2;
    if (r.image.trim().length === 0) add('image', `${options.csv} line ${line}: empty image name`);
    if (parseCategory(r.category) === undefined) {
      add(
        'category',
        `${options.csv} line ${line}: category ${JSON.stringify(r.category)} is not a non-negative integer`,
      );
    }
    const first = seen.get(r.image);
    if (first !== undefined) add('duplicate', `${options.csv} line ${line}: image ${r.image} already on line ${first}`);
    else seen.set(r.image, line);
  });

  let imagesNotInCsv: number | undefined;
  if (files !== undefined) {
    const byRel = new Set(files);
    const byName = new Map<string, string[]>();
    for (const f of files) {
      const name = f.slice(f.lastIndexOf('/') + 1);
      const list = byName.get(name);
      if (list) list.push(f);
      else byName.set(name, [f]);
    }
    const used = new Set<string>();
    const identitiesOfCategory = new Map<string, Set<string>>();
    const categoriesOfIdentity = new Map<string, Set<string>>();
    records.forEach((r, i) => {
      const line = i + 2;
      if (r.image.trim().length === 0) return;
      const asRel = r.image.split(/[\\/]/).join('/').replace(/^\.\//, '');
      let found: string | undefined;
      if (byRel.has(asRel)) found = asRel;
      else {
        const hits = byName.get(asRel) ?? [];
        if (hits.length === 1) found = hits[0];
        else if (hits.length > 1) {
          add(
            'ambiguous',
            `${options.csv} line ${line}: image ${r.image} matches ${hits.length} files under ${options.images}: ${hits.slice(0, 3).join(', ')}${hits.length > 3 ? ', ...' : ''}`,
          );
          return;
        }
      }
      if (found === undefined) {
        add('missing', `${options.csv} line ${line}: image ${r.image} not found under ${options.images}`);
        return;
      }
      used.add(found);
      const category = r.category.trim();
      if (parseCategory(category) === undefined) return;
      const identity = identityOfImage(found);
      if (!identitiesOfCategory.has(category)) identitiesOfCategory.set(category, new Set());
      identitiesOfCategory.get(category)!.add(identity);
      if (!categoriesOfIdentity.has(identity)) categoriesOfIdentity.set(identity, new Set());
      categoriesOfIdentity.get(identity)!.add(category);
    });
    for (const [category, ids] of identitiesOfCategory) {
      if (ids.size > 1)
        add(
          'labels',
          `category ${category} holds images of ${ids.size} identities: ${[...ids].slice(0, 5).join(', ')}`,
        );
    }
    for (const [identity, cats] of categoriesOfIdentity) {
      if (cats.size > 1)
        add('labels', `identity ${identity} has ${cats.size} categories: ${[...cats].slice(0, 5).join(', ')}`);
    }
    const images = files.filter((f) => isImageFileName(f.slice(f.lastIndexOf('/') + 1)));
    imagesNotInCsv = images.filter((f) => !used.has(f)).length;
    const problems = collect(kinds);
    return {
      ok: problems.length === 0,
      rows: m.rows,
      csvRows: records.length,
      dimension: m.dimension,
      problems,
      imagesFound: images.length,
      imagesNotInCsv,
    };
  }
  const problems = collect(kinds);
  return { ok: problems.length === 0, rows: m.rows, csvRows: records.length, dimension: m.dimension, problems };
}

function collect(kinds: Map<string, { listed: string[]; more: number }>): string[] {
  const out: string[] = [];
  for (const [kind, k] of kinds) {
    out.push(...k.listed);
    if (k.more > 0) out.push(`... and ${k.more} more problems of this kind (${kind})`);
  }
  return out;
}
