/**
 * The detector gives, byte for byte, the outputs recorded from the code before the image module, the runtime and the
 * detectors were reshaped (scripts/record-reference-outputs.mjs; 29 images, 8 configurations, MTCNN's refine).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as detector from '@eolgul/detector';
import { readImage } from '@eolgul/detector/node';
// @ts-expect-error plain .mjs helper without type declarations
import { detectorOutputs, referenceImages } from '../../../scripts/lib/reference-outputs.mjs';

const recorded = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'reference-outputs.json'), 'utf8'));

describe('detector outputs against the recorded reference', () => {
  it('every configuration gives the same boxes, scores and points on every image', async () => {
    const now = await detectorOutputs(detector, await referenceImages(readImage));
    for (const run of Object.keys(recorded)) expect(now[run], run).toEqual(recorded[run]);
    expect(Object.keys(now)).toEqual(Object.keys(recorded));
  }, 300_000);
});
