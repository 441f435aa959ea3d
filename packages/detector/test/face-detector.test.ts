import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createFaceDetector,
  createMtcnn,
  fivePoints,
  mainFaceIndex,
  readImage,
  type FaceDetector,
} from '@eolgul/detector';
import { ImageDecodeError, InvalidArgumentError } from '@eolgul/core';

const data = join(__dirname, '..', '..', '..', 'examples', 'data');
let detector: FaceDetector;
beforeAll(async () => {
  detector = await createFaceDetector();
});
afterAll(async () => detector?.dispose());

describe('createFaceDetector on real faces', () => {
  it('finds the one face of a portrait where it is, with landmarks inside the box in anatomical order', async () => {
    const image = await readImage(join(data, 'gallery', 'Serena_Williams', 'Serena_Williams_0001.jpg'));
    expect([image.width, image.height]).toEqual([250, 250]);
    const faces = await detector.detect(image);
    expect(faces).toHaveLength(1);
    const [x, y, w, h] = faces[0].box;
    // LFW crops are centred on the labelled face: the box centre lies near the image centre, the box is face-sized.
    expect(Math.abs(x + w / 2 - 125)).toBeLessThan(25);
    expect(Math.abs(y + h / 2 - 125)).toBeLessThan(30);
    expect(w).toBeGreaterThan(60);
    expect(w).toBeLessThan(160);
    expect(faces[0].score).toBeGreaterThan(0.9);
    const [le, re, nose, lm, rm] = faces[0].landmarks;
    for (const p of faces[0].landmarks) {
      expect(p.x).toBeGreaterThan(x - 5);
      expect(p.x).toBeLessThan(x + w + 5);
      expect(p.y).toBeGreaterThan(y - 5);
      expect(p.y).toBeLessThan(y + h + 5);
    }
    expect(le.x).toBeLessThan(re.x);
    expect(lm.x).toBeLessThan(rm.x);
    expect(nose.y).toBeGreaterThan((le.y + re.y) / 2);
    expect((lm.y + rm.y) / 2).toBeGreaterThan(nose.y);
  });

  it('finds several faces in a photo with people behind, and picks the central one as the main face', async () => {
    const image = await readImage(join(data, 'probes', 'Jackie_Chan_0008.jpg'));
    const faces = await detector.detect(image, { withLandmarks68: true });
    expect(faces.length).toBeGreaterThanOrEqual(1);
    expect(faces[0].landmarks68).toHaveLength(68);
    const main = faces[mainFaceIndex(faces, image)];
    const [x, y, w, h] = main.box;
    expect(Math.abs(x + w / 2 - 125)).toBeLessThan(30);
    expect(Math.abs(y + h / 2 - 125)).toBeLessThan(35);
    for (const f of faces) {
      const [bx, by, bw, bh] = f.box;
      expect(bx).toBeGreaterThanOrEqual(0);
      expect(by).toBeGreaterThanOrEqual(0);
      expect(bx + bw).toBeLessThanOrEqual(image.width);
      expect(by + bh).toBeLessThanOrEqual(image.height);
    }
  });

  it('mainFaceOnly gives the main face alone, the same as picking it from every face', async () => {
    // Two real portraits side by side: two faces, neither at the centre.
    const sharp = (await import('sharp')).default;
    const left = join(data, 'gallery', 'Serena_Williams', 'Serena_Williams_0001.jpg');
    const right = join(data, 'probes', 'Tom_Hanks_0008.jpg');
    const pair = await sharp({ create: { width: 520, height: 250, channels: 3, background: '#808080' } })
      .composite([
        { input: left, left: 0, top: 0 },
        { input: await sharp(right).resize(200, 200).toBuffer(), left: 300, top: 25 },
      ])
      .jpeg()
      .toBuffer();
    for (const image of [await readImage(pair), await readImage(join(data, 'probes', 'Jackie_Chan_0009.jpg'))]) {
      const all = await detector.detect(image);
      expect(all.length).toBeGreaterThanOrEqual(2);
      const only = await detector.detect(image, { mainFaceOnly: true });
      expect(only).toEqual([all[mainFaceIndex(all, image)]]);
    }
    await expect(
      detector.detect({ data: new Uint8Array(3), width: 1, height: 1 }, { mainFaceOnly: 'yes' as unknown as boolean }),
    ).rejects.toThrow(/mainFaceOnly/);
  });

  it('finds no face in a flat grey image', async () => {
    const image = { data: new Uint8Array(320 * 240 * 3).fill(128), width: 320, height: 240 };
    expect(await detector.detect(image)).toEqual([]);
  });

  it('refuses an out-of-range minScore', async () => {
    const image = { data: new Uint8Array(30 * 30 * 3), width: 30, height: 30 };
    await expect(detector.detect(image, { minScore: 2 })).rejects.toThrow(InvalidArgumentError);
  });
});

