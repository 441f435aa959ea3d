import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, PairsFormatError } from '@eolgul/core';
import { lfwImagePath, parsePairs } from '../src/index.js';

/** The evaluation data, beside the repository (`../shared/data/lfw-subset`, read-only; CI has it at the same path). */
const LFW = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared/data/lfw-subset');

describe('parsePairs on the real LFW View-2 pairs.txt', () => {
  const file = path.join(LFW, 'pairs.txt');
  const { folds, perFold, pairs } = parsePairs(readFileSync(file, 'utf8'), file);

  it('reads 10 folds of 300 matched + 300 mismatched pairs', () => {
    expect(folds).toBe(10);
    expect(perFold).toBe(300);
    expect(pairs).toHaveLength(6000);
    for (let f = 0; f < 10; f++) {
      const fold = pairs.filter((p) => p.fold === f);
      expect(fold.filter((p) => p.same)).toHaveLength(300);
      expect(fold.filter((p) => !p.same)).toHaveLength(300);
    }
    // first lines of the file: "Ariel_Sharon\t5\t7", and the first mismatched line of fold 0 "Ariel_Sharon\t4\tJiang_Zemin\t4"
    expect(pairs[0]).toEqual({
      fold: 0,
      a: 'Ariel_Sharon/Ariel_Sharon_0005.jpg',
      b: 'Ariel_Sharon/Ariel_Sharon_0007.jpg',
      same: true,
    });
    expect(pairs[300]).toEqual({
      fold: 0,
      a: 'Ariel_Sharon/Ariel_Sharon_0004.jpg',
      b: 'Jiang_Zemin/Jiang_Zemin_0004.jpg',
      same: false,
    });
    expect(pairs[5999].fold).toBe(9);
  });

  it('has folds with disjoint people, as LFW View 2', () => {
    const people = Array.from({ length: folds }, () => new Set<string>());
    for (const p of pairs) for (const img of [p.a, p.b]) people[p.fold].add(img.split('/')[0]);
    for (let i = 0; i < folds; i++) {
      expect(people[i].size).toBeGreaterThan(0);
      for (let j = i + 1; j < folds; j++) {
        const shared = [...people[i]].filter((n) => people[j].has(n));
        expect(shared, `folds ${i} and ${j}`).toEqual([]);
      }
    }
  });

  it('names images that exist in the images folder, matched pairs of one person, mismatched of two', () => {
    for (const p of pairs) {
      const [pa, pb] = [p.a.split('/')[0], p.b.split('/')[0]];
      expect(pa === pb).toBe(p.same);
    }
    const missing = [...new Set(pairs.flatMap((p) => [p.a, p.b]))].filter(
      (img) => !existsSync(path.join(LFW, 'images', img)),
    );
    expect(missing).toEqual([]);
  });
});

describe('parsePairs on malformed input', () => {
  const good = ['2\t1', 'A\t1\t2', 'A\t1\tB\t1', 'C\t3\t4', 'C\t2\tD\t5'];
  const withLine = (lines: string[]) => lines.join('\n');

  it('parses a small file, with CRLF, spaces, a BOM and trailing blank lines', () => {
    const r = parsePairs(`\uFEFF${good.join('\r\n').replace('C\t3\t4', 'C 3  4')}\r\n\r\n`);
    expect(r.folds).toBe(2);
    expect(r.perFold).toBe(1);
    expect(r.pairs).toEqual([
      { fold: 0, a: 'A/A_0001.jpg', b: 'A/A_0002.jpg', same: true },
      { fold: 0, a: 'A/A_0001.jpg', b: 'B/B_0001.jpg', same: false },
      { fold: 1, a: 'C/C_0003.jpg', b: 'C/C_0004.jpg', same: true },
      { fold: 1, a: 'C/C_0002.jpg', b: 'D/D_0005.jpg', same: false },
    ]);
  });

  it('reads a View-1 file (single number header) as one fold', () => {
    const r = parsePairs('1\nA\t1\t2\nA\t1\tB\t1\n');
    expect(r.folds).toBe(1);
    expect(r.pairs).toHaveLength(2);
  });

  const cases: [string, string, RegExp][] = [
    ['empty file', '', /line 1: empty file/],
    ['header not numbers', withLine(['ten\t300', ...good.slice(1)]), /line 1: header/],
    ['header with zero', withLine(['0\t300']), /line 1: header/],
    ['header with three fields', withLine(['2\t1\t5', ...good.slice(1)]), /line 1: header/],
    ['too few lines', withLine(good.slice(0, 4)), /line 4: .* ends after 3/],
    ['too many lines', withLine([...good, 'E\t1\t2']), /line 6: .*more lines/],
    [
      'mismatched line in the matched half',
      withLine(['2\t1', 'A\t1\tB\t2', ...good.slice(2)]),
      /line 2: expected a matched pair/,
    ],
    [
      'matched line in the mismatched half',
      withLine(['2\t1', 'A\t1\t2', 'A\t1\t3', ...good.slice(3)]),
      /line 3: expected a mismatched pair/,
    ],
    ['image number not a number', withLine(['2\t1', 'A\t1\tx', ...good.slice(2)]), /line 2: image number "x"/],
    ['image number zero', withLine([...good.slice(0, 3), 'C\t0\t4', good[4]]), /line 4: image number "0"/],
    ['negative image number', withLine([...good.slice(0, 4), 'C\t-2\tD\t5']), /line 5: image number "-2"/],
    ['matched pair repeats one image', withLine(['2\t1', 'A\t3\t3', ...good.slice(2)]), /line 2: matched pair repeats/],
    [
      'mismatched pair of one person',
      withLine(['2\t1', good[1], 'A\t1\tA\t2', ...good.slice(3)]),
      /line 3: mismatched pair names one person twice/,
    ],
    [
      'path in a name',
      withLine(['2\t1', '../etc\t1\t2', ...good.slice(2)]),
      /line 2: person name "..\/etc" contains a path separator/,
    ],
    ['blank line inside', withLine(['2\t1', good[1], '', ...good.slice(2)]), /line 3: expected a mismatched pair/],
  ];
  for (const [what, text, message] of cases) {
    it(`throws PairsFormatError with the line number: ${what}`, () => {
      let err: unknown;
      try {
        parsePairs(text, 'p.txt');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PairsFormatError);
      expect((err as PairsFormatError).code).toBe('PAIRS_FORMAT');
      expect((err as PairsFormatError).path).toBe('p.txt');
      expect((err as Error).message).toMatch(message);
    });
  }
});

describe('lfwImagePath', () => {
  it('pads the number to 4 digits', () => {
    expect(lfwImagePath('Ariel_Sharon', 5)).toBe('Ariel_Sharon/Ariel_Sharon_0005.jpg');
    expect(lfwImagePath('George_W_Bush', 530)).toBe('George_W_Bush/George_W_Bush_0530.jpg');
    expect(lfwImagePath('X', 12345)).toBe('X/X_12345.jpg');
  });
  it('refuses bad numbers and names', () => {
    for (const [name, n] of [
      ['A', 0],
      ['A', 1.5],
      ['A', -1],
      ['', 1],
      ['a/b', 1],
      ['..', 1],
    ] as const) {
      expect(() => lfwImagePath(name, n), `${name} ${n}`).toThrow(InvalidArgumentError);
    }
  });
});
