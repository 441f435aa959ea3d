// Exact rewrites of FP32 ONNX graphs that let ONNX Runtime run them faster, in float and once quantised:
// - a Mul by a scalar constant after a Conv is folded into the Conv's weights;
// - PRelu (per-channel slope a) becomes Max(y, a·y) for the float model: equal to it wherever a ≤ 1 (bit for bit), and
//   ONNX Runtime runs it as two vectorised kernels instead of its scalar PRelu loop; or y + Relu((a − 1)·y) for the
//   integer model, where each piece is an integer operator with its own scale (a 1×1 depthwise QLinearConv with the
//   Relu folded in, then QLinearAdd). A channel with a > 1 is first negated (the producing Conv's row and the consuming
//   Convs' column times −1), where either form is again its PRelu up to that sign.
import { attr, DT, graphIndex, node, tensor, tensorValues } from './onnx-graph.mjs';

/** Replaces initializer `name`'s values by `values` under a new name (the old one may be shared); returns the new name. */
function replaceInitializer(g, inits, name, values, suffix) {
  const t = inits.get(name);
  const fresh = `${name}/${suffix}`;
  const made = tensor(fresh, t.dims.map(Number), values);
  g.initializer.push(made);
  inits.set(fresh, made);
  return fresh;
}

/** Removes initializers and Constant nodes nothing reads any more, and graph inputs that are such initializers. */
export function removeUnused(g) {
  const read = new Set([...g.node.flatMap((n) => n.input), ...g.output.map((o) => o.name)]);
  g.node = g.node.filter((n) => n.opType !== 'Constant' || read.has(n.output[0]));
  const inits = new Set(g.initializer.map((t) => t.name));
  g.initializer = g.initializer.filter((t) => read.has(t.name));
  g.input = g.input.filter((i) => !inits.has(i.name) || read.has(i.name));
}

/**
 * Folds a `Mul` by a scalar constant into the Conv that feeds it (weights and bias times the scalar), when that Conv's
 * output has no other reader. Changes `model` in place.
 * @returns {number} how many were folded.
 */
export function foldScalarMul(model) {
  const g = model.graph;
  const { inits, producer, consumers, outputs } = graphIndex(g);
  const constants = new Map(g.node.filter((n) => n.opType === 'Constant').map((n) => [n.output[0], n]));
  const scalarOf = (name) => {
    const t = inits.get(name) ?? (constants.has(name) ? attr(constants.get(name), 'value') : undefined);
    if (!t || t.dataType !== DT.FLOAT) return undefined;
    const v = tensorValues(t);
    return v.length === 1 ? v[0] : undefined;
  };
  const drop = new Set();
  for (const mul of g.node) {
    if (mul.opType !== 'Mul') continue;
    const k = mul.input.findIndex((i) => scalarOf(i) !== undefined);
    if (k < 0) continue;
    const x = mul.input[1 - k];
    const conv = producer.get(x);
    if (conv?.opType !== 'Conv' || consumers.get(x).length !== 1 || outputs.has(x)) continue;
    const s = scalarOf(mul.input[k]);
    for (const i of [1, 2]) {
      if (!inits.has(conv.input[i])) continue;
      conv.input[i] = replaceInitializer(
        g,
        inits,
        conv.input[i],
        tensorValues(inits.get(conv.input[i])).map((v) => v * s),
        'scaled',
      );
    }
    conv.output[0] = mul.output[0];
    drop.add(mul);
  }
  g.node = g.node.filter((n) => !drop.has(n));
  removeUnused(g);
  return drop.size;
}

/** Channels of a float initializer along axis `axis` (0 or 1) multiplied by −1 where `flip[c]`. */
function flipChannels(values, dims, axis, flip) {
  const out = Float32Array.from(values);
  const outer = axis === 0 ? 1 : dims[0];
  const channels = dims[axis];
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  for (let o = 0; o < outer; o++)
    for (let c = 0; c < channels; c++)
      if (flip[c]) for (let j = 0; j < inner; j++) out[(o * channels + c) * inner + j] *= -1;
  return out;
}

