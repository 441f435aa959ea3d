import { formatCsv, parseCsv } from './csv.js';
import {
  CsvFormatError,
  EmbeddingDimensionError,
  InvalidArgumentError,
  InvalidEmbeddingError,
  NpyFormatError,
} from './errors.js';
import { identityFromImagePath } from './image-file-names.js';
import { decodeNpy, encodeNpy } from './npy.js';

/**
 * The NPY + CSV embedding pair, browser-safe (bytes and text in, data out): the format of `eolgul embed`,
 * `eolgul gallery export` / `import`, the browser example's export, and the seed project that started eolgul.
 *
 * - `<name>.npy`: float32 `[N, D]`, C order, one embedding per row (`numpy.load` reads it);
 * - `<name>.csv`: header `image,category`, one line per row: the image the row comes from and an integer label of its
 *   identity (a leading unnamed index column, pandas' `to_csv` default, is accepted when reading);
 * - `<name>.identities.csv` (optional): header `category,name`, the identity name of each label.
 *
 * Without the identities file, a row's identity is taken from its image name by {@link identityFromImagePath}
 * (`Ariel_Sharon_0005.jpg` → `Ariel_Sharon`), and the labels must then agree with those names one to one; otherwise
 * the names could be wrong and the pair is refused. Text cells are formula-escaped (see `formatCsv`).
 * Node file I/O for these files is in `@eolgul/core/node`.
 * @module
 */

/**
 * How far from 1 the L2 norm of an embedding may be where unit vectors are required (gallery enrollment and search,
 * `checkEmbeddings`): float32 normalisation leaves errors near 1e-7, so 1e-4 only flags vectors that were not
 * normalised.
 */
export const UNIT_NORM_TOLERANCE = 1e-4;

/** Columns of the pair's CSV, in order. */
export const EMBEDDING_CSV_COLUMNS = ['image', 'category'] as const;
/** Columns of the identities file, in order. */
export const IDENTITIES_CSV_COLUMNS = ['category', 'name'] as const;

/** One CSV row: the image an embedding comes from and the integer label of its identity. */
export interface EmbeddingRow {
  /** Image file name (or path relative to the images folder), e.g. `"Ariel_Sharon_0005.jpg"`. */
  image: string;
  /** Integer label of the identity (≥ 0). */
  category: number;
}

/** A pair in memory, with identity names resolved. */
export interface EmbeddingPair {
  /** Embedding length D. */
  dimension: number;
  /** Row-major `[N, D]` float32. */
  embeddings: Float32Array;
  /** Image id per row, length N. */
  imageIds: string[];
  /** Identity name per row, length N. */
  identities: string[];
}

/** The three files of a pair, as bytes and text. */
export interface EmbeddingPairFiles {
  /** `.npy` bytes: float32 `[N, D]`. */
  npy: Uint8Array;
  /** `.csv` text: `image,category`. */
  csv: string;
  /** `.identities.csv` text: `category,name`. */
  identitiesCsv: string;
}

/** Names of the files, used only in error messages. */
export interface EmbeddingPairNames {
  npy?: string;
  csv?: string;
  identitiesCsv?: string;
}

/** Path of the identities file that goes with a pair CSV: `x.csv` → `x.identities.csv`. */
export function identitiesCsvPath(csvPath: string): string {
  return csvPath.replace(/(\.csv)?$/i, '.identities.csv');
}

