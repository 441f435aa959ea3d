// Cross-layer equalisation (Nagel, van Baalen, Blankevoort & Welling, "Data-Free Quantization Through Weight
// Equalization and Bias Correction", ICCV 2019), driven by calibrated activation ranges: channel c of a Conv's output
// is multiplied by s_c > 0 (the Conv's weight row and bias), the per-channel operators after it (a Relu; PRelu written
// by onnx-rewrite.mjs: Mul by a per-channel constant, Relu, Add of the two) commute with that positive factor, and the
// Convs that read the result divide their input channel c by s_c. The float model computes the same function; the
// integer model then spends its one uint8 scale per tensor on channels of similar ranges instead of a few wide ones.
import { attr, DT, graphIndex, tensor, tensorValues } from './onnx-graph.mjs';
import { removeUnused } from './onnx-rewrite.mjs';

/**
 * The places where channels can be rescaled: a Conv with constant weights whose output `y` is read only by the Mul and
 * Add of a rewritten PRelu (then `z` is that Add's output), only by a Relu (then `z` is the Relu's output) or directly,
 * and whose result is read only by Convs with
 * constant weights (one group, or depthwise). Graph outputs and residual sums are left alone.
 * @returns {{ producer: object, tensors: string[], readers: object[], depthwise: boolean }[]} `tensors`: y, the PRelu's
 *   tensors and z, whose per-channel ranges decide the factors; `depthwise`: every reader is depthwise (then the
 *   factors cost the readers nothing: each filter has its own weight scale).
 */
export function equalizationGroups(model) {
  const g = model.graph;
  const { inits, consumers, outputs } = graphIndex(g);
  const constConv = (n) => n?.opType === 'Conv' && inits.get(n.input[1])?.dataType === DT.FLOAT;
  const groups = [];
  for (const p of g.node) {
    if (!constConv(p)) continue;
    const y = p.output[0];
    const channels = Number(inits.get(p.input[1]).dims[0]);
    if (outputs.has(y)) continue;
    const ry = consumers.get(y) ?? [];
    let z = y;
    const tensors = [y];
    const mul = ry.find((n) => n.opType === 'Mul');
    const add = ry.find((n) => n.opType === 'Add');
    if (ry.length === 2 && mul && add) {
      // y → Mul(y, c) → Relu → Add(y, ·): the PRelu of rewritePrelu(…, 'add').
      const c = inits.get(mul.input[1]);
      const relu = consumers.get(mul.output[0])?.[0];
      if (!c || mul.input[0] !== y || relu?.opType !== 'Relu' || consumers.get(mul.output[0]).length !== 1) continue;
      if (consumers.get(relu.output[0])?.[0] !== add || add.input[0] !== y) continue;
      tensors.push(mul.output[0], relu.output[0], add.output[0]);
      z = add.output[0];
    } else if (ry.length === 1 && ry[0].opType === 'Relu') {
      // y → Relu: Relu(s·y) = s·Relu(y) for s > 0.
      z = ry[0].output[0];
      tensors.push(z);
    } else if (ry.some((n) => !constConv(n))) continue;
    const readers = consumers.get(z) ?? [];
    if (outputs.has(z) || !readers.length) continue;
    const isDepthwise = (n) => attr(n, 'group', 1) === channels && Number(inits.get(n.input[1]).dims[1]) === 1;
    if (!readers.every((n) => constConv(n) && n.input[0] === z && (attr(n, 'group', 1) === 1 || isDepthwise(n))))
      continue;
    groups.push({ producer: p, tensors, readers, depthwise: readers.every(isDepthwise) });
  }
  return groups;
}

/**
 * Factors for one group from the per-channel ranges of its tensors (`channelRanges[c]` = the widest max − min of
 * channel c over the group's tensors, 0 included). Depthwise readers: every live channel is brought to the widest
 * channel's range (s_c = R / r_c). Other readers: the geometric middle between that and leaving the channel alone
 * (s_c = √(R / r_c)), since a reader's weight row then holds columns of different sizes in one int8 scale. A channel
 * whose range is below 1e-6 · R carries nothing (a dead filter) and keeps s_c = 1.
 * @param {number[]} channelRanges
 * @param {boolean} depthwise
 * @returns {Float32Array}
 */
export function equalizationFactors(channelRanges, depthwise) {
  const R = Math.max(...channelRanges);
  return Float32Array.from(channelRanges, (r) => {
    if (!(R > 0) || !(r > 1e-6 * R)) return 1;
    return depthwise ? R / r : Math.sqrt(R / r);
  });
}

/**
 * Applies factors to the groups of {@link equalizationGroups} (changed in place): the producer's weight rows and bias
 * times s_c, each reader's input channel c divided by s_c (a depthwise reader's filter c, a dense reader's column c).
 * @param {object} model onnx-proto ModelProto
 * @param {Record<string, ArrayLike<number>>} factors by the group's first tensor (the producer's output name)
 * @throws {Error} a factor list for a tensor that is not a group, or of the wrong length, or not finite and positive.
 */
export function equalize(model, factors) {
  const g = model.graph;
  const { inits } = graphIndex(g);
  const groups = new Map(equalizationGroups(model).map((gr) => [gr.tensors[0], gr]));
  const replace = (name, values, tag) => {
    const t = inits.get(name);
    const fresh = `${name}/${tag}`;
    const made = tensor(fresh, t.dims.map(Number), values);
    g.initializer.push(made);
    inits.set(fresh, made);
    return fresh;
  };
  for (const [y, s] of Object.entries(factors)) {
    const gr = groups.get(y);
    if (!gr) throw new Error(`equalisation factors for ${y}, which is not a rescalable Conv output`);
    const p = gr.producer;
    const w = inits.get(p.input[1]);
    const dims = w.dims.map(Number);
    if (s.length !== dims[0] || !Array.from(s).every((v) => Number.isFinite(v) && v > 0))
      throw new Error(`equalisation factors for ${y}: ${s.length} values for ${dims[0]} channels, all finite and > 0`);
    const per = dims.slice(1).reduce((a, b) => a * b, 1);
    p.input[1] = replace(
      p.input[1],
      tensorValues(w).map((v, i) => v * s[Math.floor(i / per)]),
      'equalized',
    );
    if (p.input[2])
      p.input[2] = replace(
        p.input[2],
        tensorValues(inits.get(p.input[2])).map((v, c) => v * s[c]),
        'equalized',
      );
    for (const r of gr.readers) {
      const rw = inits.get(r.input[1]);
      const rd = rw.dims.map(Number);
      const inner = rd[2] * rd[3];
      const depthwise = attr(r, 'group', 1) !== 1;
      // depthwise [C, 1, kh, kw]: filter c is input channel c; dense [O, C, kh, kw]: column c.
      const channelOf = (i) => (depthwise ? Math.floor(i / inner) : Math.floor(i / inner) % rd[1]);
      r.input[1] = replace(
        r.input[1],
        tensorValues(rw).map((v, i) => v / s[channelOf(i)]),
        'equalized',
      );
    }
  }
  removeUnused(g);
  return model;
}
