// The front door's sign-up options on real faces: passive liveness on NUAA webcam frames (read from
// ../shared/data/liveness-nuaa-dev, never copied), attributes and the enrollment quality gate on the committed LFW
// sample photos. Through the built package, as an app imports it.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkEnrollmentQuality,
  createFaceRecognizer,
  EnrollmentQualityError,
  type FaceRecognizer,
  PresentationAttackError,
} from 'eolgul';
import { modelFilesFor } from 'eolgul/node';

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = join(HERE, '..', '..', '..', 'examples', 'data');
const NUAA = join(HERE, '..', '..', '..', '..', 'shared', 'data', 'liveness-nuaa-dev');
const sample = (name: string, n: string) => join(DATA, 'gallery', name, `${name}_${n}.jpg`);

let r: FaceRecognizer;
beforeAll(async () => {
  r = await createFaceRecognizer({ liveness: true, attributes: true, quality: true });
});
afterAll(async () => {
  await r?.dispose();
});

describe('createFaceRecognizer({ liveness, attributes, quality })', () => {
  it('gives each face its liveness: a webcam frame of a person is live, a frame of their printed photo is not', async () => {
    const largest = async (file: string) => {
      const { faces } = await r.analyse(join(NUAA, file));
      return faces.reduce((a, b) => (b.box[2] * b.box[3] > a.box[2] * a.box[3] ? b : a));
    };
    const live = await largest('live/0001_00_00_01_0.jpg');
    const spoof = await largest('spoof/0001_00_00_01_0.jpg');
    expect(live.liveness).toMatchObject({ live: true, model: 'faceplugin-liveness' });
    expect(spoof.liveness).toMatchObject({ live: false });
    expect(live.liveness!.score).toBeGreaterThan(spoof.liveness!.score);
  });

  it('gives each face its age, gender, head pose and eye state, and a sharpness', async () => {
    const [face] = (await r.analyse(sample('Serena_Williams', '0001'))).faces;
    expect(face.attributes).toMatchObject({ gender: 'female' });
    expect(face.attributes!.age).toBeGreaterThan(15);
    for (const v of Object.values(face.attributes!.pose)) expect(Number.isFinite(v)).toBe(true);
    expect(face.attributes!.eyes!.left).toBeGreaterThan(0.5);
    expect(face.sharpness).toBeGreaterThan(0);
  });

  it('enrolls photos that pass the gate, and refuses a photo taken twice naming the reason', async () => {
    const ok = await r.enroll('Jackie Chan', [sample('Jackie_Chan', '0002'), sample('Jackie_Chan', '0006')]);
    expect(ok.imageIds).toEqual(['Jackie_Chan_0002.jpg', 'Jackie_Chan_0006.jpg']);
    const twice = await r
      .enroll('Roh Moo-hyun', [sample('Roh_Moo-hyun', '0001'), sample('Roh_Moo-hyun', '0001')], {
        imageIds: ['a', 'b'],
      })
      .catch((e: unknown) => e);
    expect(twice).toBeInstanceOf(EnrollmentQualityError);
    expect(twice).toMatchObject({ code: 'POOR_QUALITY' });
    expect((twice as EnrollmentQualityError).problems.map((p) => p.reason)).toEqual(['near-duplicate']);
    // All or nothing: the first photo was not stored either.
    expect(await r.gallery.count()).toBe(2);
  });

  it('refuses to enroll a printed photo held to the camera', async () => {
    await expect(r.enroll('Someone', [join(NUAA, 'spoof/0002_01_00_01_0.jpg')])).rejects.toBeInstanceOf(
      PresentationAttackError,
    );
  });

  it('an app checks a frame with the same rules before taking it', async () => {
    const { faces } = await r.analyse(sample('Tom_Hanks', '0005'));
    const [face] = faces;
    const problems = checkEnrollmentQuality({
      faceCount: faces.length,
      face,
      sharpness: face.sharpness,
      attributes: face.attributes,
      embedding: face.embedding,
      previous: [face.embedding],
    });
    expect(problems.map((p) => p.reason)).toEqual(['near-duplicate']);
  });

  it('refuses bad options by name', async () => {
    await expect(createFaceRecognizer({ liveness: 'yes' as never })).rejects.toThrow(/liveness must be true or false/);
    await expect(createFaceRecognizer({ quality: { maxYow: 10 } as never })).rejects.toThrow(
      /unknown quality limit "maxYow"/,
    );
  });

  it('lists the model files a web app serves for these options', () => {
    expect(modelFilesFor()).not.toContain('fr_liveness.onnx');
    expect(modelFilesFor({ liveness: true })).toContain('fr_liveness.onnx');
    expect(modelFilesFor({ quality: true })).toEqual(
      expect.arrayContaining(['age-gender.onnx', 'fr_pose.onnx', 'fr_eye.onnx']),
    );
  });
});