describe('readImage', () => {
  it('names the file in typed errors for empty, non-image, missing and directory inputs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eolgul-img-'));
    await writeFile(join(dir, 'empty.jpg'), new Uint8Array(0));
    await writeFile(join(dir, 'text.jpg'), 'this is not a picture');
    await mkdir(join(dir, 'folder.jpg'));
    for (const name of ['empty.jpg', 'text.jpg', 'missing.jpg', 'folder.jpg']) {
      const p = join(dir, name);
      const err = await readImage(p).catch((e) => e);
      expect(err).toBeInstanceOf(ImageDecodeError);
      expect(err.path).toBe(p);
      expect(err.message).toContain(name);
    }
  });
});

describe("refine: 'onet' (the default: MTCNN's RNet + ONet on each detector box)", () => {
  it("gives ONet's points on the detector's boxes by default, and the 68-point model's with refine: 'none'", async () => {
    const mtcnn = await createMtcnn();
    try {
      for (const rel of [
        'gallery/Serena_Williams/Serena_Williams_0001.jpg',
        'probes/Jackie_Chan_0008.jpg',
        'probes/Roh_Moo-hyun_0007.jpg',
      ]) {
        const image = await readImage(join(data, rel));
        const onet = await detector.detect(image);
        const none = await detector.detect(image, { refine: 'none', withLandmarks68: true });
        expect(await detector.detect(image, { refine: 'onet' })).toEqual(onet);
        // Same boxes and scores; only the 5 points differ.
        expect(onet.map((f) => [f.box, f.score])).toEqual(none.map((f) => [f.box, f.score]));
        none.forEach((f) => {
          expect(f.landmarks).toEqual(fivePoints(f.landmarks68!));
        });
        const refined = await mtcnn.refine(
          image,
          none.map((f) => f.box),
        );
        onet.forEach((f, i) => {
          expect(f.landmarks).toEqual(refined[i] ? refined[i]!.landmarks : none[i].landmarks);
        });
        const main = mainFaceIndex(onet, image);
        expect(refined[main], rel).toBeDefined();
        expect(onet[main].landmarks).not.toEqual(none[main].landmarks);
      }
    } finally {
      await mtcnn.dispose();
    }
  });

  it('keeps a face that RNet or ONet rejects (half of it cut off by the image edge), with the 68-point points', async () => {
    const sharp = (await import('sharp')).default;
    const { data: buf, info } = await sharp(join(data, 'probes', 'Tom_Hanks_0008.jpg'))
      .extract({ left: 130, top: 0, width: 120, height: 250 })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const image = {
      data: new Uint8Array(buf.buffer, buf.byteOffset, buf.length),
      width: info.width,
      height: info.height,
    };
    const onet = await detector.detect(image);
    const none = await detector.detect(image, { refine: 'none' });
    expect(onet).toHaveLength(1);
    expect(onet).toEqual(none);
    const mtcnn = await createMtcnn();
    try {
      expect(await mtcnn.refine(image, [onet[0].box])).toEqual([undefined]);
    } finally {
      await mtcnn.dispose();
    }
  });

  it('refuses an unknown refine mode naming the three', async () => {
    const image = await readImage(join(data, 'probes', 'Jackie_Chan_0008.jpg'));
    await expect(detector.detect(image, { refine: 'ONet' as 'onet' })).rejects.toThrow(
      "refine must be 'onet', 'mesh' or 'none'",
    );
  });
});