/**
 * Rewrites every PRelu whose slope is a constant into `Max(y, Mul(y, a))` (`form: 'max'`) or
 * `Add(y, Relu(Mul(y, a − 1)))` (`form: 'add'`); see the file comment. Where some slope
 * exceeds 1 the rewrite needs the PRelu's input to come from a Conv with constant weights read by nothing else, and its
 * output to be read only by Convs with constant weights (one group, or depthwise); otherwise that PRelu is left as it
 * is. Changes `model` in place.
 * @returns {{ rewritten: number, kept: string[], negated: number }} PRelus rewritten, names of those left, channels negated.
 */
export function rewritePrelu(model, form = 'max') {
  if (form !== 'max' && form !== 'add') throw new Error(`unknown PRelu form ${form}`);
  const g = model.graph;
  const { inits, producer, consumers, outputs } = graphIndex(g);
  const result = { rewritten: 0, kept: [], negated: 0 };
  const nodes = [];
  for (const p of g.node) {
    const slope = p.opType === 'PRelu' ? inits.get(p.input[1]) : undefined;
    if (!slope || slope.dataType !== DT.FLOAT) {
      nodes.push(p);
      continue;
    }
    const a = tensorValues(slope);
    const flip = Array.from(a, (v) => v > 1);
    const [y] = p.input;
    const z = p.output[0];
    if (flip.some(Boolean)) {
      const conv = producer.get(y);
      const readers = consumers.get(z) ?? [];
      const convOk = (n) => n?.opType === 'Conv' && inits.get(n.input[1])?.dataType === DT.FLOAT;
      const depthwise = (n) => attr(n, 'group', 1) === a.length && Number(inits.get(n.input[1]).dims[1]) === 1;
      const groupOne = (n) => attr(n, 'group', 1) === 1;
      const ok =
        convOk(conv) &&
        consumers.get(y).length === 1 &&
        !outputs.has(y) &&
        !outputs.has(z) &&
        readers.length > 0 &&
        readers.every((r) => convOk(r) && r.input[0] === z && (groupOne(r) || depthwise(r)));
      if (!ok) {
        result.kept.push(p.name || z);
        nodes.push(p);
        continue;
      }
      const w = inits.get(conv.input[1]);
      conv.input[1] = replaceInitializer(
        g,
        inits,
        conv.input[1],
        flipChannels(tensorValues(w), w.dims.map(Number), 0, flip),
        'negated',
      );
      if (conv.input[2])
        conv.input[2] = replaceInitializer(
          g,
          inits,
          conv.input[2],
          tensorValues(inits.get(conv.input[2])).map((v, c) => (flip[c] ? -v : v)),
          'negated',
        );
      for (const r of readers) {
        const rw = inits.get(r.input[1]);
        const axis = depthwise(r) && !groupOne(r) ? 0 : 1;
        r.input[1] = replaceInitializer(
          g,
          inits,
          r.input[1],
          flipChannels(tensorValues(rw), rw.dims.map(Number), axis, flip),
          'negated',
        );
      }
      result.negated += flip.filter(Boolean).length;
    }
    const name = p.name || z;
    if (form === 'max') {
      nodes.push(node('Mul', [y, p.input[1]], [`${z}/slope_times_input`], `${name}/mul`));
      nodes.push(node('Max', [y, `${z}/slope_times_input`], [z], `${name}/max`));
    } else {
      const c = `${z}/slope_minus_one`;
      g.initializer.push(
        tensor(
          c,
          slope.dims.map(Number),
          a.map((v) => v - 1),
        ),
      );
      nodes.push(node('Mul', [y, c], [`${z}/excess`], `${name}/mul`));
      nodes.push(node('Relu', [`${z}/excess`], [`${z}/excess_relu`], `${name}/relu`));
      nodes.push(node('Add', [y, `${z}/excess_relu`], [z], `${name}/add`));
    }
    result.rewritten++;
  }
  g.node = nodes;
  removeUnused(g);
  return result;
}
