// Builds age-gender.onnx from face-api's age and gender network (@vladmandic/face-api `model/age_gender_model`: a tfjs
// weights manifest whose layers face-api builds in code) so that ONNX Runtime runs it like every other eolgul model.
// The graph is face-api's TinyXception feature extractor (2 middle blocks) and its two heads, written with onnx-proto;
// uint8-quantised weights are dequantised (q × scale + min, as tfjs loads them).
//
//   node scripts/face-api-weights.mjs <manifest.json> <out.onnx>
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeOnnxModel, floatValueInfo } from './onnx-model.mjs';

/**
 * Reads a tfjs weights manifest and its shards into float32 tensors by name.
 * @param {string} manifestPath
 * @returns {Map<string, { shape: number[], values: Float32Array }>}
 */
export function readTfjsWeights(manifestPath) {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const weights = new Map();
  for (const group of manifest) {
    const bytes = Buffer.concat(group.paths.map((p) => readFileSync(join(dirname(manifestPath), p))));
    let offset = 0;
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const q = w.quantization;
      let values;
      if (q) {
        if (q.dtype !== 'uint8') throw new Error(`${w.name}: ${q.dtype} quantisation is not supported`);
        values = Float32Array.from(bytes.subarray(offset, offset + n), (v) => v * q.scale + q.min);
        offset += n;
      } else {
        if (w.dtype !== 'float32') throw new Error(`${w.name}: dtype ${w.dtype} is not supported`);
        values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + 4 * n));
        offset += 4 * n;
      }
      if (offset > bytes.length) throw new Error(`${manifestPath}: weight ${w.name} runs past the end of its shards`);
      weights.set(w.name, { shape: w.shape, values });
    }
  }
  return weights;
}

/**
 * face-api's age and gender network as ONNX (opset 13). Input `input` `[N, 3, 112, 112]`: RGB planes,
 * (v − [122.782, 117.001, 104.298]) / 255. Outputs `age` `[N, 1]` (years) and `gender` `[N, 2]` (softmax: male, female).
 * @param {typeof import('onnx-proto').onnx} onnx
 * @param {Map<string, { shape: number[], values: Float32Array }>} weights from {@link readTfjsWeights}
 * @param {string} doc the model's doc string (source and licence)
 * @returns {Uint8Array}
 */