describe("refine: 'mesh' (MediaPipe FaceMesh in two passes)", () => {
  const serena = join(data, 'gallery', 'Serena_Williams', 'Serena_Williams_0001.jpg');

  it('gives 5 points close to the 68-point model on a frontal face, and the 468 mesh points on request', async () => {
    const image = await readImage(serena);
    const [fast] = await detector.detect(image);
    const [fine] = await detector.detect(image, { refine: 'mesh', withMesh: true });
    expect(fine.box).toEqual(fast.box);
    expect(fine.mesh).toHaveLength(468);
    expect(fast.mesh).toBeUndefined();
    const eyeDist = Math.hypot(fast.landmarks[1].x - fast.landmarks[0].x, fast.landmarks[1].y - fast.landmarks[0].y);
    expect(eyeDist).toBeGreaterThan(20);
    // Two independent landmark models on the same face: each point within 15 % of the eye distance of the other's,
    // but not the same numbers (the mesh really ran).
    let moved = 0;
    for (let i = 0; i < 5; i++) {
      const d = Math.hypot(fine.landmarks[i].x - fast.landmarks[i].x, fine.landmarks[i].y - fast.landmarks[i].y);
      expect(d).toBeLessThan(0.15 * eyeDist);
      moved += d;
    }
    expect(moved).toBeGreaterThan(0.01);
    const [x, y, w, h] = fine.box;
    for (const p of fine.mesh!) {
      expect(p.x).toBeGreaterThan(x - 0.3 * w);
      expect(p.x).toBeLessThan(x + 1.3 * w);
      expect(p.y).toBeGreaterThan(y - 0.3 * h);
      expect(p.y).toBeLessThan(y + 1.3 * h);
    }
  });

  it('follows a face turned 30° in the image plane (the crops are turned upright by the eye line)', async () => {
    const sharp = (await import('sharp')).default;
    const { data: buf, info } = await sharp(serena)
      .rotate(30, { background: '#808080' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const image = {
      data: new Uint8Array(buf.buffer, buf.byteOffset, buf.length),
      width: info.width,
      height: info.height,
    };
    const faces = await detector.detect(image, { refine: 'mesh' });
    const face = faces[mainFaceIndex(faces, image)];
    const [le, re] = face.landmarks;
    const angle = (Math.atan2(re.y - le.y, re.x - le.x) * 180) / Math.PI;
    const [upright] = await detector.detect(await readImage(serena), { refine: 'mesh' });
    const angle0 =
      (Math.atan2(upright.landmarks[1].y - upright.landmarks[0].y, upright.landmarks[1].x - upright.landmarks[0].x) *
        180) /
      Math.PI;
    // sharp turns clockwise: the eye line turns by +30° in image coordinates (y down).
    expect(angle - angle0).toBeGreaterThan(25);
    expect(angle - angle0).toBeLessThan(35);
  });

  it('refuses an unknown refine mode, and keeps the tfjs tensor count flat over repeated calls', async () => {
    const image = await readImage(serena);
    await expect(detector.detect(image, { refine: 'dlib' as 'mesh' })).rejects.toBeInstanceOf(InvalidArgumentError);
    const { getTf } = await import('@eolgul/runtime');
    const tf = await getTf();
    await detector.detect(image, { refine: 'mesh' });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await detector.detect(image, { refine: 'mesh' });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports a missing FaceMesh model as a ModelLoadError on the call that needs it, not at creation', async () => {
    const { ModelLoadError } = await import('@eolgul/core');
    const d = await createFaceDetector({ meshModel: join(tmpdir(), 'no-such-facemesh', 'model.json') });
    try {
      const image = await readImage(serena);
      expect(await d.detect(image)).toHaveLength(1);
      await expect(d.detect(image, { refine: 'mesh' })).rejects.toBeInstanceOf(ModelLoadError);
    } finally {
      await d.dispose();
    }
    await expect(d.detect(await readImage(serena))).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe("createFaceDetector({ detector: 'mtcnn' })", () => {
  it("finds the face with MTCNN's own 5 points, gives 68 points and FaceMesh refinement on its box, and refuses an unknown detector", async () => {
    const d = await createFaceDetector({ detector: 'mtcnn' });
    try {
      const image = await readImage(join(data, 'gallery', 'Serena_Williams', 'Serena_Williams_0001.jpg'));
      const [fast] = await detector.detect(image);
      const faces = await d.detect(image, { withLandmarks68: true });
      expect(faces).toHaveLength(1);
      const [face] = faces;
      expect(face.score).toBeGreaterThan(0.9);
      expect(face.landmarks68).toHaveLength(68);
      const [le, re, nose, lm, rm] = face.landmarks;
      expect(le.x).toBeLessThan(re.x);
      expect(lm.x).toBeLessThan(rm.x);
      expect(nose.y).toBeGreaterThan((le.y + re.y) / 2);
      // Two detectors, one face: MTCNN's points lie within 15 % of the eye distance of the 68-point model's.
      const eye = Math.hypot(fast.landmarks[1].x - fast.landmarks[0].x, fast.landmarks[1].y - fast.landmarks[0].y);
      face.landmarks.forEach((p, i) => {
        expect(Math.hypot(p.x - fast.landmarks[i].x, p.y - fast.landmarks[i].y)).toBeLessThan(0.15 * eye);
      });
      const [meshed] = await d.detect(image, { refine: 'mesh' });
      expect(meshed.box).toEqual(face.box);
      expect(meshed.landmarks).not.toEqual(face.landmarks);
    } finally {
      await d.dispose();
    }
    await expect(createFaceDetector({ detector: 'yolo' as 'mtcnn' })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
