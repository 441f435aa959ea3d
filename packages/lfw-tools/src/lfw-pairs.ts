import { InvalidArgumentError, PairsFormatError } from '@eolgul/core';

/**
 * Parsing of the LFW View-2 `pairs.txt` protocol file.
 *
 * Format (Huang et al., "Labeled Faces in the Wild", 2007, README of the LFW distribution,
 * http://vis-www.cs.umass.edu/lfw/README.txt): the first line is `<folds>\t<perFold>` (`10\t300` for View 2);
 * then, for each fold in turn, `perFold` matched lines `Name\tn1\tn2` followed by `perFold` mismatched lines
 * `Name1\tn1\tName2\tn2`, where `n` is the 1-based image number of the person (`Name/Name_0005.jpg` for 5).
 * The View-1 files (`pairsDevTrain.txt`, `pairsDevTest.txt`) start with a single number `<perFold>` and are read as one fold.
 * @module
 */

/** One pair of images of the protocol. */
export interface LfwPair {
  /** 0-based fold index, `0 .. folds - 1`, from the pair's position in the file. */
  fold: number;
  /** First image, relative to the LFW images folder, e.g. `"Aaron_Peirsol/Aaron_Peirsol_0001.jpg"`. */
  a: string;
  /** Second image, same form as {@link LfwPair.a}. */
  b: string;
  /** `true` for a matched pair (same person), `false` for a mismatched pair. */
  same: boolean;
}

/** The parsed content of a pairs file. */
export interface LfwPairs {
  /** Number of folds (10 for View 2). */
  folds: number;
  /** Matched pairs per fold, equal to the mismatched pairs per fold (300 for View 2). */
  perFold: number;
  /** All pairs in file order: `folds * perFold * 2` of them. */
  pairs: LfwPair[];
}

/**
 * The path of an LFW image relative to the images folder: `<Name>/<Name>_<NNNN>.jpg`, the number zero-padded to 4 digits.
 * @param name person's name as in LFW, e.g. `"George_W_Bush"`.
 * @param n 1-based image number.
 * @returns e.g. `lfwImagePath("Ariel_Sharon", 5) === "Ariel_Sharon/Ariel_Sharon_0005.jpg"`.
 * @throws {InvalidArgumentError} when `n` is not a positive integer or `name` is empty, contains a path separator or
 *   is `.` / `..` (a name must never lead outside the images folder).
 */
export function lfwImagePath(name: string, n: number): string {
  const bad = badName(name);
  if (bad) throw new InvalidArgumentError(`LFW person name ${JSON.stringify(name)} ${bad}`);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError(`LFW image number must be a positive integer, got ${n}`);
  return `${name}/${name}_${String(n).padStart(4, '0')}.jpg`;
}

function badName(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (/[/\\\0]/.test(name)) return 'contains a path separator';
  if (name === '.' || name === '..') return 'is not a name';
  return undefined;
}

const POSITIVE_INT = /^[0-9]+$/;

/**
 * Parses an LFW pairs file (View 2 `pairs.txt`, or a View-1 file, see the module doc).
 * Fields may be separated by tabs or spaces; CRLF line ends, a UTF-8 BOM and trailing blank lines are accepted.
 * Folds are assigned by position in the file: fold `f` holds lines `2 + f·2·perFold` to `1 + (f + 1)·2·perFold`.
 * @param text the whole file.
 * @param path used only in error messages.
 * @returns the fold count, pairs per fold and kind, and every pair with its fold (0-based) and image paths
 *   relative to the images folder (see {@link lfwImagePath}).
 * @throws {PairsFormatError} with the 1-based line number in the message when the header is not `<folds>\t<perFold>`
 *   of positive integers, a line has the wrong number of fields for its position (3 in the matched half of a fold,
 *   4 in the mismatched half), an image number is not a positive integer, a name is empty or holds a path separator,
 *   a matched pair repeats one image, a mismatched pair names one person twice, or the file has more or fewer pair
 *   lines than the header announces.
 * @example
 * ```ts
 * const { folds, perFold, pairs } = parsePairs(readFileSync('pairs.txt', 'utf8'), 'pairs.txt');
 * // folds 10, perFold 300, pairs[0] = { fold: 0, a: 'Ariel_Sharon/Ariel_Sharon_0005.jpg', b: 'Ariel_Sharon/Ariel_Sharon_0007.jpg', same: true }
 * ```
 */
