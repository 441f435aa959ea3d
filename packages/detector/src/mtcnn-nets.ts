/**
 * MTCNN's three nets: loading them and telling them apart (P- and R-Net share their input and output names), and
 * running them on batches of crops.
 * @module
 */
import { imageToTensor, ModelLoadError, type RgbImage, resampleArea } from '@eolgul/core';
import { locateModel, MODELS } from '@eolgul/models';
import type { InferenceModel, ModelSource } from '@eolgul/runtime';
import { loadDetectorModel, type ModelLoadConfig } from './detector-models.js';

/** One of MTCNN's nets. */
export type MtcnnNet = 'pnet' | 'rnet' | 'onet';

/**
 * Loads a net (the catalogue's, or `override`), and a check to run once it is loaded: another net's file (or any other
 * model) would fail on its first run with an ONNX Runtime shape error, or worse, PNet given as RNet would turn each
 * 24×24 crop into a 7×7 map read as N scores, a silent wrong answer. The check refuses it: names, then one run on the
 * smallest input of this net.
 * @returns the model (so the caller can free it when the check throws) and the check.
 */
export async function loadMtcnnNet(
  net: MtcnnNet,
  override: ModelSource | undefined,
  config: ModelLoadConfig,
  memoryArena: boolean,
): Promise<{ model: InferenceModel; check: () => Promise<void> }> {
  const name =
    override === undefined
      ? locateModel(`mtcnn-${net}`, config.modelBasePath).source
      : typeof override === 'string' || override instanceof URL
        ? String(override)
        : '<bytes>';
  const model = await loadDetectorModel(`mtcnn-${net}`, override, config, { backend: 'onnx', memoryArena });
  return { model, check: () => checkNet(net, model, name) };
}

/** @throws {ModelLoadError} when `m` is not MTCNN's `net`. */
async function checkNet(net: MtcnnNet, m: InferenceModel, name: string): Promise<void> {
  const outputs = net === 'onet' ? ['prob', 'reg', 'points'] : ['prob', 'reg'];
  if (
    m.inputNames.join() !== 'input' ||
    outputs.some((o) => !m.outputNames.includes(o)) ||
    m.outputNames.length !== outputs.length
  ) {
    throw new ModelLoadError(
      name,
      `not an MTCNN ${net.toUpperCase()} (inputs [${m.inputNames}], outputs [${m.outputNames}]; expected input, outputs ${outputs.join(', ')})`,
    );
  }
  const side = net === 'pnet' ? 12 : net === 'rnet' ? 24 : 48;
  const sizes: Record<string, number> = net === 'onet' ? { prob: 2, reg: 4, points: 10 } : { prob: 2, reg: 4 };
  let got: string;
  try {
    const out = await m.run({ input: { data: new Float32Array(3 * side * side), dims: [1, 3, side, side] } });
    got = outputs.map((o) => `${o} [${out[o].dims}]`).join(', ');
    if (outputs.every((o) => out[o].data.length === sizes[o] && out[o].data.every(Number.isFinite))) return;
  } catch (err) {
    got = (err as Error).message.replace(/\s+/g, ' ').trim();
  }
  throw new ModelLoadError(
    name,
    `not an MTCNN ${net.toUpperCase()}: on a [1, 3, ${side}, ${side}] input it gave ${got} (expected ${outputs.map((o) => `${o} [1, ${sizes[o]}${net === 'pnet' ? ', 1, 1' : ''}]`).join(', ')})`,
  );
}

/** The nets' input: RGB planes, x before y, (v − 127.5) / 128 (the catalogue's spec, the same for the three). */
export const MTCNN_INPUT = MODELS['mtcnn-onet'].input.tensor;
/** RNet/ONet candidates per call: bounds their activations' memory (ONet: about 35 MB at 128) whatever the image holds. */
const BATCH = 128;

/** Runs a net on `data` ([N, 3, W, H]) and returns its outputs' data by name. */
export async function runNet(
  model: InferenceModel,
  data: Float32Array,
  dims: [number, number, number, number],
): Promise<Record<string, Float32Array>> {
  const out = await model.run({ input: { data, dims } });
  const res: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(out)) res[k] = v.data;
  return res;
}

/** The nets' batched input [N, 3, S, S] from facenet corner boxes (1-based inclusive integers), zero outside the image. */
function cropBatch(image: RgbImage, boxes: number[][], S: number): Float32Array {
  const out = new Float32Array(boxes.length * S * S * 3);
  const crop = new Float32Array(S * S * 3);
  boxes.forEach((b, k) => {
    resampleArea(image, { x: b[0] - 1, y: b[1] - 1, w: b[2] - b[0] + 1, h: b[3] - b[1] + 1 }, S, S, { out: crop });
    imageToTensor(crop, S, S, MTCNN_INPUT, out, k * S * S * 3);
  });
  return out;
}

/**
 * Runs RNet or ONet on the S×S crops of `boxes`, {@link BATCH} at a time (a textured 4000×3000 image can pass
 * thousands of candidates; ONet's first activation is 270 KB per crop), and concatenates each output.
 */
export async function runCrops(
  image: RgbImage,
  boxes: number[][],
  S: number,
  model: InferenceModel,
): Promise<Record<string, Float32Array>> {
  const parts: Record<string, Float32Array>[] = [];
  for (let i = 0; i < boxes.length; i += BATCH) {
    const chunk = boxes.slice(i, i + BATCH);
    parts.push(await runNet(model, cropBatch(image, chunk, S), [chunk.length, 3, S, S]));
  }
  const res: Record<string, Float32Array> = {};
  for (const k of Object.keys(parts[0])) {
    const outK = new Float32Array(parts.reduce((n, p) => n + p[k].length, 0));
    let off = 0;
    for (const p of parts) {
      outK.set(p[k], off);
      off += p[k].length;
    }
    res[k] = outK;
  }
  return res;
}
