/**
 * The embedder gives, byte for byte, the embeddings recorded from the code before it was reshaped
 * (scripts/record-reference-outputs.mjs): every face of 29 images, one at a time, in one batch, and with test-time flip.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alignFace, createFaceDetector } from '@eolgul/detector';
import { readImage } from '@eolgul/detector/node';
import { createFaceEmbedder } from '@eolgul/embedder';
// @ts-expect-error plain .mjs helper without type declarations
import { embedderOutputs, referenceImages } from '../../../scripts/lib/reference-outputs.mjs';

const recorded = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'reference-outputs.json'), 'utf8'));

describe('embedder outputs against the recorded reference', () => {
  it('the same aligned crops and the same embeddings, single, batched and flipped', async () => {
    const api = { createFaceDetector, alignFace, createFaceNet: createFaceEmbedder };
    const now = await embedderOutputs(api, await referenceImages(readImage));
    for (const part of Object.keys(recorded)) expect(now[part], part).toEqual(recorded[part]);
  }, 300_000);
});
