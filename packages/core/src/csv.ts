import { CsvFormatError } from './errors.js';

/**
 * CSV reading and writing (RFC 4180: comma-separated, `"`-quoted fields, `""` for a quote inside one) with a required
 * header, browser-safe (text in, text out).
 *
 * Written here rather than taken from a library: csv-parse and csv-stringify need Node's `Buffer` (a browser bundle
 * dies with `Buffer is not defined`), papaparse `require`s Node's `stream`, and d3-dsv reads an unterminated quote as
 * data without a word. The files this package reads are ours or the seed project's: fixed columns, strict RFC 4180,
 * and a damaged quote must be an error that names the line.
 *
 * Cells that a spreadsheet would run as a formula (first character `=`, `+`, `-`, `@`, tab or carriage return) are
 * written with a leading apostrophe, as OWASP's "CSV Injection" page recommends; a cell that starts with an
 * apostrophe followed by one of those characters or by another apostrophe gets one too, so that reading strips exactly
 * one apostrophe from such cells and every string comes back unchanged.
 * @module
 */

/** The first characters that make a spreadsheet evaluate a cell as a formula (OWASP, "CSV Injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A cell written by {@link escapeCsvFormula}: an apostrophe followed by a formula start or another apostrophe. */
const ESCAPED = /^'[=+\-@\t\r']/;

/**
 * Neutralises a cell that a spreadsheet would evaluate: `=cmd|' /C calc'!A0` → `'=cmd|' /C calc'!A0`. Cells that
 * already start with `'=`… (or `''`) get one more apostrophe so that {@link unescapeCsvFormula} restores any string.
 */
export function escapeCsvFormula(cell: string): string {
  return FORMULA_START.test(cell) || ESCAPED.test(cell) ? `'${cell}` : cell;
}

/** Undoes {@link escapeCsvFormula}: strips the apostrophe in front of `=`, `+`, `-`, `@`, tab, CR or `'`. */
export function unescapeCsvFormula(cell: string): string {
  return ESCAPED.test(cell) ? cell.slice(1) : cell;
}

/** Options of {@link formatCsv}. */
export interface CsvWriteOptions {
  /** Escape formula-leading string cells with {@link escapeCsvFormula}. Default true. Numbers are never escaped. */
  escapeFormulas?: boolean;
}

/** Options of {@link parseCsv}. */
export interface CsvReadOptions {
  /** Undo {@link escapeCsvFormula} on every cell. Default true. */
  unescapeFormulas?: boolean;
}