/** Parses a category field: a non-negative integer written in decimal digits; `undefined` otherwise. */
export function parseCategory(text: string): number | undefined {
  const t = text.trim();
  if (!/^[0-9]+$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Decodes the `.npy` of a pair: a 2-D float32 or float64 array (float64 is converted).
 * @throws {NpyFormatError} not an NPY file, or not 2-D.
 */
export function decodeEmbeddingMatrix(
  npy: Uint8Array,
  path = '<npy>',
): { data: Float32Array; rows: number; dimension: number } {
  const { data, shape } = decodeNpy(npy, path);
  if (shape.length !== 2)
    throw new NpyFormatError(path, `expected a 2-D array [N, D], got shape (${shape.join(', ')})`);
  return { data, rows: shape[0], dimension: shape[1] };
}

/**
 * Decodes the `.csv` of a pair without checking values beyond their syntax (see {@link decodeEmbeddingRows} for the
 * checked form). The header is `image,category`, or `,image,category` with a leading pandas index column.
 * @throws {CsvFormatError} unparsable text or another header.
 */
export function decodeEmbeddingCsv(csv: string, path = '<csv>'): { image: string; category: string }[] {
  try {
    return parseCsv(csv, EMBEDDING_CSV_COLUMNS, path);
  } catch (err) {
    try {
      return parseCsv(csv, ['', ...EMBEDDING_CSV_COLUMNS], path);
    } catch {
      throw err;
    }
  }
}

/**
 * Decodes and checks the `.csv` of a pair: every category a non-negative integer, every image non-empty.
 * @throws {CsvFormatError} as {@link decodeEmbeddingCsv}, plus a bad category or an empty image (names the line).
 */
export function decodeEmbeddingRows(csv: string, path = '<csv>'): EmbeddingRow[] {
  return decodeEmbeddingCsv(csv, path).map((r, i) => {
    const category = parseCategory(r.category);
    if (category === undefined) {
      throw new CsvFormatError(
        path,
        `line ${i + 2}: category ${JSON.stringify(r.category)} is not a non-negative integer`,
      );
    }
    if (r.image.length === 0) throw new CsvFormatError(path, `line ${i + 2}: empty image name`);
    return { image: r.image, category };
  });
}

/**
 * Decodes an identities file (`category,name`): label → name, both unique.
 * @throws {CsvFormatError} bad header or category, an empty name, a label or a name that appears twice.
 */
export function decodeIdentitiesCsv(text: string, path = '<identities.csv>'): Map<number, string> {
  const names = new Map<number, string>();
  const seen = new Set<string>();
  parseCsv(text, IDENTITIES_CSV_COLUMNS, path).forEach((r, i) => {
    const c = parseCategory(r.category);
    if (c === undefined) throw new CsvFormatError(path, `line ${i + 2}: bad category ${JSON.stringify(r.category)}`);
    if (r.name.length === 0) throw new CsvFormatError(path, `line ${i + 2}: empty name`);
    if (names.has(c)) throw new CsvFormatError(path, `line ${i + 2}: category ${c} appears twice`);
    if (seen.has(r.name)) throw new CsvFormatError(path, `line ${i + 2}: name ${JSON.stringify(r.name)} appears twice`);
    names.set(c, r.name);
    seen.add(r.name);
  });
  return names;
}

/** Formats `image,category` rows as the pair's CSV text. */
export function encodeEmbeddingRows(rows: readonly EmbeddingRow[]): string {
  return formatCsv(rows, EMBEDDING_CSV_COLUMNS);
}

/** Formats label → name as the identities file, sorted by label. */
export function encodeIdentitiesCsv(names: ReadonlyMap<number, string>): string {
  const rows = [...names].sort((a, b) => a[0] - b[0]).map(([category, name]) => ({ category, name }));
  return formatCsv(rows, IDENTITIES_CSV_COLUMNS);
}

/**
 * Decodes a pair and resolves every row's identity (from the identities file when given, else from the image names;
 * see the module doc).
 * @param files `npy` bytes, `csv` text, and the identities file's text if there is one.
 * @returns the rows in file order; values finite (norms are not checked here).
 * @throws {NpyFormatError} bad or non-2-D NPY. @throws {CsvFormatError} bad CSV, a row count differing from N, an
 *   image id that appears twice, a label missing from the identities file, or (without it) labels that do not match
 *   the names read from the image names one to one. @throws {InvalidEmbeddingError} a non-finite value (names the row).
 */
export function decodeEmbeddingPair(
  files: { npy: Uint8Array; csv: string; identitiesCsv?: string },
  names: EmbeddingPairNames = {},
): EmbeddingPair {
  const npyName = names.npy ?? '<npy>';
  const csvName = names.csv ?? '<csv>';
  const idsName = names.identitiesCsv ?? identitiesCsvPath(csvName);
  const m = decodeEmbeddingMatrix(files.npy, npyName);
  const rows = decodeEmbeddingRows(files.csv, csvName);
  if (rows.length !== m.rows) throw new CsvFormatError(csvName, `${rows.length} rows, but ${npyName} has ${m.rows}`);
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    if (seen.has(r.image))
      throw new CsvFormatError(csvName, `line ${i + 2}: image ${JSON.stringify(r.image)} appears twice`);
    seen.add(r.image);
  });
  let identities: string[];
  if (files.identitiesCsv !== undefined) {
    const byLabel = decodeIdentitiesCsv(files.identitiesCsv, idsName);
    identities = rows.map((r, i) => {
      const name = byLabel.get(r.category);
      if (name === undefined)
        throw new CsvFormatError(csvName, `line ${i + 2}: category ${r.category} is not in ${idsName}`);
      return name;
    });
  } else {
    identities = rows.map((r) => identityFromImagePath(r.image));
    const nameOf = new Map<number, string>();
    const labelOf = new Map<string, number>();
    rows.forEach((r, i) => {
      const name = identities[i];
      const known = nameOf.get(r.category);
      const label = labelOf.get(name);
      if ((known !== undefined && known !== name) || (label !== undefined && label !== r.category)) {
        throw new CsvFormatError(
          csvName,
          `line ${i + 2}: image ${JSON.stringify(r.image)} reads as identity ${JSON.stringify(name)}, but its category ` +
            `${r.category} ${known !== undefined && known !== name ? `holds ${JSON.stringify(known)}` : `differs from ${label}`}: ` +
            `the names cannot be taken from the image names; add ${idsName} (category,name)`,
        );
      }
      nameOf.set(r.category, name);
      labelOf.set(name, r.category);
    });
  }
  const D = m.dimension;
  for (let r = 0; r < m.rows; r++) {
    for (let j = r * D, e = j + D; j < e; j++) {
      if (!Number.isFinite(m.data[j]))
        throw new InvalidEmbeddingError(
          `${npyName} row ${r} (${rows[r].image}) holds ${m.data[j]} at column ${j - r * D}`,
        );
    }
  }
  return { dimension: D, embeddings: m.data, imageIds: rows.map((r) => r.image), identities };
}

