// Post-training int8 quantisation of an FP32 ONNX graph (prepared by onnx-rewrite.mjs), in either of ONNX's two forms:
// - 'qoperator': integer operators written out — QLinearConv, com.microsoft QLinearAdd / QLinearConcat, and Max,
//   MaxPool, Flatten, Reshape directly on uint8 tensors; QuantizeLinear where a float tensor enters the integer part,
//   DequantizeLinear where an integer tensor leaves it;
// - 'qdq': the float operators kept, every integer tensor written as QuantizeLinear → DequantizeLinear, for ONNX
//   Runtime's graph optimiser to fuse (DQ → Conv → Q into QLinearConv and so on).
// Activations are uint8, asymmetric, with ranges from calibration; weights int8, symmetric, one scale per output
// channel; biases int32 at (input scale × weight scale). The recipe is ONNX Runtime's Python quantiser's
// (onnxruntime/python/tools/quantization: per_channel, QUInt8 activations, QInt8 weights), for our models' operators.
import { attr, DT, feedInputs, graphIndex, node, tensor, tensorValues } from './onnx-graph.mjs';
import { removeUnused } from './onnx-rewrite.mjs';

/** Operators that run unchanged on uint8 and keep their input's scale and zero point (order-preserving or moves). */
const PASS_THROUGH = new Set(['MaxPool', 'Flatten', 'Reshape']);

/**
 * Decides what {@link quantizeModel} makes integer, walking the graph in order:
 * - `Conv` with constant weights (unless its output is in `floatOutputs`);
 * - `Add` and `Concat` whose inputs are all integer tensors;
 * - `Mul` of an integer NCHW tensor by a per-channel constant [C, 1, 1]: a 1×1 depthwise QLinearConv (PRelu written
 *   as `y + Relu((a − 1)·y)` by onnx-rewrite.mjs is such a Mul, a folded Relu and an Add);
 * - MaxPool, Flatten, Reshape of an integer tensor (same scale and zero point as their input);
 * - a `Relu` that is the only reader of an integer operator's output is folded into it: that output is quantised with a
 *   range from 0 (zero point 0), and the uint8 clamp at 0 does the Relu's work exactly.
 * @param {object} model onnx-proto ModelProto, opset ≥ 13.
 * @param {{ floatOutputs?: Iterable<string> }} [options]
 * @returns {{ kinds: Map<object, string>, integer: Set<string>, fromFloat: Set<string>, tensors: string[],
 *   grid: Map<string, string> }} `kinds`: node → 'conv' | 'add' | 'concat' | 'scale' | 'pass' | 'relu';
 *   `integer`: tensors held as uint8; `fromFloat`: those of them a float operator or the caller produces (quantised by
 *   a QuantizeLinear); `tensors`: those needing a calibrated range (graph order); `grid`: tensor → the tensor whose
 *   scale it shares.
 */
export function quantizationPlan(model, options = {}) {
  const g = model.graph;
  const { inits, producer, consumers, outputs } = graphIndex(g);
  const floatOutputs = new Set(options.floatOutputs ?? []);
  const kinds = new Map();
  const integer = new Set();
  const grid = new Map();
  const root = (t) => (grid.has(t) && grid.get(t) !== t ? root(grid.get(t)) : t);
  const share = (a, b) => {
    const ra = root(a),
      rb = root(b);
    if (ra !== rb) grid.set(rb, ra);
  };
  const isConst = (t) => inits.has(t);
  /** A float constant of shape [C, 1, 1]: one factor per channel of an NCHW tensor. */
  const channelConstant = (t) => {
    const c = inits.get(t);
    return c?.dataType === DT.FLOAT && c.dims.length === 3 && Number(c.dims[1]) === 1 && Number(c.dims[2]) === 1;
  };
  const integerOp = (n, kind) => {
    kinds.set(n, kind);
    const y = n.output[0];
    const readers = consumers.get(y) ?? [];
    if (kind !== 'pass' && readers.length === 1 && readers[0].opType === 'Relu' && !outputs.has(y)) {
      kinds.set(readers[0], 'relu');
      integer.add(readers[0].output[0]);
    } else integer.add(y);
  };
  const feeds = new Set(feedInputs(g).map((i) => i.name));
  for (const n of g.node) {
    if (kinds.has(n)) continue;
    const acts = n.input.filter((i) => i && !isConst(i));
    if (n.opType === 'Conv' && isConst(n.input[1]) && inits.get(n.input[1]).dataType === DT.FLOAT) {
      if (floatOutputs.has(n.output[0])) continue;
      integerOp(n, 'conv');
      integer.add(n.input[0]); // quantised by a QuantizeLinear when a float operator or the caller produces it
    } else if ((n.opType === 'Add' || n.opType === 'Concat') && acts.length === n.input.length) {
      if (acts.every((i) => integer.has(i))) integerOp(n, n.opType === 'Add' ? 'add' : 'concat');
    } else if (n.opType === 'Mul' && integer.has(n.input[0]) && channelConstant(n.input[1])) {
      integerOp(n, 'scale');
    } else if (PASS_THROUGH.has(n.opType) && integer.has(n.input[0])) {
      integerOp(n, 'pass');
      share(n.input[0], n.output[0]);
    }
  }
  const order = [...feeds, ...g.node.flatMap((n) => n.output)];
  const tensors = order.filter((t) => integer.has(t));
  for (const t of tensors) grid.set(t, root(t));
  const written = (t) => kinds.has(producer.get(t));
  const fromFloat = new Set(tensors.filter((t) => !written(t)));
  return { kinds, integer, fromFloat, tensors, grid };
}

