// The front door on real faces (examples/data: 4 enrolled LFW people, their other photos, and Meryl Streep, who is
// not enrolled), through the built package as an app imports it.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFaceRecognizer,
  GalleryMismatchError,
  ImageDecodeError,
  InvalidArgumentError,
  ModelDisposedError,
  MultipleFacesError,
  NoFaceError,
  type FaceRecognizer,
  type RgbImage,
} from 'eolgul';
import { readImage } from 'eolgul/node';

const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'data');
const gallery = (name: string, n: string) => join(DATA, 'gallery', name, `${name}_${n}.jpg`);
const probe = (file: string) => join(DATA, 'probes', file);
const PEOPLE = {
  Tom_Hanks: ['0004', '0005', '0006', '0007'],
  Jackie_Chan: ['0002', '0003', '0006', '0007'],
};

/** Two real faces side by side (Tom Hanks left, Jackie Chan right), 500×250 JPEG bytes. */
async function twoFaces(): Promise<Buffer> {
  return sharp({ create: { width: 500, height: 250, channels: 3, background: '#808080' } })
    .composite([
      { input: probe('Tom_Hanks_0008.jpg'), left: 0, top: 0 },
      { input: probe('Jackie_Chan_0008.jpg'), left: 250, top: 0 },
    ])
    .jpeg()
    .toBuffer();
}

let r: FaceRecognizer;
beforeAll(async () => {
  r = await createFaceRecognizer();
  for (const [name, ns] of Object.entries(PEOPLE)) {
    await r.enroll(
      name.replace('_', ' '),
      ns.map((n) => gallery(name, n)),
    );
  }
});
afterAll(() => r?.dispose());