function quoteCell(value: string | number, escapeFormulas: boolean): string {
  let s = typeof value === 'number' ? String(value) : escapeFormulas ? escapeCsvFormula(value) : value;
  if (typeof value === 'string' && (/[",\n\r]/.test(s) || (escapeFormulas && s !== value))) {
    s = `"${s.replace(/"/g, '""')}"`;
  }
  return s;
}

/**
 * Formats records as CSV text: a header line with `columns`, then one line per record, each ended by `\n`. Fields
 * holding `,`, `"`, CR or LF are quoted; formula-leading cells are escaped (see the module doc).
 * @param rows records keyed by column name; numbers are written as JavaScript prints them.
 */
export function formatCsv<C extends string>(
  rows: readonly Record<C, string | number>[],
  columns: readonly C[],
  options: CsvWriteOptions = {},
): string {
  const escapeFormulas = options.escapeFormulas ?? true;
  let out = `${columns.map((c) => quoteCell(c, escapeFormulas)).join(',')}\n`;
  for (const row of rows) out += `${columns.map((c) => quoteCell(row[c], escapeFormulas)).join(',')}\n`;
  return out;
}

/**
 * Splits CSV text into records of fields (RFC 4180). Records end with LF or CRLF; a quoted field may hold commas,
 * quotes (doubled) and line breaks. Lines that are entirely empty are skipped; a leading UTF-8 byte-order mark is
 * ignored.
 * @param path used only in error messages.
 * @returns each record with the 1-based line number it starts on.
 * @throws {CsvFormatError} an unterminated quoted field, a character after a closing quote, a quote inside an unquoted
 *   field, or a carriage return that does not end a line (each names the line).
 */
export function parseCsvRecords(text: string, path = '<csv>'): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < n) {
    const start = line;
    if (text.charCodeAt(i) === 10 || (text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10)) {
      i += text.charCodeAt(i) === 13 ? 2 : 1;
      line++;
      continue; // an empty line
    }
    const fields: string[] = [];
    for (;;) {
      let field: string;
      if (text.charCodeAt(i) === 34) {
        // Quoted field.
        let value = '';
        let j = i + 1;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) throw new CsvFormatError(path, `line ${start}: a quoted field is never closed`);
          const chunk = text.slice(j, q);
          for (let k = chunk.indexOf('\n'); k >= 0; k = chunk.indexOf('\n', k + 1)) line++;
          value += chunk;
          if (text.charCodeAt(q + 1) === 34) {
            value += '"';
            j = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        field = value;
        const c = text.charCodeAt(i);
        if (i < n && c !== 44 && c !== 10 && !(c === 13 && text.charCodeAt(i + 1) === 10)) {
          throw new CsvFormatError(path, `line ${line}: unexpected ${JSON.stringify(text[i])} after a closing quote`);
        }
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === 44 || c === 10) break;
          if (c === 13) {
            if (text.charCodeAt(j + 1) === 10) break;
            throw new CsvFormatError(path, `line ${line}: a carriage return inside an unquoted field`);
          }
          if (c === 34) throw new CsvFormatError(path, `line ${line}: a quote inside an unquoted field`);
          j++;
        }
        field = text.slice(i, j);
        i = j;
      }
      fields.push(field);
      const c = text.charCodeAt(i);
      if (c === 44) {
        i++;
        continue;
      }
      if (c === 13) i += 2;
      else if (c === 10) i += 1;
      if (i <= n && (c === 10 || c === 13)) line++;
      break;
    }
    records.push({ line: start, fields });
  }
  return records;
}

/**
 * Parses CSV text whose first record is a header of exactly `columns` (in this order; white space around header names
 * is ignored).
 * @param path used only in error messages.
 * @returns one record per data row, keyed by column name, formula escapes undone (see {@link CsvReadOptions}).
 * @throws {CsvFormatError} the text does not parse, the header differs, or a row has a different number of fields
 *   (names the line).
 */
export function parseCsv<C extends string>(
  text: string,
  columns: readonly C[],
  path = '<csv>',
  options: CsvReadOptions = {},
): Record<C, string>[] {
  const unescapeFormulas = options.unescapeFormulas ?? true;
  const records = parseCsvRecords(text, path);
  if (records.length === 0) throw new CsvFormatError(path, `empty file; expected header ${columns.join(',')}`);
  const header = records[0].fields.map((h) => (unescapeFormulas ? unescapeCsvFormula(h) : h).trim());
  if (header.length !== columns.length || header.some((h, i) => h !== columns[i])) {
    throw new CsvFormatError(path, `header is "${header.join(',')}", expected "${columns.join(',')}"`);
  }
  const out: Record<C, string>[] = new Array(records.length - 1);
  for (let r = 1; r < records.length; r++) {
    const { line, fields } = records[r];
    if (fields.length !== columns.length) {
      throw new CsvFormatError(path, `line ${line} has ${fields.length} fields, expected ${columns.length}`);
    }
    const rec = {} as Record<C, string>;
    for (let j = 0; j < columns.length; j++)
      rec[columns[j]] = unescapeFormulas ? unescapeCsvFormula(fields[j]) : fields[j];
    out[r - 1] = rec;
  }
  return out;
}

/**
 * Decodes bytes as UTF-8, refusing bytes that are not valid UTF-8 instead of turning them into U+FFFD.
 * @param path used only in the error message.
 * @throws {CsvFormatError} the bytes are not valid UTF-8 (names the byte offset of the first bad sequence).
 */
export function decodeUtf8Text(bytes: Uint8Array, path = '<csv>'): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const loose = new TextDecoder('utf-8').decode(bytes);
    const at = new TextEncoder().encode(loose.slice(0, loose.indexOf('\ufffd'))).length;
    throw new CsvFormatError(path, `not valid UTF-8 (first bad byte near offset ${at})`);
  }
}
