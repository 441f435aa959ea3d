// The int8 models the build makes from the shipped FP32 ONNX files, and how: the graph is prepared (opset 13, scalar
// Mul folded, PRelu as y + Relu((a − 1)·y)), its channels equalised and its activations quantised with the factors and
// ranges of a calibration table (calibration/<model>.json, written by scripts/calibrate-int8.mjs at the repository
// root from face images that are not in the LFW evaluation), then written in QDQ form.
//
// With onnxruntime-node 1.30 on AMD Zen 4 (docs/benchmarks/pipeline.md) the embedder runs about 3× faster in int8.
// The RFB-320 detector's int8 form (RFB320_INT8) is faster too, but it moves boxes enough to cost LFW verification
// accuracy beyond what the int8 embedder is allowed, so it is calibrated and measured (scripts/calibrate-int8.mjs
// --model detector, scripts/bench-int8-detector.mjs), not built. MTCNN's nets stay FP32.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { equalize } from './onnx-equalize.mjs';
import { upgradeOpset } from './onnx-opset.mjs';
import { quantizeModel } from './onnx-quantize.mjs';
import { foldScalarMul, rewritePrelu } from './onnx-rewrite.mjs';

/** Format tag of the calibration tables. */
export const CALIBRATION_FORMAT = 'eolgul-int8-calibration/1';

/**
 * Picks the RFB-320 detector's first two Convs, at 160×120: the 3-channel stem and the 16-channel depthwise Conv after
 * it. ONNX Runtime's integer kernels took about twice the time of its float ones there, so they stay float.
 * @param {{ inputChannels: number, depthwise: boolean }} c a Conv of {@link convolutions}
 */
export const rfb320Stem = (c) => c.inputChannels === 3 || (c.depthwise && c.inputChannels === 16);

/**
 * The int8 models. `input`: which inputs calibrate it (scripts/calibrate-int8.mjs: 'embedder' aligned crops, 'rfb320'
 * whole images at 320×240); `format`: 'qdq' (default) or 'qoperator'; `floatOutputs`: the Convs kept in float, named
 * by their output tensor in the upstream graph, or a predicate on {@link convolutions}' entries.
 * - embedder: the first convolution and the first depthwise one (on 3 and 64 channels at 56×56, ONNX Runtime's float
 *   kernels are faster there, and the image-level features lose most to 8 bits) and the last three (the 512-channel
 *   expansion, the 7×7 global depthwise convolution and the linear embedding layer: quantising their inputs cost more
 *   accuracy than all other layers together, measured one tensor at a time on LFW crops).
 */
export const INT8_MODELS = Object.freeze([
  {
    name: 'embedder',
    input: 'embedder',
    source: 'fr_feature.onnx',
    output: 'fr_feature.int8.onnx',
    table: 'fr_feature.int8.json',
    floatOutputs: ['518', '521', '659', '662', '665'],
  },
]);

/** The RFB-320 detector's int8 form, a recipe as in {@link INT8_MODELS} (not built): every Conv but {@link rfb320Stem}'s. */
export const RFB320_INT8 = Object.freeze({
  name: 'detector',
  input: 'rfb320',
  source: 'fr_detect.onnx',
  output: 'fr_detect.int8.onnx',
  table: 'fr_detect.int8.json',
  floatOutputs: rfb320Stem,
});

/**
 * The Convs of a graph with constant weights and their shapes.
 * @returns {{ output: string, inputChannels: number, outputChannels: number, depthwise: boolean }[]}
 */
export function convolutions(model) {
  const inits = new Map(model.graph.initializer.map((t) => [t.name, t]));
  return model.graph.node.flatMap((n) => {
    const w = n.opType === 'Conv' && inits.get(n.input[1]);
    if (!w) return [];
    const [outputChannels, perGroup] = w.dims.map(Number);
    const group = Number(n.attribute.find((a) => a.name === 'group')?.i ?? 1);
    return [
      { output: n.output[0], inputChannels: perGroup * group, outputChannels, depthwise: group > 1 && perGroup === 1 },
    ];
  });
}

