import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { CsvFormatError } from './errors.js';

/**
 * CSV reading and writing (RFC 4180 via csv-parse / csv-stringify) with a required header.
 * @module
 */

/**
 * Parses CSV text whose first line is a header containing exactly `columns` (in this order).
 * @returns one record per data row, keyed by column name.
 * @throws {CsvFormatError} when the header differs, a row has a different number of fields, or the text does not parse.
 */
export function parseCsv<C extends string>(text: string, columns: readonly C[], path = '<csv>'): Record<C, string>[] {
  let rows: string[][];
  try {
    rows = parse(text.replace(/^\uFEFF/, ''), { skip_empty_lines: true, relax_column_count: true }) as string[][];
  } catch (err) {
    throw new CsvFormatError(path, (err as Error).message);
  }
  if (rows.length === 0) throw new CsvFormatError(path, `empty file; expected header ${columns.join(',')}`);
  const header = rows[0].map((h) => h.trim());
  if (header.length !== columns.length || header.some((h, i) => h !== columns[i])) {
    throw new CsvFormatError(path, `header is "${header.join(',')}", expected "${columns.join(',')}"`);
  }
  return rows.slice(1).map((row, i) => {
    if (row.length !== columns.length) {
      throw new CsvFormatError(path, `line ${i + 2} has ${row.length} fields, expected ${columns.length}`);
    }
    const rec = {} as Record<C, string>;
    columns.forEach((c, j) => {
      rec[c] = row[j];
    });
    return rec;
  });
}

/** Formats records as CSV text with a header line, quoting fields where needed. */
export function formatCsv<C extends string>(
  rows: readonly Record<C, string | number>[],
  columns: readonly C[],
): string {
  return stringify(rows as Record<string, unknown>[], { header: true, columns: [...columns] as string[] });
}
