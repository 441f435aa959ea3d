/**
 * The emotion classifier against the scores recorded from the code before it used the image module of @eolgul/core
 * (scripts/record-reference-outputs.mjs): 29 images, three configurations, with the main face's box and without. Its
 * crops now come from `resampleArea` (one 2-D pass in float64) instead of the package's own resampler (two 1-D passes
 * through float32 rows): the same weights, rounded differently, so the scores agree to about 1e-6, not to the bit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFaceDetector } from '@eolgul/detector';
import { readImage } from '@eolgul/detector/node';
import { createEmotionClassifier } from '@eolgul/emotion';
// @ts-expect-error plain .mjs helper without type declarations
import { emotionOutputs, referenceImages } from '../../../scripts/lib/reference-outputs.mjs';

type Scores = Record<string, number>;
const recorded: Record<string, Record<string, Scores>> = JSON.parse(
  readFileSync(join(__dirname, 'fixtures', 'reference-outputs.json'), 'utf8'),
);
const top = (r: Scores) => Object.keys(r).reduce((a, b) => (r[b] > r[a] ? b : a));

describe('emotion outputs against the recorded reference', () => {
  it('the same label, and every score within 1e-5, on every image and configuration', async () => {
    const now = await emotionOutputs({ createFaceDetector, createEmotionClassifier }, await referenceImages(readImage));
    expect(Object.keys(now)).toEqual(Object.keys(recorded));
    let maxDiff = 0;
    for (const run of Object.keys(recorded)) {
      expect(Object.keys(now[run]), run).toEqual(Object.keys(recorded[run]));
      for (const [image, scores] of Object.entries(recorded[run])) {
        const got: Scores = now[run][image];
        expect(top(got), `${run} ${image}`).toBe(top(scores));
        for (const label of Object.keys(scores)) maxDiff = Math.max(maxDiff, Math.abs(got[label] - scores[label]));
      }
    }
    expect(maxDiff).toBeLessThan(1e-5);
  }, 300_000);
});
