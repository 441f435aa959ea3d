// The int8 models the build makes from the shipped FP32 ONNX files, and how: the graph is prepared (opset 13, scalar
// Mul folded, PRelu as y + Relu((a − 1)·y)), its channels equalised and its activations quantised with the factors and
// ranges of a calibration table (calibration/<model>.json, written by scripts/calibrate-int8.mjs at the repository
// root from face images that are not in the LFW evaluation), then written in QDQ form.
//
// With onnxruntime-node 1.30 on AMD Zen 4 (docs/benchmarks/pipeline.md) the embedder runs about 3× faster in int8.
// The RFB-320 detector gets faster only with its first two convolutions (3 and 16 channels at 160×120) kept in float,
// where ONNX Runtime's integer kernels cost more than its float ones; its variants (INT8_DETECTOR_VARIANTS) are measured
// by scripts/bench-int8-detector.mjs and not built. MTCNN's nets stay FP32.
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
 * The int8 models. `input`: which inputs calibrate it (scripts/calibrate-int8.mjs: 'embedder' aligned crops, 'rfb320'
 * whole images at 320×240); `format`: 'qdq' (default) or 'qoperator'; `floatOutputs` are Convs (named by their output tensor in the upstream graph) kept in float: for the
 * embedder the first convolution and the first depthwise one (on 3 and 64 channels at 56×56, ONNX Runtime's float
 * kernels are faster there, and the image-level features lose most to 8 bits) and the last three (the 512-channel
 * expansion, the 7×7 global depthwise convolution and the linear embedding layer: quantising their inputs cost more
 * accuracy than all other layers together, measured one tensor at a time on LFW crops).
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

/** RFB-320 recipes share one calibration table; `floatOutputs` picks, from a Conv's channels, the ones kept in float. */
const detector = (name, format, keepFloat) => ({
  name,
  source: 'fr_detect.onnx',
  output: `fr_detect.${name.slice('detector-'.length)}.int8.onnx`,
  table: 'fr_detect.int8.json',
  input: 'rfb320',
  format,
  floatOutputs: keepFloat,
});
const narrow = (c) => c.inputChannels < 32 || c.outputChannels < 32;
/** The first two layers, at 160×120: the 3-channel stem and the 16-channel depthwise Conv after it. */
const stem = (c) => c.inputChannels === 3 || (c.depthwise && c.inputChannels === 16);

/**
 * int8 forms of the RFB-320 detector that are measured (scripts/bench-int8-detector.mjs) but not built or shipped:
 * every Conv integer, or only those with ≥ 32 input and output channels (the first layers and the box and score heads
 * stay float), with or without the depthwise ones; every Conv but the first two (whose integer kernels are 2× slower
 * than float ones on 3 and 16 channels at 160×120), with or without the depthwise ones; QDQ, and the same plans written
 * as QLinearConv.
 */
export const INT8_DETECTOR_VARIANTS = Object.freeze([
  detector('detector-all', 'qdq', () => false),
  detector('detector-wide', 'qdq', narrow),
  detector('detector-wide-dense', 'qdq', (c) => narrow(c) || c.depthwise),
  detector('detector-all-qop', 'qoperator', () => false),
  detector('detector-wide-qop', 'qoperator', narrow),
  detector('detector-wide-dense-qop', 'qoperator', (c) => narrow(c) || c.depthwise),
  detector('detector-after-stem', 'qdq', stem),
  detector('detector-after-stem-qop', 'qoperator', stem),
  detector('detector-dense', 'qdq', (c) => stem(c) || c.depthwise),
  detector('detector-dense-qop', 'qoperator', (c) => stem(c) || c.depthwise),
]);

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