/**
 * uint8 affine parameters of a range: scale = (hi − lo) / 255 and a zero point in 0…255 such that 0.0 is exact
 * (padding zeros stay zero). The range is first widened to include 0.
 * @param {[number, number]} range
 * @returns {{ scale: number, zeroPoint: number }}
 */
export function activationParams([lo, hi]) {
  const a = Math.min(lo, 0),
    b = Math.max(hi, 0);
  if (!(Number.isFinite(a) && Number.isFinite(b))) throw new Error(`range [${lo}, ${hi}] is not finite`);
  const scale = b > a ? (b - a) / 255 : 1;
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-a / scale)));
  return { scale, zeroPoint };
}

/**
 * Symmetric int8 quantisation of a weight tensor, one scale per output channel (axis 0).
 * @param {Float32Array} w values, output channel first
 * @param {number} channels size of axis 0
 * @param {number} qmax largest code: 127 (8-bit), or 63 to keep u8 × s8 pair sums inside int16 on CPUs without VNNI
 * @param {Float32Array} [minScales] per channel, the smallest scale allowed (so that the bias fits int32)
 * @returns {{ q: Int8Array, scales: Float32Array }}
 */
export function quantizeWeights(w, channels, qmax = 127, minScales = undefined) {
  const per = w.length / channels;
  const q = new Int8Array(w.length);
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    let m = 0;
    for (let j = c * per; j < (c + 1) * per; j++) m = Math.max(m, Math.abs(w[j]));
    const s = Math.max(m / qmax, minScales?.[c] ?? 0) || 1;
    scales[c] = s;
    for (let j = c * per; j < (c + 1) * per; j++) q[j] = Math.max(-qmax, Math.min(qmax, Math.round(w[j] / s)));
  }
  return { q, scales };
}

/**
 * Quantises `model` (an onnx-proto ModelProto at opset ≥ 13, prepared by onnx-rewrite.mjs; changed in place) following
 * {@link quantizationPlan}.
 * @param {object} model
 * @param {Record<string, [number, number]>} ranges calibrated [min, max] of every tensor of the plan (tensors sharing a
 *   scale get the union of their ranges).
 * @param {{ format?: 'qoperator' | 'qdq', floatOutputs?: Iterable<string>, weightMax?: number }} [options]
 *   `weightMax`: 127 (default) or 63.
 * @returns the model.
 * @throws {Error} a tensor of the plan without a finite range.
 */
