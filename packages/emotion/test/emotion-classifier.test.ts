import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EolgulError, InvalidArgumentError, ModelLoadError, type RgbImage } from '@eolgul/core';
import { getTf } from '@eolgul/runtime';
import { EMOTION_LABELS, createEmotionClassifier, type EmotionClassifier } from '../src/index.js';
import { FACES, cropRgb, fixturePath, readRgb } from './emotion-test-utils.js';

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

describe('createEmotionClassifier (default model) on real LFW faces', () => {
  let emotion: EmotionClassifier;
  const images: Record<string, RgbImage> = {};
  beforeAll(async () => {
    emotion = await createEmotionClassifier();
    for (const name of Object.keys(FACES)) images[name] = await readRgb(fixturePath(name));
  });
  afterAll(async () => {
    await emotion?.dispose();
  });

  it('exposes the seven labels in the documented order', () => {
    expect(emotion.labels).toEqual(['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral']);
    expect(EMOTION_LABELS).toEqual(emotion.labels);
  });

  it('returns seven probabilities in label order that sum to 1', async () => {
    for (const [name, { box }] of Object.entries(FACES)) {
      const r = await emotion.classify(images[name], box);
      expect(Object.keys(r.scores)).toEqual([...EMOTION_LABELS]);
      for (const v of Object.values(r.scores)) {
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
      expect(sum(r.scores)).toBeCloseTo(1, 6);
      expect(r.score).toBe(Math.max(...Object.values(r.scores)));
      expect(r.scores[r.label]).toBe(r.score);
    }
  });

  it('classifies the clearly smiling faces as happy and the neutral faces as neutral', async () => {
    for (const [name, { expression, box }] of Object.entries(FACES)) {
      const r = await emotion.classify(images[name], box);
      expect(r.label, `${name}: ${JSON.stringify(r.scores)}`).toBe(expression);
      if (expression === 'happy') expect(r.scores.happy).toBeGreaterThan(0.5);
      else expect(r.scores.happy).toBeLessThan(0.1);
    }
  });

  it('accepts a FaceDetection-like object with .box, same result as the bare box', async () => {
    const name = 'Britney_Spears_0001.jpg';
    const a = await emotion.classify(images[name], FACES[name].box);
    const b = await emotion.classify(images[name], { box: FACES[name].box, score: 1, landmarks: [] } as never);
    expect(b).toEqual(a);
  });

  it('without a box takes the whole image as the face crop (--aligned)', async () => {
    const name = 'Colin_Powell_0004.jpg';
    const crop = cropRgb(images[name], FACES[name].box);
    const r = await emotion.classify(crop);
    expect(r.label).toBe('happy');
    expect(sum(r.scores)).toBeCloseTo(1, 6);
  });

  it('a box partly outside the image is clamped (edge pixels repeated), not rejected', async () => {
    const img = images['Britney_Spears_0001.jpg'];
    const r = await emotion.classify(img, [-20, -20, 120, 120]);
    expect(sum(r.scores)).toBeCloseTo(1, 6);
  });

  it('rejects bad boxes with InvalidArgumentError (code INVALID_ARGUMENT)', async () => {
    const img = images['Britney_Spears_0001.jpg'];
    const bad: unknown[] = [
      [300, 300, 50, 50], // entirely right of / below the 250×250 image
      [-100, 10, 50, 50], // entirely left
      [10, 10, 0, 50], // zero width
      [10, 10, 50, 0], // zero height
      [10, 10, -5, 50], // negative width
      [Number.NaN, 10, 50, 50],
      [10, 10, Number.POSITIVE_INFINITY, 50],
      [1, 2, 3],
    ];
    for (const box of bad) {
      const p = emotion.classify(img, box as never);
      await expect(p, JSON.stringify(box)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(p).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
  });

  it('rejects a malformed image with InvalidArgumentError', async () => {
    await expect(emotion.classify({ data: new Uint8Array(10), width: 4, height: 4 })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(emotion.classify({ data: new Uint8Array(0), width: 0, height: 0 })).rejects.toBeInstanceOf(
      EolgulError,
    );
  });
});

describe('createEmotionClassifier loading', () => {
  it('rejects a missing model file with ModelLoadError', async () => {
    await expect(createEmotionClassifier({ model: '/nonexistent/emotion.json' })).rejects.toBeInstanceOf(
      ModelLoadError,
    );
  });

  it('rejects a spec with a wrong label list with InvalidArgumentError', async () => {
    const { emotionModelSpec } = await import('../src/index.js');
    const spec = {
      ...emotionModelSpec('human-emotion'),
      outputLabels: ['happy', 'happy', 'sad', 'fear', 'angry', 'disgust', 'neutral'] as const,
    };
    await expect(createEmotionClassifier({ model: spec as never })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('a disposed classifier rejects further calls', async () => {
    const e = await createEmotionClassifier();
    await e.dispose();
    const img = await readRgb(fixturePath('Britney_Spears_0001.jpg'));
    await expect(e.classify(img)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('memory', () => {
  it('leaks no tfjs tensor across 50 calls and returns to baseline after dispose()', async () => {
    const tf = await getTf();
    const img = await readRgb(fixturePath('Colin_Powell_0004.jpg'));
    const baseline = tf.memory().numTensors;
    const e = await createEmotionClassifier();
    const loaded = tf.memory().numTensors;
    expect(loaded).toBeGreaterThan(baseline); // the weights are tensors: the check below can fail
    for (let i = 0; i < 50; i++) await e.classify(img, i % 2 ? FACES['Colin_Powell_0004.jpg'].box : undefined);
    await expect(e.classify(img, [0, 0, 0, 0])).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(tf.memory().numTensors).toBe(loaded);
    await e.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });
});

describe('each bundled model alone', () => {
  for (const preset of ['human-emotion', 'faceplugin-expression'] as const) {
    // Checks each model's label order on real faces. A single model is less sure than the mean: faceplugin alone
    // puts John_Allen_Muhammad_0001 at sad 0.52 / neutral 0.47, so for neutral faces neutral must be in the top two.
    it(`${preset}: smiling faces happy, neutral faces neutral or runner-up`, async () => {
      const e = await createEmotionClassifier({ model: preset });
      try {
        for (const [name, { expression, box }] of Object.entries(FACES)) {
          const r = await e.classify(await readRgb(fixturePath(name)), box);
          const msg = `${name}: ${JSON.stringify(r.scores)}`;
          const top2 = [...EMOTION_LABELS].sort((a, b) => r.scores[b] - r.scores[a]).slice(0, 2);
          if (expression === 'happy') expect(r.label, msg).toBe('happy');
          else {
            expect(top2, msg).toContain('neutral');
            expect(r.scores.happy, msg).toBeLessThan(0.1);
          }
          expect(sum(r.scores)).toBeCloseTo(1, 6);
        }
      } finally {
        await e.dispose();
      }
    });
  }
});

describe('flip averaging', () => {
  it('gives the same scores for an image and its mirror image', async () => {
    const e = await createEmotionClassifier({ model: 'human-emotion', flip: true });
    try {
      const img = cropRgb(
        await readRgb(fixturePath('John_Allen_Muhammad_0001.jpg')),
        FACES['John_Allen_Muhammad_0001.jpg'].box,
      );
      const m = new Uint8Array(img.data.length);
      for (let y = 0; y < img.height; y++)
        for (let x = 0; x < img.width; x++)
          for (let c = 0; c < 3; c++)
            m[(y * img.width + x) * 3 + c] = img.data[(y * img.width + img.width - 1 - x) * 3 + c];
      const a = await e.classify(img);
      const b = await e.classify({ data: m, width: img.width, height: img.height });
      for (const l of EMOTION_LABELS) expect(b.scores[l]).toBeCloseTo(a.scores[l], 5);
      // and differs from the unflipped classifier's scores (the flip is really applied)
      const plain = await createEmotionClassifier({ model: 'human-emotion' });
      const p = await plain.classify(img);
      await plain.dispose();
      expect(Math.max(...EMOTION_LABELS.map((l) => Math.abs(p.scores[l] - a.scores[l])))).toBeGreaterThan(1e-4);
    } finally {
      await e.dispose();
    }
  });
});
