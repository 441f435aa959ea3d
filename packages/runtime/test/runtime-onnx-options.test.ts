/** loadModel's ONNX Runtime options (`threads`, `memoryArena`) on a real model: MTCNN's ONet from @eolgul/models. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@eolgul/core';
import { modelPath } from '@eolgul/models';
import { loadModel, loadOnnxModel, MAX_ONNX_THREADS } from '@eolgul/runtime';

const ONET = modelPath('mtcnn-onet');
const input = { input: { data: new Float32Array(3 * 48 * 48).fill(0.25), dims: [1, 3, 48, 48] } };

describe('loadModel options for ONNX Runtime', () => {
  it('memoryArena false gives the same outputs as the default arena', async () => {
    const a = await loadModel(ONET);
    const b = await loadModel(ONET, { memoryArena: false });
    try {
      const [ra, rb] = [await a.run(input), await b.run(input)];
      expect(Object.keys(rb).sort()).toEqual(['points', 'prob', 'reg']);
      for (const k of Object.keys(ra)) expect(Array.from(rb[k].data)).toEqual(Array.from(ra[k].data));
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });

  it("refuses a memoryArena that is not a boolean (the string 'false' used to turn the arena on)", async () => {
    for (const memoryArena of ['false', 0, 'no']) {
      await expect(loadModel(ONET, { memoryArena: memoryArena as unknown as boolean })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
    }
  });

  it('refuses threads that are not an integer in [0, MAX_ONNX_THREADS] before ONNX Runtime sees them', async () => {
    // 1.5, -1 and NaN were ModelLoadErrors ("cannot load model ...: 'intraOpNumThreads' is invalid"): a wrong option read as a
    // broken model file; 100000 hung session creation (10,000 did not answer in 2 minutes on this machine).
    for (const threads of [1.5, -1, Number.NaN, '2', MAX_ONNX_THREADS + 1, 100_000]) {
      const err = await loadModel(ONET, { threads: threads as number }).catch((e: unknown) => e);
      expect(err, String(threads)).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message).toContain('threads must be an integer');
    }
    await expect(loadOnnxModel(ONET, 2.5)).rejects.toBeInstanceOf(InvalidArgumentError);
    // 0 = ONNX Runtime's own default (one per core) stays allowed.
    const m = await loadModel(ONET, { threads: 0 });
    expect((await m.run(input)).prob.data).toHaveLength(2);
    await m.dispose();
  });
});