/**
 * Encodes a pair as its three files. Labels are numbered 0, 1, … in order of each identity's first row.
 * @param pair `embeddings` row-major `[N, D]`, `imageIds` and `identities` of length N.
 * @throws {InvalidArgumentError} lengths that disagree, an empty image id or name.
 * @throws {EmbeddingDimensionError} `embeddings.length` is not N·D. @throws {InvalidEmbeddingError} a non-finite value.
 */
export function encodeEmbeddingPair(pair: EmbeddingPair): EmbeddingPairFiles {
  const N = pair.imageIds.length;
  const D = pair.dimension;
  if (!Number.isSafeInteger(D) || D < 0) throw new InvalidArgumentError(`bad dimension ${D}`);
  if (pair.identities.length !== N)
    throw new InvalidArgumentError(`${N} image ids but ${pair.identities.length} identities`);
  if (pair.embeddings.length !== N * D) throw new EmbeddingDimensionError(N * D, pair.embeddings.length);
  const labels = new Map<string, number>();
  const rows = pair.imageIds.map((image, r) => {
    const name = pair.identities[r];
    if (typeof image !== 'string' || image.length === 0) throw new InvalidArgumentError(`row ${r}: empty image id`);
    if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError(`row ${r}: empty identity`);
    if (!labels.has(name)) labels.set(name, labels.size);
    return { image, category: labels.get(name) as number };
  });
  for (let i = 0; i < pair.embeddings.length; i++) {
    if (!Number.isFinite(pair.embeddings[i]))
      throw new InvalidEmbeddingError(`row ${Math.floor(i / D)} holds ${pair.embeddings[i]} at column ${i % D}`);
  }
  return {
    npy: encodeNpy(pair.embeddings, [N, D]),
    csv: encodeEmbeddingRows(rows),
    identitiesCsv: encodeIdentitiesCsv(new Map([...labels].map(([name, c]) => [c, name]))),
  };
}
