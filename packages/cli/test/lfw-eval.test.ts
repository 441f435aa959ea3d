import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './cli-helpers.js';

// Regression guard over the full LFW subset (../shared/data/lfw-subset: 3344 images, 6000 View-2 pairs).
// Floors sit a little under what `pnpm bench:accuracy` measures (docs/benchmarks/accuracy.md); the targets are higher.
const LFW = join(__dirname, '..', '..', '..', '..', 'shared', 'data', 'lfw-subset');

/** Runs `eolgul lfw eval --rank1` over the subset with extra flags; returns the command's output and its JSON result. */
async function lfwEval(...flags: string[]) {
  const out = join(await mkdtemp(join(tmpdir(), 'eolgul-lfw-')), 'result.json');
  const r = await cli(
    'lfw',
    'eval',
    '--images',
    join(LFW, 'images'),
    '--pairs',
    join(LFW, 'pairs.txt'),
    '--rank1',
    ...flags,
    '--json',
    out,
  );
  expect(r.code, r.err.join('\n')).toBe(0);
  return { r, res: JSON.parse(await readFile(out, 'utf8')) };
}

/** Floors of one run: every image has a face, and each metric is at least its floor. */
interface Floors {
  accuracy: number;
  tarAtFar1e3: number;
  auc: number;
  rank1: number;
  rank1NearestImage?: number;
}
function expectFloors(res: Record<string, number>, floors: Floors) {
  expect(res.missingFaces).toBe(0);
  for (const [key, floor] of Object.entries(floors)) expect(res[key], key).toBeGreaterThanOrEqual(floor);
}

describe('eolgul lfw eval on the LFW subset', () => {
  it('keeps the default pipeline at the accuracy goal: measured 99.70 %, AUC 0.99977, TAR 99.33 %, rank-1 99.93 %, no face missed', async () => {
    expect(existsSync(join(LFW, 'pairs.txt')), `LFW subset expected at ${LFW}`).toBe(true);
    const { r, res } = await lfwEval();
    expect(r.out.join('\n')).toContain("MTCNN's ONet (--refine onet)");
    expect(Object.keys(res)).toEqual(
      expect.arrayContaining(['accuracy', 'accuracyStd', 'auc', 'tarAtFar1e3', 'threshold', 'pairs', 'missingFaces']),
    );
    expect([res.refine, res.detector, res.pairs]).toEqual(['onet', 'fr_detect', 6000]);
    // Goal of issue 3: ≥ 99.7 %, TAR ≥ 99 %, rank-1 ≥ 99.8 %. Accuracy moves in steps of one pair (0.017 %): the floor
    // leaves two pairs for floating-point differences of another CPU's kernels; AUC and TAR are the steadier guards.
    expectFloors(res, { accuracy: 0.9965, tarAtFar1e3: 0.99, auc: 0.9995, rank1: 0.998, rank1NearestImage: 0.998 });
    expect(res.threshold).toBeGreaterThan(0.9);
    expect(res.threshold).toBeLessThan(1.4);
  }, 900_000);

  it.each([
    // flags, line the report must hold, floors (each a little under what was measured)
    [
      ['--refine', 'none'],
      '68-point model',
      { accuracy: 0.994, tarAtFar1e3: 0.985, auc: 0.998, rank1: 0.996, rank1NearestImage: 0.995 },
    ], // 99.60 %, 0.99862, 99.13 %, 99.82 %
    [['--refine', 'mesh'], 'FaceMesh', { accuracy: 0.995, tarAtFar1e3: 0.99, auc: 0.9985, rank1: 0.997 }], // 99.67 %, 0.99898, 99.47 %, 99.89 %
    [['--detector', 'mtcnn'], 'detector: mtcnn', { accuracy: 0.9965, tarAtFar1e3: 0.99, auc: 0.9993, rank1: 0.998 }], // 99.70 %, 0.99967, 99.43 %, 99.93 %
  ] as [string[], string, Floors][])(
    'with %j keeps its floors',
    async (flags, line, floors) => {
      const { r, res } = await lfwEval(...flags);
      expect(r.out.join('\n')).toContain(line);
      expect(flags[0] === '--refine' ? res.refine : res.detector).toBe(flags[1]);
      expectFloors(res, floors);
    },
    900_000,
  );
});
