// `--precision int8` on the command line: `eolgul lfw eval` says which precision ran (text and JSON) and scores the
// easy pairs of the sample gallery as FP32 does; an unknown precision is a usage error. Enroll, identify and verify
// at int8 are in cli-detector-options.test.ts.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, DATA } from './cli-helpers.js';

const PEOPLE: [string, number[]][] = [
  ['Jackie_Chan', [2, 3, 6, 7]],
  ['Roh_Moo-hyun', [1, 2, 3, 6]],
  ['Serena_Williams', [1, 2, 3, 4]],
  ['Tom_Hanks', [4, 5, 6, 7]],
];

let tmp: string;
let pairs: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'eolgul-precision-'));
  // LFW View-2 format over the sample gallery: 10 folds of 1 matched and 1 mismatched pair.
  const lines = ['10\t1'];
  for (let k = 0; k < 10; k++) {
    const [name, ns] = PEOPLE[k % 4];
    const [other, os] = PEOPLE[(k + 1) % 4];
    lines.push(`${name}\t${ns[k % 3]}\t${ns[3]}`, `${name}\t${ns[k % 4]}\t${other}\t${os[k % 4]}`);
  }
  pairs = join(tmp, 'pairs.txt');
  await writeFile(pairs, `${lines.join('\n')}\n`);
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('eolgul --precision', () => {
  it('lfw eval reports the precision it ran, and int8 answers the sample pairs as FP32 does', async () => {
    const result: Record<string, { accuracy: number; missingFaces: number; precision: string }> = {};
    for (const precision of ['fp32', 'int8']) {
      const json = join(tmp, `${precision}.json`);
      const args = [
        'lfw',
        'eval',
        '--images',
        join(DATA, 'gallery'),
        '--pairs',
        pairs,
        '--json',
        json,
        '--workers',
        '1',
      ];
      const r = await cli('--precision', precision, ...args);
      expect(r.code, r.err.join('\n')).toBe(0);
      expect(r.out.join('\n')).toContain(`precision: ${precision}`);
      // A sample this small cannot measure FAR = 1e-3: the line says so.
      expect(r.out.join('\n')).toMatch(/at FAR = 1e-3 \(only \d+ mismatched pairs: FAR = 1e-3 needs at least 1000/);
      result[precision] = JSON.parse(await readFile(json, 'utf8'));
    }
    expect(result.int8).toMatchObject({ precision: 'int8', accuracy: 1, missingFaces: 0 });
    expect(result.fp32).toMatchObject({ precision: 'fp32', accuracy: 1, missingFaces: 0 });
  }, 120_000);

  it('refuses an unknown precision with exit code 2, naming the choices', async () => {
    const probe = join(DATA, 'probes', 'Tom_Hanks_0008.jpg');
    const r = await cli('--precision', 'fp16', 'verify', probe, probe);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(/fp32.*int8/);
  });
});
