import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { RgbImage } from '@eolgul/core';
import { alignFace, createFaceDetector, readImage } from '@eolgul/detector';
import { createEmotionClassifier } from '@eolgul/emotion';
import { createFaceNet } from '@eolgul/facenet';
import { Gallery } from '@eolgul/gallery';
import { getTf } from '@eolgul/runtime';
import { DATA } from './cli-helpers.js';

// Issue 8: a video loop must not leak tfjs tensors. The whole real-time path (detect → align → embed → identify →
// emotion, real models on a real face) runs 300 times on one frame; tf.memory().numTensors must stay where it was after
// the first frame (the weights loaded by then), and go back to the count before loading after dispose(). Checked to
// fail: wrapping emotion.classify so that it leaves one tf.scalar behind per call makes the count grow and this test
// fail. (Latency and RSS are measured by scripts/bench-frame.mjs, not here.)

const FRAMES = 300;

/** 640×480 grey frame with the central 150×150 of an LFW photo scaled to 200×200 at (220, 120): one face. */
async function composeFrame(): Promise<RgbImage> {
  const face = await sharp(join(DATA, 'probes', 'Tom_Hanks_0008.jpg'))
    .extract({ left: 50, top: 50, width: 150, height: 150 })
    .resize(200, 200)
    .removeAlpha()
    .png()
    .toBuffer();
  const { data, info } = await sharp({
    create: { width: 640, height: 480, channels: 3, background: { r: 128, g: 128, b: 128 } },
  })
    .composite([{ input: face, left: 220, top: 120 }])
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

describe('memory: the frame pipeline keeps tfjs tensors flat', () => {
  it(`detect + align + embed + identify + emotion ${FRAMES} times leaves numTensors where the first frame left it`, async () => {
    const tf = await getTf();
    const before = tf.memory().numTensors;
    const detector = await createFaceDetector();
    const facenet = await createFaceNet();
    const emotion = await createEmotionClassifier();
    try {
      const enrollImage = await readImage(join(DATA, 'gallery', 'Tom_Hanks', 'Tom_Hanks_0004.jpg'));
      const [enrollFace] = await detector.detect(enrollImage);
      const gallery = Gallery.inMemory({
        dimension: facenet.dimension,
        modelId: facenet.modelId,
        defaultThreshold: 1.1,
      });
      await gallery.enroll(
        'Tom Hanks',
        [await facenet.embed(alignFace(enrollImage, enrollFace.landmarks, facenet.inputSize))],
        ['Tom_Hanks_0004.jpg'],
      );
      const frame = await composeFrame();

      const processFrame = async () => {
        const faces = await detector.detect(frame);
        const out = [];
        for (const face of faces) {
          const embedding = await facenet.embed(alignFace(frame, face.landmarks, facenet.inputSize));
          const [match] = gallery.identify(embedding);
          const expression = await emotion.classify(frame, face);
          out.push({ match, expression });
        }
        return out;
      };

      const first = await processFrame();
      // The pipeline did real work: one face, recognised, with an expression.
      expect(first).toHaveLength(1);
      expect(first[0].match.identity).toBe('Tom Hanks');
      expect(first[0].match.accepted).toBe(true);
      expect(Object.values(first[0].expression.scores).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
      const afterFirst = tf.memory().numTensors;
      expect(afterFirst).toBeGreaterThan(before); // tfjs is in use (the emotion model's weights)

      const counts: number[] = [];
      for (let i = 1; i < FRAMES; i++) {
        const r = await processFrame();
        expect(r).toHaveLength(1);
        if (i % 50 === 0) counts.push(tf.memory().numTensors);
      }
      expect(
        counts.every((c) => c === afterFirst),
        `numTensors every 50 frames: ${counts.join(', ')} (after the first: ${afterFirst})`,
      ).toBe(true);
      expect(tf.memory().numTensors).toBe(afterFirst);
    } finally {
      await detector.dispose();
      await facenet.dispose();
      await emotion.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 600_000);
});
