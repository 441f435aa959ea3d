/** @eolgul/facenet is @eolgul/embedder under the earlier names. */
import { describe, expect, it } from 'vitest';
import * as embedder from '@eolgul/embedder';
import { createFaceNet, DEFAULT_FACENET_CONFIG, DEFAULT_THRESHOLD } from '@eolgul/facenet';

describe('@eolgul/facenet', () => {
  it('re-exports the embedder under its earlier names', () => {
    expect(createFaceNet).toBe(embedder.createFaceEmbedder);
    expect(DEFAULT_FACENET_CONFIG).toBe(embedder.DEFAULT_EMBEDDER_CONFIG);
    expect(DEFAULT_THRESHOLD).toBe(1.1);
    expect(DEFAULT_FACENET_CONFIG).toMatchObject({ inputSize: 112, preprocess: 'arcface', channelOrder: 'bgr' });
  });
});