export function ageGenderOnnx(onnx, weights, doc) {
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const A = onnx.AttributeProto.AttributeType;
  const initializer = [];
  const node = [];
  let n = 0;
  const get = (name) => {
    const w = weights.get(name);
    if (!w) throw new Error(`weight ${name} missing from the manifest`);
    return w;
  };
  const constant = (name, dims, values) => {
    initializer.push({ name, dims, dataType: FLOAT, rawData: new Uint8Array(values.buffer.slice(0)) });
    return name;
  };
  const op = (opType, input, attribute = [], output = `n${n}`) => {
    node.push({ opType, input, output: [output], name: `${opType}_${n++}`, attribute });
    return output;
  };
  const ints = (name, v) => ({ name, type: A.INTS, ints: v });
  const same = { name: 'auto_pad', type: A.STRING, s: new TextEncoder().encode('SAME_UPPER') };
  /** tfjs filters [kh, kw, in, out] → ONNX [out, in, kh, kw]. */
  const filters = (name) => {
    const { shape, values } = get(name);
    const [kh, kw, ci, co] = shape;
    const t = new Float32Array(values.length);
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let i = 0; i < ci; i++)
          for (let o = 0; o < co; o++) t[((o * ci + i) * kh + y) * kw + x] = values[((y * kw + x) * ci + i) * co + o];
    return constant(name, [co, ci, kh, kw], t);
  };
  const bias = (name) => constant(name, get(name).shape, get(name).values);
  const conv = (x, p, stride) =>
    op('Conv', [x, filters(`${p}/filters`), bias(`${p}/bias`)], [ints('strides', [stride, stride]), same]);
  const separable = (x, p) => {
    const dw = get(`${p}/depthwise_filter`);
    const [kh, kw, c] = dw.shape;
    const t = new Float32Array(dw.values.length);
    for (let y = 0; y < kh; y++)
      for (let xx = 0; xx < kw; xx++)
        for (let i = 0; i < c; i++) t[(i * kh + y) * kw + xx] = dw.values[(y * kw + xx) * c + i];
    const d = op(
      'Conv',
      [x, constant(`${p}/depthwise_filter`, [c, 1, kh, kw], t)],
      [{ name: 'group', type: A.INT, i: c }, same],
    );
    return op('Conv', [d, filters(`${p}/pointwise_filter`), bias(`${p}/bias`)]);
  };
  const relu = (x) => op('Relu', [x]);
  const reduction = (x, p, activateInput) => {
    let out = separable(activateInput ? relu(x) : x, `${p}/separable_conv0`);
    out = separable(relu(out), `${p}/separable_conv1`);
    out = op('MaxPool', [out], [ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), same]);
    return op('Add', [out, conv(x, `${p}/expansion_conv`, 2)]);
  };
  const main = (x, p) => {
    let out = separable(relu(x), `${p}/separable_conv0`);
    out = separable(relu(out), `${p}/separable_conv1`);
    out = separable(relu(out), `${p}/separable_conv2`);
    return op('Add', [out, x]);
  };
  let x = relu(conv('input', 'entry_flow/conv_in', 2));
  x = reduction(x, 'entry_flow/reduction_block_0', false);
  x = reduction(x, 'entry_flow/reduction_block_1', true);
  x = main(x, 'middle_flow/main_block_0');
  x = main(x, 'middle_flow/main_block_1');
  x = reduction(x, 'exit_flow/reduction_block', true);
  x = relu(separable(x, 'exit_flow/separable_conv'));
  const pooled = op('Flatten', [op('AveragePool', [x], [ints('kernel_shape', [7, 7]), ints('strides', [2, 2])])]);
  const fc = (p, output) => {
    const w = get(`${p}/weights`);
    return op('Gemm', [pooled, constant(`${p}/weights`, w.shape, w.values), bias(`${p}/bias`)], [], output);
  };
  fc('fc/age', 'age');
  op('Softmax', [fc('fc/gender')], [{ name: 'axis', type: A.INT, i: 1 }], 'gender');
  return encodeOnnxModel(onnx, {
    producer: 'face-api-weights.mjs',
    doc,
    graph: {
      name: 'age-gender',
      node,
      initializer,
      input: [floatValueInfo(onnx, 'input', ['N', 3, 112, 112])],
      output: [floatValueInfo(onnx, 'age', ['N', 1]), floatValueInfo(onnx, 'gender', ['N', 2])],
    },
  });
}

/**
 * Writes `age-gender.onnx` from face-api's `age_gender_model-weights_manifest.json` (and its `.bin`).
 * @returns {Promise<Uint8Array>} the bytes written
 */
export async function writeAgeGenderOnnx(manifestPath, outFile, source = '@vladmandic/face-api') {
  const { onnx } = (await import('onnx-proto')).default;
  const doc = `Age (years) and gender of a face: face-api.js's AgeGenderNet (TinyXception; justadudewhohacks, MIT) from ${source} model/age_gender_model (MIT). Input [N, 3, 112, 112]: RGB planes, (v - [122.782, 117.001, 104.298]) / 255.`;
  let bytes;
  try {
    bytes = ageGenderOnnx(onnx, readTfjsWeights(manifestPath), doc);
  } catch (err) {
    throw new Error(`cannot build age-gender.onnx from ${manifestPath}: ${err.message}`, { cause: err });
  }
  writeFileSync(outFile, bytes);
  return bytes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [src, dst] = process.argv.slice(2);
  if (!src || !dst)
    throw new Error('usage: node face-api-weights.mjs <age_gender_model-weights_manifest.json> <out.onnx>');
  await writeAgeGenderOnnx(src, dst);
  console.log(`wrote ${dst}`);
}