export function parsePairs(text: string, path = '<pairs>'): LfwPairs {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  const fail = (line: number, reason: string): never => {
    throw new PairsFormatError(path, `line ${line}: ${reason}`);
  };
  if (lines.length === 0) fail(1, 'empty file; expected a header "<folds>\\t<pairs per fold>", e.g. "10\\t300"');
  const head = lines[0].trim().split(/\s+/);
  if (head.length < 1 || head.length > 2 || !head.every((h) => POSITIVE_INT.test(h))) {
    fail(1, `header ${JSON.stringify(lines[0])} is not "<folds>\\t<pairs per fold>" of positive integers`);
  }
  const folds = head.length === 2 ? Number(head[0]) : 1;
  const perFold = Number(head[head.length - 1]);
  if (!Number.isSafeInteger(folds) || !Number.isSafeInteger(perFold) || folds < 1 || perFold < 1) {
    fail(1, `header ${JSON.stringify(lines[0])}: folds and pairs per fold must be positive integers`);
  }
  const expected = folds * perFold * 2;
  const available = Math.min(expected, lines.length - 1);
  const pairs: LfwPair[] = new Array(available);
  for (let i = 0; i < available; i++) {
    const lineNo = i + 2;
    const fold = Math.floor(i / (2 * perFold));
    const same = i % (2 * perFold) < perFold;
    const f = lines[i + 1].trim().split(/\s+/);
    const where = `fold ${fold} (0-based), ${same ? 'matched' : 'mismatched'} half`;
    const number = (s: string): number => {
      if (!POSITIVE_INT.test(s) || Number(s) < 1 || !Number.isSafeInteger(Number(s))) {
        fail(lineNo, `image number ${JSON.stringify(s)} is not a positive integer`);
      }
      return Number(s);
    };
    const name = (s: string): string => {
      const bad = badName(s);
      if (bad) fail(lineNo, `person name ${JSON.stringify(s)} ${bad}`);
      return s;
    };
    if (same) {
      if (f.length !== 3)
        fail(
          lineNo,
          `expected a matched pair "Name\\tn1\\tn2" in ${where}, got ${f.length} fields: ${JSON.stringify(lines[i + 1])}`,
        );
      const p = name(f[0]);
      const n1 = number(f[1]);
      const n2 = number(f[2]);
      if (n1 === n2) fail(lineNo, `matched pair repeats one image (${p} ${n1})`);
      pairs[i] = { fold, a: lfwImagePath(p, n1), b: lfwImagePath(p, n2), same: true };
    } else {
      if (f.length !== 4)
        fail(
          lineNo,
          `expected a mismatched pair "Name1\\tn1\\tName2\\tn2" in ${where}, got ${f.length} fields: ${JSON.stringify(lines[i + 1])}`,
        );
      const p1 = name(f[0]);
      const n1 = number(f[1]);
      const p2 = name(f[2]);
      const n2 = number(f[3]);
      if (p1 === p2) fail(lineNo, `mismatched pair names one person twice (${p1})`);
      pairs[i] = { fold, a: lfwImagePath(p1, n1), b: lfwImagePath(p2, n2), same: false };
    }
  }
  if (lines.length - 1 > expected) {
    fail(
      expected + 2,
      `the header announces ${folds} folds × ${perFold} × 2 = ${expected} pairs, but there are more lines`,
    );
  }
  if (lines.length - 1 < expected) {
    fail(
      lines.length,
      `the header announces ${folds} folds × ${perFold} × 2 = ${expected} pairs, but the file ends after ${lines.length - 1}`,
    );
  }
  return { folds, perFold, pairs };
}