export function quantizeModel(model, ranges, options = {}) {
  const format = options.format ?? 'qoperator';
  if (format !== 'qoperator' && format !== 'qdq') throw new Error(`unknown format ${format}`);
  const g = model.graph;
  const plan = quantizationPlan(model, options);
  const { inits } = graphIndex(g);
  const union = new Map();
  for (const t of plan.tensors) {
    const r = ranges[t];
    if (r?.length !== 2 || !r.every(Number.isFinite))
      throw new Error(`no calibrated range for tensor ${t} (${JSON.stringify(r)})`);
    const k = plan.grid.get(t);
    const u = union.get(k) ?? [0, 0];
    union.set(k, [Math.min(u[0], r[0]), Math.max(u[1], r[1])]);
  }
  const params = new Map(plan.tensors.map((t) => [t, activationParams(union.get(plan.grid.get(t)))]));
  const added = [];
  const constant = (name, dims, values) => {
    added.push(tensor(name, dims, values));
    return name;
  };
  const scaleOf = (t) => `${plan.grid.get(t)}/scale`;
  const zeroOf = (t) => `${plan.grid.get(t)}/zero`;
  for (const k of new Set(plan.grid.values())) {
    const { scale, zeroPoint } = params.get(k);
    constant(`${k}/scale`, [], new Float32Array([scale]));
    constant(`${k}/zero`, [], new Uint8Array([zeroPoint]));
  }
  const qmax = options.weightMax ?? 127;
  /** int8 weights and int32 bias of an integer Conv: [W_q, W_scale, W_zero, B_q?]. */
  const convConstants = (conv, x) => {
    const key = conv.output[0];
    const wt = inits.get(conv.input[1]);
    const dims = wt.dims.map(Number);
    const sx = params.get(x).scale;
    const b = conv.input[2] ? tensorValues(inits.get(conv.input[2])) : undefined;
    // A near-dead channel (weights ~1e-30) would get a bias scale so small that its bias overflows int32: its weight
    // scale is raised until |bias| / (input scale · weight scale) < 2^30 (its weights then round to 0, as they were).
    const minScales = b && Float32Array.from(b, (v) => Math.abs(v) / (sx * 2 ** 30));
    const { q, scales } = quantizeWeights(tensorValues(wt), dims[0], qmax, minScales);
    const names = [
      constant(`${key}/W_q`, dims, q),
      constant(`${key}/W_scale`, [dims[0]], scales),
      constant(`${key}/W_zero`, [dims[0]], new Int8Array(dims[0])),
    ];
    if (b)
      names.push(
        constant(
          `${key}/B_q`,
          [b.length],
          Int32Array.from(b, (v, c) => Math.round(v / (sx * scales[c]))),
        ),
      );
    return { names, scales, sx };
  };
  /** The factors of a per-channel Mul as a 1×1 depthwise int8 filter: code ±127 (or 0), scale |c| / 127. */
  const scaleConstants = (mul) => {
    const c = tensorValues(inits.get(mul.input[1]));
    const key = mul.output[0];
    return [
      constant(
        `${key}/W_q`,
        [c.length, 1, 1, 1],
        Int8Array.from(c, (v) => Math.sign(v) * 127),
      ),
      constant(
        `${key}/W_scale`,
        [c.length],
        Float32Array.from(c, (v) => Math.abs(v) / 127 || 1),
      ),
      constant(`${key}/W_zero`, [c.length], new Int8Array(c.length)),
    ];
  };
  const depthwise1x1 = (mul) => ({ group: Number(inits.get(mul.input[1]).dims[0]), kernel_shape: [1, 1] });
  // The integer op writes the Relu's output name where a Relu is folded into it.
  const out = (n) => {
    const relu = [...plan.kinds].find(([r, k]) => k === 'relu' && r.input[0] === n.output[0])?.[0];
    return relu ? relu.output[0] : n.output[0];
  };
  const feeds = new Set(feedInputs(g).map((i) => i.name));
  const nodes = [];
  const q = (t) => `${t}/q`;
  if (format === 'qoperator') {
    const needsFloat = new Set(g.output.map((o) => o.name));
    for (const n of g.node) {
      const kind = plan.kinds.get(n);
      if (kind === 'relu') continue;
      if (!kind) {
        for (const i of n.input) if (plan.integer.has(i) && !feeds.has(i)) needsFloat.add(i);
        nodes.push(n);
        continue;
      }
      const y = out(n);
      const [x] = n.input;
      if (kind === 'conv') {
        const { names } = convConstants(n, x);
        const [wq, ws, wz, bq] = names;
        const inputs = [q(x), scaleOf(x), zeroOf(x), wq, ws, wz, scaleOf(y), zeroOf(y)];
        if (bq) inputs.push(bq);
        nodes.push({ ...n, opType: 'QLinearConv', input: inputs, output: [q(y)] });
      } else if (kind === 'add') {
        const [a, b] = n.input;
        nodes.push(
          node(
            'QLinearAdd',
            [q(a), scaleOf(a), zeroOf(a), q(b), scaleOf(b), zeroOf(b), scaleOf(y), zeroOf(y)],
            [q(y)],
            n.name || y,
            {},
            'com.microsoft',
          ),
        );
      } else if (kind === 'concat') {
        const inputs = [scaleOf(y), zeroOf(y), ...n.input.flatMap((i) => [q(i), scaleOf(i), zeroOf(i)])];
        nodes.push(node('QLinearConcat', inputs, [q(y)], n.name || y, { axis: attr(n, 'axis') }, 'com.microsoft'));
      } else if (kind === 'scale') {
        const [wq, ws, wz] = scaleConstants(n);
        const inputs = [q(x), scaleOf(x), zeroOf(x), wq, ws, wz, scaleOf(y), zeroOf(y)];
        nodes.push(node('QLinearConv', inputs, [q(y)], n.name || y, depthwise1x1(n)));
      } else if (kind === 'pass') {
        nodes.push({ ...n, input: [q(x), ...n.input.slice(1)], output: [q(y)] });
      }
    }
    const head = [];
    for (const t of plan.tensors) {
      if (plan.fromFloat.has(t)) head.push(node('QuantizeLinear', [t, scaleOf(t), zeroOf(t)], [q(t)], `${t}/quantize`));
      else if (needsFloat.has(t))
        nodes.push(node('DequantizeLinear', [q(t), scaleOf(t), zeroOf(t)], [t], `${t}/dequantize`));
    }
    g.node = topologicalOrder([...head, ...nodes]);
    if (!model.opsetImport.some((o) => o.domain === 'com.microsoft'))
      model.opsetImport.push({ domain: 'com.microsoft', version: 1 });
  } else {
    // QDQ: every integer tensor t is written as `<t>/float` → QuantizeLinear → `<t>/q` → DequantizeLinear → `<t>`, so
    // readers and graph outputs keep their names; a graph input's readers switch to `<t>/dq`.
    const rename = new Map();
    for (const n of g.node) {
      const kind = plan.kinds.get(n);
      if (kind === 'relu') continue;
      if (kind === 'conv') {
        const { names, scales, sx } = convConstants(n, n.input[0]);
        const key = n.output[0];
        const [wq, ws, wz, bq] = names;
        nodes.push(node('DequantizeLinear', [wq, ws, wz], [`${key}/W`], `${key}/W/dq`, { axis: 0 }));
        n.input[1] = `${key}/W`;
        if (bq) {
          const bs = constant(
            `${key}/B_scale`,
            [scales.length],
            scales.map((s) => s * sx),
          );
          const bz = constant(`${key}/B_zero`, [scales.length], new Int32Array(scales.length));
          nodes.push(node('DequantizeLinear', [bq, bs, bz], [`${key}/B`], `${key}/B/dq`, { axis: 0 }));
          n.input[2] = `${key}/B`;
        }
      } else if (kind === 'scale') {
        const [wq, ws, wz] = scaleConstants(n);
        const key = n.output[0];
        nodes.push(node('DequantizeLinear', [wq, ws, wz], [`${key}/W`], `${key}/W/dq`, { axis: 0 }));
        Object.assign(n, node('Conv', [n.input[0], `${key}/W`], n.output, n.name || key, depthwise1x1(n)));
      }
      if (kind) n.output[0] = out(n);
      nodes.push(n);
    }
    for (const t of plan.tensors) {
      const src = feeds.has(t) ? t : `${t}/float`;
      const dst = feeds.has(t) ? `${t}/dq` : t;
      if (feeds.has(t)) rename.set(t, dst);
      nodes.push(node('QuantizeLinear', [src, scaleOf(t), zeroOf(t)], [q(t)], `${t}/quantize`));
      nodes.push(node('DequantizeLinear', [q(t), scaleOf(t), zeroOf(t)], [dst], `${t}/dequantize`));
    }
    const quantised = new Set(plan.tensors.filter((t) => !feeds.has(t)));
    for (const n of nodes) {
      if (n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear') continue;
      n.output = n.output.map((o) => (quantised.has(o) ? `${o}/float` : o));
      n.input = n.input.map((i) => rename.get(i) ?? i);
    }
    g.node = topologicalOrder(nodes);
  }
  g.initializer.push(...added);
  removeUnused(g);
  return model;
}

/** Nodes sorted so that every node comes after the producers of its inputs (depth-first, stable otherwise). */
function topologicalOrder(nodes) {
  const produced = new Map();
  for (const n of nodes) for (const o of n.output) produced.set(o, n);
  const done = new Set();
  const out = [];
  const visit = (n, stack) => {
    if (done.has(n)) return;
    if (stack.has(n)) throw new Error(`cycle at ${n.name}`);
    stack.add(n);
    for (const i of n.input) {
      const p = produced.get(i);
      if (p) visit(p, stack);
    }
    stack.delete(n);
    done.add(n);
    out.push(n);
  };
  for (const n of nodes) visit(n, new Set());
  return out;
}

/**
 * A copy of `model` (an onnx-proto ModelProto) that also outputs `names`, for reading activation ranges during
 * calibration.
 */
export function withExtraOutputs(onnx, model, names) {
  const copy = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
  const have = new Set(copy.graph.output.map((o) => o.name));
  for (const n of names)
    if (!have.has(n)) copy.graph.output.push({ name: n, type: { tensorType: { elemType: DT.FLOAT } } });
  return copy;
}
