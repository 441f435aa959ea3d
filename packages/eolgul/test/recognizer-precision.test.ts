// `precision: 'int8'` through the front door against FP32 on the demo set (examples/data: 4 LFW people enrolled from
// 4 photos each; 10 probes, 2 of them of Meryl Streep, who is not enrolled): the same identity decisions at either
// precision and across them (a gallery enrolled at one precision searched at the other), in this thread and in workers.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { euclideanDistance } from '@eolgul/core';
import { createFaceRecognizer, InvalidArgumentError } from 'eolgul';

const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'data');
let tmp: string;
let people: [string, string[]][];
let probes: string[];
/** What each probe should be called: its person, or unknown for the one who is not enrolled. */
const expected = () =>
  probes.map((p) =>
    p.includes('Meryl_Streep')
      ? 'unknown'
      : p
          .split('/')
          .pop()!
          .replace(/_\d{4}\.jpg$/, ''),
  );

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'eolgul-precision-'));
  const names = (await readdir(join(DATA, 'gallery'))).sort();
  people = await Promise.all(
    names.map(async (n) => {
      const files = (await readdir(join(DATA, 'gallery', n))).sort().map((f) => join(DATA, 'gallery', n, f));
      return [n, files] as [string, string[]];
    }),
  );
  probes = (await readdir(join(DATA, 'probes'))).sort().map((f) => join(DATA, 'probes', f));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** Enrolls every demo person into the gallery folder `dir` at `precision`. */
async function enrollAll(dir: string, precision: 'fp32' | 'int8'): Promise<void> {
  const r = await createFaceRecognizer({ gallery: dir, precision });
  try {
    for (const [name, files] of people) await r.enroll(name, files);
  } finally {
    await r.dispose();
  }
}

/** Each probe's main face as `precision` calls it against the gallery in `dir`: a name, or 'unknown'. */
async function decisions(dir: string, precision: 'fp32' | 'int8'): Promise<string[]> {
  const r = await createFaceRecognizer({ gallery: dir, precision });
  try {
    const out: string[] = [];
    for (const p of probes) {
      const [face] = await r.identify(p);
      out.push(face.match?.accepted ? face.match.identity : 'unknown');
    }
    return out;
  } finally {
    await r.dispose();
  }
}

describe("createFaceRecognizer({ precision: 'int8' })", () => {
  let fp32Dir: string;
  let int8Dir: string;
  beforeAll(async () => {
    fp32Dir = join(tmp, 'fp32');
    int8Dir = join(tmp, 'int8');
    await enrollAll(fp32Dir, 'fp32');
    await enrollAll(int8Dir, 'int8');
  });

  it('makes the right identity decisions on the demo set, the same as FP32, also across precisions', async () => {
    expect(await decisions(fp32Dir, 'fp32')).toEqual(expected());
    expect(await decisions(int8Dir, 'int8')).toEqual(expected());
    expect(await decisions(fp32Dir, 'int8')).toEqual(expected());
    expect(await decisions(int8Dir, 'fp32')).toEqual(expected());
  });

  it('gives embeddings close to FP32, and the same in a worker as in this thread', async () => {
    const fp32 = await createFaceRecognizer();
    const int8 = await createFaceRecognizer({ precision: 'int8' });
    const pool = await createFaceRecognizer({ precision: 'int8', workers: 1 });
    try {
      for (const p of probes.slice(0, 4)) {
        const [a] = (await fp32.analyse(p)).faces;
        const [b] = (await int8.analyse(p)).faces;
        const [c] = (await pool.analyse(p)).faces;
        // Unit vectors: L2 0.2 is cosine 0.98 (the embedder's own test bound).
        expect(euclideanDistance(a.embedding, b.embedding)).toBeLessThan(0.2);
        expect(euclideanDistance(a.embedding, b.embedding)).toBeGreaterThan(0);
        expect(euclideanDistance(b.embedding, c.embedding)).toBeLessThan(1e-5);
      }
    } finally {
      await Promise.all([fp32.dispose(), int8.dispose(), pool.dispose()]);
    }
  });

  it('refuses a precision it does not have, naming the choices', async () => {
    // @ts-expect-error not a precision
    const err = await createFaceRecognizer({ precision: 'fp16' }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.message).toMatch(/precision must be 'fp32' or 'int8', got "fp16"/);
  });
});