/** The Conv outputs `recipe` keeps in float on the prepared graph `model`: its list, or the Convs its predicate picks. */
export function floatOutputsOf(model, recipe) {
  const f = recipe.floatOutputs ?? [];
  return typeof f === 'function'
    ? convolutions(model)
        .filter(f)
        .map((c) => c.output)
    : f;
}

/** SHA-256 of bytes, hex. */
export function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The FP32 graph the integer model is made from (and calibrated on): opset 13, scalar Muls folded into their Convs,
 * PRelu as `y + Relu((a − 1)·y)`. Computes the same function as the source.
 * @param {typeof import('onnx-proto').onnx} onnx
 * @param {Uint8Array} bytes the FP32 `.onnx` file
 * @returns an onnx-proto ModelProto
 */
export function prepareForInt8(onnx, bytes) {
  const model = onnx.ModelProto.decode(bytes);
  upgradeOpset(model);
  foldScalarMul(model);
  rewritePrelu(model, 'add');
  return model;
}

/**
 * Checks a calibration table against its recipe and source file.
 * @throws {Error} naming the table: wrong format, a table for another file or another version of it.
 */
export function checkTable(table, recipe, sourceBytes, where = recipe.table) {
  if (table?.format !== CALIBRATION_FORMAT)
    throw new Error(`${where}: not a calibration table of format ${CALIBRATION_FORMAT}`);
  if (table.model !== recipe.source) throw new Error(`${where}: made for ${table.model}, not ${recipe.source}`);
  const digest = sha256(sourceBytes);
  if (table.sourceSha256 !== digest)
    throw new Error(
      `${where}: made for ${recipe.source} with SHA-256 ${table.sourceSha256}, but this file's is ${digest} ` +
        '(the upstream model changed: run node scripts/calibrate-int8.mjs at the repository root)',
    );
}

/**
 * The int8 model of `recipe` from its FP32 source and calibration table (deterministic: the same inputs give the same
 * bytes).
 * @returns {Uint8Array} the `.onnx` bytes
 */
export function buildInt8Model(onnx, recipe, sourceBytes, table) {
  checkTable(table, recipe, sourceBytes);
  const model = prepareForInt8(onnx, sourceBytes);
  const floatOutputs = floatOutputsOf(model, recipe);
  const format = recipe.format ?? 'qdq';
  equalize(model, table.equalization);
  quantizeModel(model, table.ranges, { format, floatOutputs });
  model.producerName = 'eolgul @eolgul/models scripts/int8-models.mjs';
  const form = format === 'qdq' ? 'QDQ' : 'QLinear operators';
  model.docString = `int8 (${form}: uint8 activations, int8 per-channel weights) of ${recipe.source}; calibration: ${table.images}`;
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Writes every model of {@link INT8_MODELS} into `outDir` from the upstream FP32 file in `sourceDir` and the table in
 * `tablesDir`; a file is rewritten only when its bytes change.
 * @returns {string[]} the files written or already up to date
 */
export async function writeInt8Models(sourceDir, outDir, tablesDir) {
  const { onnx } = (await import('onnx-proto')).default;
  const files = [];
  for (const recipe of INT8_MODELS) {
    const tablePath = join(tablesDir, recipe.table);
    const source = readFileSync(join(sourceDir, recipe.source));
    let bytes;
    try {
      bytes = buildInt8Model(onnx, recipe, source, JSON.parse(readFileSync(tablePath, 'utf8')));
    } catch (err) {
      throw new Error(`cannot build ${recipe.output} from ${recipe.source} and ${tablePath}: ${err.message}`, {
        cause: err,
      });
    }
    const file = join(outDir, recipe.output);
    if (!existsSync(file) || statSync(file).size !== bytes.length || !readFileSync(file).equals(Buffer.from(bytes)))
      writeFileSync(file, bytes);
    files.push(recipe.output);
  }
  return files;
}