describe('enroll → identify', () => {
  it('names enrolled people on their other photos and calls a stranger unknown', async () => {
    expect(await r.gallery.count()).toBe(8);
    for (const [file, who] of [
      ['Tom_Hanks_0008.jpg', 'Tom Hanks'],
      ['Jackie_Chan_0009.jpg', 'Jackie Chan'],
    ]) {
      const [face] = await r.identify(probe(file));
      expect(face.match).toMatchObject({ identity: who, accepted: true });
      expect(face.match!.distance).toBeLessThan(r.threshold);
    }
    const stranger = await r.analyse(probe('Meryl_Streep_0001.jpg'));
    expect(stranger.faces).toHaveLength(1);
    expect(stranger.faces[0].match!.accepted).toBe(false);
    expect(stranger.faces[0].match!.distance).toBeGreaterThan(r.threshold);
    expect(stranger.faces[0].embedding).toHaveLength(512);
  });

  it('a session leaves out the identities the user rejected, and nothing else', async () => {
    const s = r.session();
    s.reject('Tom Hanks');
    const [face] = await s.identify(probe('Tom_Hanks_0008.jpg'));
    expect(face.match!.identity).not.toBe('Tom Hanks');
    expect(face.match!.accepted).toBe(false);
    expect(s.rejected()).toEqual(['Tom Hanks']);
    expect((await r.identify(probe('Tom_Hanks_0008.jpg')))[0].match!.identity).toBe('Tom Hanks');
  });

  it('exclude takes a list of names; a bare string (which would spread into letters) is refused', async () => {
    const [face] = await r.identify(probe('Tom_Hanks_0008.jpg'), { exclude: ['Tom Hanks'] });
    expect(face.match!.identity).not.toBe('Tom Hanks');
    for (const call of [
      () => r.identify(probe('Tom_Hanks_0008.jpg'), { exclude: 'Tom Hanks' as never }),
      () => r.session().analyse(probe('Tom_Hanks_0008.jpg'), { exclude: 'Tom Hanks' as never }),
    ]) {
      await expect(call()).rejects.toThrow(InvalidArgumentError);
      await expect(call()).rejects.toThrow(/exclude must be a list of identity names/);
    }
  });

  it('match is null with an empty gallery; emotion is there when asked', async () => {
    const r2 = await createFaceRecognizer({ emotion: 'fast' });
    try {
      const { faces } = await r2.analyse(probe('Jackie_Chan_0008.jpg'));
      expect(faces[0].match).toBeNull();
      expect(faces[0].emotion?.label).toBeTypeOf('string');
      expect(Object.values(faces[0].emotion!.scores).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    } finally {
      await r2.dispose();
    }
  });
});

describe('detect, then analyse the faces found', () => {
  it('detect finds the faces analyse finds; analyse({ faces }) embeds those without detecting again', async () => {
    const image = await readImage(probe('Jackie_Chan_0009.jpg'));
    const full = await r.analyse(image);
    const found = await r.detect(image);
    expect(found.faces.length).toBe(full.faces.length);
    expect(found.faces.length).toBeGreaterThan(1); // a background face too
    expect(found.faces.map((f) => f.box)).toEqual(full.faces.map((f) => f.box));
    expect(found.faces[0]).not.toHaveProperty('embedding');
    const second = await r.analyse(image, { faces: [found.faces[1]] });
    expect(second.faces).toHaveLength(1);
    expect(second.faces[0].embedding).toEqual(full.faces[1].embedding);
    expect(second.faces[0].match).toEqual(full.faces[1].match);
  });

  it('refuses faces that detect did not give', async () => {
    const path = probe('Tom_Hanks_0008.jpg');
    await expect(r.analyse(path, { faces: [{ box: [1, 2, 3], score: 1, landmarks: [] } as never] })).rejects.toThrow(
      /faces\[0\]\.box must be/,
    );
    const { faces } = await r.detect(path);
    await expect(
      r.analyse(path, { faces: [{ ...faces[0], landmarks: faces[0].landmarks.slice(0, 4) }] }),
    ).rejects.toThrow(/faces\[0\]\.landmarks must be the 5 points/);
  });
});

describe('verify', () => {
  it('says which face of an image with several was compared, and lets the caller choose', async () => {
    const both = await twoFaces();
    const tom = probe('Tom_Hanks_0009.jpg');
    const left = await r.verify(both, tom, { faceA: 0 });
    const right = await r.verify(both, tom, { faceA: 1 });
    expect(left.faceA.faces).toBe(2);
    // Tom Hanks is the left face: the chosen face decides the answer.
    const [tomSide, jackieSide] = left.faceA.box[0] < 250 ? [left, right] : [right, left];
    expect(tomSide.same).toBe(true);
    expect(jackieSide.same).toBe(false);
    // Default: the main face, reported.
    const main = await r.verify(both, tom);
    expect(main.faceA.faces).toBe(2);
    expect([0, 1]).toContain(main.faceA.index);
    expect(main.distance).toBe(main.faceA.index === left.faceA.index ? left.distance : right.distance);
    expect(main.faceB).toMatchObject({ index: 0, faces: 1 });
  });

  it('refuses a face index the image does not have', async () => {
    await expect(r.verify(await twoFaces(), probe('Tom_Hanks_0009.jpg'), { faceA: 2 })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(r.verify(probe('Tom_Hanks_0009.jpg'), probe('Tom_Hanks_0008.jpg'), { faceB: -1 })).rejects.toThrow(
      /faceB must be a face index/,
    );
  });
});

describe('inputs', () => {
  it('a path, bytes, a Blob, an RgbImage and RGBA ImageData give the same faces', async () => {
    const path = probe('Serena_Williams_0005.jpg');
    const bytes = await readFile(path);
    const rgb: RgbImage = await readImage(path);
    const rgba = new Uint8ClampedArray(rgb.width * rgb.height * 4);
    for (let p = 0; p < rgb.width * rgb.height; p++) {
      rgba.set(rgb.data.subarray(p * 3, p * 3 + 3), p * 4);
      rgba[p * 4 + 3] = 255;
    }
    const inputs = [
      path,
      bytes,
      new Uint8Array(bytes),
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
      new Blob([bytes], { type: 'image/jpeg' }),
      rgb,
      { data: rgba, width: rgb.width, height: rgb.height },
    ];
    const [first, ...rest] = await Promise.all(inputs.map((input) => r.analyse(input)));
    expect(first.faces).toHaveLength(1);
    expect(first.faces[0].match).toMatchObject({ identity: expect.any(String) });
    for (const other of rest) {
      expect(other.width).toBe(first.width);
      expect(other.faces.map((f) => f.box)).toEqual(first.faces.map((f) => f.box));
      expect(other.faces[0].embedding).toEqual(first.faces[0].embedding);
    }
  });

  it('boxes of a photo larger than 4096 px are in its own pixels', async () => {
    const big = await sharp(probe('Tom_Hanks_0008.jpg')).resize(4500, 4500).jpeg().toBuffer();
    const small = await r.analyse(probe('Tom_Hanks_0008.jpg'));
    const large = await r.analyse(big);
    expect([large.width, large.height]).toEqual([4500, 4500]);
    // Within 2 px of the 250 px original's box, scaled 18×: resampling moves the box a little.
    large.faces[0].box.forEach((v, i) => {
      expect(Math.abs(v / 18 - small.faces[0].box[i])).toBeLessThan(2);
    });
  });
});

describe('bad input: typed errors that name the problem', () => {
  it('unreadable inputs', async () => {
    await expect(r.analyse('/no/such/photo.jpg')).rejects.toThrow(ImageDecodeError);
    await expect(r.analyse('/no/such/photo.jpg')).rejects.toThrow(/\/no\/such\/photo\.jpg/);
    const junk = new TextEncoder().encode('not an image at all');
    await expect(r.analyse(junk)).rejects.toMatchObject({ code: 'IMAGE_DECODE', path: 'input (Uint8Array, 19 bytes)' });
    await expect(r.analyse({ data: new Uint8Array(10), width: 4, height: 4 })).rejects.toThrow(
      /a 4×4 image needs 48 bytes \(RGB, a Uint8Array\) or 64 \(RGBA\), got 10/,
    );
    await expect(r.analyse(42 as never)).rejects.toThrow(InvalidArgumentError);
    await expect(r.analyse(probe('Tom_Hanks_0008.jpg'), { minScore: 2 })).rejects.toThrow(/minScore/);
  });

  it('enroll is all or nothing and names the photo it refuses', async () => {
    const before = await r.gallery.count();
    const blank = { data: new Uint8Array(200 * 200 * 3).fill(128), width: 200, height: 200 };
    await expect(r.enroll('Serena Williams', [gallery('Serena_Williams', '0001'), blank])).rejects.toMatchObject({
      code: 'NO_FACE',
      path: 'input 1 (image 200×200)',
    });
    await expect(r.enroll('Serena Williams', [gallery('Serena_Williams', '0001'), await twoFaces()])).rejects.toThrow(
      MultipleFacesError,
    );
    await expect(r.enroll('Serena Williams', [blank])).rejects.toThrow(NoFaceError);
    await expect(r.enroll('   ', [gallery('Serena_Williams', '0001')])).rejects.toThrow(/blank/);
    await expect(r.enroll('Serena Williams', [])).rejects.toThrow(InvalidArgumentError);
    // The same photo twice is refused by the gallery (its image id, the file name, is already enrolled).
    await expect(r.enroll('Tom Hanks', [gallery('Tom_Hanks', '0004')])).rejects.toThrow(InvalidArgumentError);
    expect(await r.gallery.count()).toBe(before);
  });

  it('a bad configuration is refused before any model loads', async () => {
    await expect(createFaceRecognizer({ detector: 'yolo' as never })).rejects.toThrow(/detector must be/);
    await expect(createFaceRecognizer({ modelBasepath: 'x' } as never)).rejects.toThrow(/did you mean modelBasePath/);
    await expect(createFaceRecognizer({ workers: 1.5 })).rejects.toThrow(/workers must be an integer/);
    await expect(createFaceRecognizer({ threshold: Number.NaN })).rejects.toThrow(InvalidArgumentError);
    await expect(createFaceRecognizer({ modelBasePath: '/nowhere' })).rejects.toMatchObject({ code: 'MODEL_LOAD' });
  });
});

describe('load progress', () => {
  it('onProgress reports each model file up to its size, in this thread and from a worker', async () => {
    for (const workers of [0, 1]) {
      const seen = new Map<string, { loaded: number; total: number }>();
      const r2 = await createFaceRecognizer({ workers, onProgress: (p) => seen.set(p.file, p) });
      await r2.dispose();
      await new Promise((resolve) => setTimeout(resolve, 50)); // the worker's last reports
      expect([...seen.keys()].sort(), `workers ${workers}`).toEqual(
        ['fr_detect.onnx', 'fr_feature.onnx', 'fr_landmark.onnx', 'mtcnn-onet.onnx', 'mtcnn-rnet.onnx'].sort(),
      );
      for (const [file, p] of seen) {
        expect(p.loaded, file).toBe(p.total);
        expect(p.total, file).toBeGreaterThan(10_000);
      }
    }
  });
});

describe('durable gallery', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eolgul-frontdoor-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('survives the recognizer and refuses to be searched with other alignment points', async () => {
    const path = join(dir, 'g');
    const a = await createFaceRecognizer({ gallery: path });
    await a.enroll('Tom Hanks', [gallery('Tom_Hanks', '0004')]);
    await a.dispose();
    const b = await createFaceRecognizer({ gallery: path });
    expect((await b.identify(probe('Tom_Hanks_0008.jpg')))[0].match).toMatchObject({ identity: 'Tom Hanks' });
    await b.dispose();
    await expect(createFaceRecognizer({ gallery: path, landmarks: 'landmarks68' })).rejects.toThrow(
      GalleryMismatchError,
    );
  });
});

describe('dispose', () => {
  it('waits for running calls, then refuses new ones; a second dispose is the same promise', async () => {
    const r2 = await createFaceRecognizer();
    const running = r2.analyse(probe('Tom_Hanks_0008.jpg'));
    const disposed = r2.dispose();
    expect(r2.dispose()).toBe(disposed);
    expect((await running).faces).toHaveLength(1);
    await disposed;
    await expect(r2.analyse(probe('Tom_Hanks_0008.jpg'))).rejects.toThrow(ModelDisposedError);
    await expect(r2.enroll('x', [probe('Tom_Hanks_0008.jpg')])).rejects.toMatchObject({ code: 'MODEL_DISPOSED' });
  });
});

describe('workers', () => {
  it('give the same answers as this thread, and the same typed errors', async () => {
    const inputs = [
      'Jackie_Chan_0008.jpg',
      'Meryl_Streep_0002.jpg',
      'Roh_Moo-hyun_0007.jpg',
      'Serena_Williams_0006.jpg',
      'Tom_Hanks_0009.jpg',
    ].map(probe);
    const pooled = await createFaceRecognizer({ workers: 2, gallery: r.gallery });
    try {
      const [here, there] = await Promise.all([
        Promise.all(inputs.map((p) => r.analyse(p))),
        Promise.all(inputs.map((p) => pooled.analyse(p))),
      ]);
      expect(there).toEqual(here);
      const found = await pooled.detect(inputs[0]);
      expect(found).toEqual(await r.detect(inputs[0]));
      expect(await pooled.analyse(inputs[0], { faces: found.faces })).toEqual(here[0]);
      await expect(pooled.analyse('/no/such/photo.jpg')).rejects.toThrow(ImageDecodeError);
      const v1 = await r.verify(inputs[4], probe('Tom_Hanks_0008.jpg'));
      const v2 = await pooled.verify(inputs[4], probe('Tom_Hanks_0008.jpg'));
      expect(v2).toEqual(v1);
    } finally {
      await pooled.dispose();
    }
    // The gallery it was given is not closed by its dispose.
    expect(await r.gallery.count()).toBeGreaterThan(0);
  });
});
