import {
  existsSync,
  mkdtempSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@eolgul/core';
import { copyFilteredPeople, filterPeople } from '../src/index.js';

const root = mkdtempSync(path.join(tmpdir(), 'lfw-filter-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Creates `<dir>/<Name>/<Name>_000k.jpg` for k = 1..n with distinct contents. */
function person(dir: string, name: string, n: number): void {
  mkdirSync(path.join(dir, name), { recursive: true });
  for (let k = 1; k <= n; k++)
    writeFileSync(path.join(dir, name, `${name}_${String(k).padStart(4, '0')}.jpg`), `${name}-${k}`);
}

const images = path.join(root, 'images');
person(images, 'Alice_A', 3);
person(images, 'Bob_B', 1);
person(images, 'Carol_C', 2);
person(images, 'Dave_D', 5);
writeFileSync(path.join(images, 'Dave_D', 'notes.txt'), 'not an image'); // not counted
writeFileSync(path.join(images, 'Dave_D', '.hidden.jpg'), 'hidden'); // not counted
writeFileSync(path.join(images, 'Carol_C', 'Carol_C_0003.PNG'), 'upper-case extension'); // counted
mkdirSync(path.join(images, 'Dave_D', 'sub'), { recursive: true });
writeFileSync(path.join(images, 'Dave_D', 'sub', 'Dave_D_0099.jpg'), 'nested'); // not directly in the person folder
writeFileSync(path.join(images, 'stray.jpg'), 'top-level file'); // not a person
person(path.join(root, 'elsewhere'), 'Eve_E', 3);
symlinkSync(path.join(root, 'elsewhere', 'Eve_E'), path.join(images, 'Eve_E')); // a linked person folder is followed

describe('filterPeople', () => {
  it('lists the people with at least n images, sorted, with their image paths', async () => {
    const people = await filterPeople(images, 3);
    expect(people).toEqual([
      { name: 'Alice_A', images: ['Alice_A/Alice_A_0001.jpg', 'Alice_A/Alice_A_0002.jpg', 'Alice_A/Alice_A_0003.jpg'] },
      { name: 'Carol_C', images: ['Carol_C/Carol_C_0001.jpg', 'Carol_C/Carol_C_0002.jpg', 'Carol_C/Carol_C_0003.PNG'] },
      { name: 'Dave_D', images: [1, 2, 3, 4, 5].map((k) => `Dave_D/Dave_D_000${k}.jpg`) },
      { name: 'Eve_E', images: [1, 2, 3].map((k) => `Eve_E/Eve_E_000${k}.jpg`) },
    ]);
  });

  it('is inclusive at the boundary and empty above every count', async () => {
    expect((await filterPeople(images, 5)).map((p) => p.name)).toEqual(['Dave_D']);
    expect((await filterPeople(images, 6)).map((p) => p.name)).toEqual([]);
    expect((await filterPeople(images, 1)).map((p) => p.name)).toEqual([
      'Alice_A',
      'Bob_B',
      'Carol_C',
      'Dave_D',
      'Eve_E',
    ]);
  });

  it('refuses a bad minimum or a missing folder with InvalidArgumentError', async () => {
    for (const n of [0, -1, 1.5, NaN]) await expect(filterPeople(images, n)).rejects.toThrow(InvalidArgumentError);
    await expect(filterPeople(path.join(root, 'nope'), 1)).rejects.toThrow(InvalidArgumentError);
    await expect(filterPeople(path.join(images, 'stray.jpg'), 1)).rejects.toThrow(InvalidArgumentError);
  });
});

describe('copyFilteredPeople', () => {
  it('copies the selected people in the LFW layout, byte for byte', async () => {
    const out = path.join(root, 'out', 'over3');
    expect(await copyFilteredPeople(images, 3, out)).toEqual({ people: 4, images: 14 });
    expect(readdirSync(out).sort()).toEqual(['Alice_A', 'Carol_C', 'Dave_D', 'Eve_E']);
    expect(readdirSync(path.join(out, 'Dave_D')).sort()).toEqual([1, 2, 3, 4, 5].map((k) => `Dave_D_000${k}.jpg`));
    expect(readFileSync(path.join(out, 'Carol_C', 'Carol_C_0003.PNG'), 'utf8')).toBe('upper-case extension');
    expect(readFileSync(path.join(out, 'Eve_E', 'Eve_E_0002.jpg'), 'utf8')).toBe('Eve_E-2');
    // running again overwrites in place
    expect(await copyFilteredPeople(images, 3, out)).toEqual({ people: 4, images: 14 });
  });

  it('refuses to write into the images folder', async () => {
    await expect(copyFilteredPeople(images, 3, images)).rejects.toThrow(InvalidArgumentError);
    await expect(copyFilteredPeople(images, 3, path.join(images, 'filtered'))).rejects.toThrow(InvalidArgumentError);
  });
});

describe('filterPeople on the real LFW subset', () => {
  const LFW = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared/data/lfw-subset/images');
  it('finds the 118 people with at least 10 images (3344 images), and the 9 with at least 50', async () => {
    expect(existsSync(LFW), LFW).toBe(true);
    const over10 = await filterPeople(LFW, 10);
    expect(over10).toHaveLength(118);
    expect(over10.reduce((n, p) => n + p.images.length, 0)).toBe(3344);
    expect(over10[0]).toMatchObject({ name: 'Abdullah_Gul' });
    expect(over10[0].images[0]).toBe('Abdullah_Gul/Abdullah_Gul_0001.jpg');
    // counted independently with `ls | wc -l` per folder
    expect((await filterPeople(LFW, 50)).map((p) => p.name)).toEqual([
      'Ariel_Sharon',
      'Colin_Powell',
      'Donald_Rumsfeld',
      'George_W_Bush',
      'Gerhard_Schroeder',
      'Hugo_Chavez',
      'Jacques_Chirac',
      'Jean_Chretien',
      'Serena_Williams',
    ]);
  });
});
