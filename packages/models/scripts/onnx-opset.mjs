// Upgrades an ONNX graph of the default domain to opset 13, the first opset with per-channel QuantizeLinear /
// DequantizeLinear (axis), for the operators the shipped models use. Only the operators whose signature or meaning
// changed between opset 9 and 13 are rewritten; any other changed operator stops the build.
import { attr, node, tensor } from './onnx-graph.mjs';

/** Operators whose definition is the same at opsets 9 and 13 for the inputs these models give them. */
const UNCHANGED = new Set([
  'Add',
  'BatchNormalization',
  'Concat',
  'Constant',
  'Conv',
  'Div',
  'Exp',
  'Flatten',
  'Gather',
  'Gemm',
  'MaxPool',
  'Mul',
  'PRelu',
  'Relu',
  'Reshape',
  'Shape',
  'Sub',
  'Transpose',
]);

/**
 * Rewrites `model` (an onnx-proto ModelProto, changed in place) from its default-domain opset to 13:
 * - `Slice` (attributes `starts`, `ends`, `axes` before opset 10) → the same as int64 inputs;
 * - `Unsqueeze` (attribute `axes` before opset 13) → an int64 input;
 * - `Softmax`: before opset 13 it flattened the input from `axis` on; kept only where `axis` is the last dimension of a
 *   graph output of known rank (then both definitions agree).
 * @throws {Error} naming the operator, for an operator outside the list above, or a Softmax it cannot prove unchanged.
 */
export function upgradeOpset(model, target = 13) {
  const entry = model.opsetImport.find((o) => !o.domain);
  const from = Number(entry?.version ?? 1);
  if (from >= target) return model;
  if (from < 9) throw new Error(`opset ${from} is older than the 9 this upgrade starts from`);
  const g = model.graph;
  const ranks = new Map(
    [...g.output, ...(g.valueInfo ?? [])].map((v) => [v.name, v.type?.tensorType?.shape?.dim?.length]),
  );
  const added = [];
  const ints = (name, values) => {
    added.push(tensor(name, [values.length], BigInt64Array.from(values)));
    return name;
  };
  // INTS attributes as exact int64 (Slice's `ends` is often INT64_MAX, which a JS number cannot hold).
  const int64s = (n, name, dflt) => {
    const a = n.attribute.find((x) => x.name === name);
    return a ? a.ints.map((v) => BigInt(String(v))) : dflt;
  };
  g.node = g.node.map((n) => {
    if (n.domain) return n;
    if (UNCHANGED.has(n.opType)) return n;
    if (n.opType === 'Slice' && from < 10) {
      const starts = int64s(n, 'starts');
      const ends = int64s(n, 'ends');
      const axes = int64s(
        n,
        'axes',
        starts.map((_, i) => BigInt(i)),
      );
      const key = n.output[0];
      return node(
        'Slice',
        [n.input[0], ints(`${key}/starts`, starts), ints(`${key}/ends`, ends), ints(`${key}/axes`, axes)],
        n.output,
        n.name,
      );
    }
    if (n.opType === 'Unsqueeze') {
      return node('Unsqueeze', [n.input[0], ints(`${n.output[0]}/axes`, int64s(n, 'axes'))], n.output, n.name);
    }
    if (n.opType === 'Softmax') {
      const axis = attr(n, 'axis', 1);
      const rank = ranks.get(n.output[0]);
      if (axis === -1 || (rank !== undefined && axis === rank - 1)) return n;
      throw new Error(`Softmax ${n.name || n.output[0]}: axis ${axis} is not provably the last dimension`);
    }
    throw new Error(`${n.opType} (${n.name || n.output[0]}): no opset ${from} → ${target} rewrite for this operator`);
  });
  g.initializer.push(...added);
  entry.version = target;
  if (Number(String(model.irVersion)) < 7) model.irVersion = 7;
  return model;
}
