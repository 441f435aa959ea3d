/**
 * The build's int8 passes (scripts/onnx-*.mjs, scripts/int8-models.mjs) on small graphs made here, run on ONNX Runtime
 * before and after each pass, and the shipped int8 embedder rebuilt from its upstream file and calibration table.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '@eolgul/runtime';
// @ts-expect-error build scripts in plain JavaScript, without type declarations
import { node, tensor } from '../scripts/onnx-graph.mjs';
// @ts-expect-error
import { upgradeOpset } from '../scripts/onnx-opset.mjs';
// @ts-expect-error
import { foldScalarMul, rewritePrelu } from '../scripts/onnx-rewrite.mjs';
// @ts-expect-error
import { equalizationGroups, equalize } from '../scripts/onnx-equalize.mjs';
// @ts-expect-error
import { quantizationPlan, quantizeModel } from '../scripts/onnx-quantize.mjs';
// @ts-expect-error
import { Histogram, minMseRange } from '../scripts/onnx-calibrate.mjs';
// @ts-expect-error
import {
  INT8_MODELS,
  RFB320_INT8,
  buildInt8Model,
  convolutions,
  floatOutputsOf,
  prepareForInt8,
} from '../scripts/int8-models.mjs';

const require = createRequire(join(__dirname, '..', 'package.json'));
const { onnx } = require('onnx-proto');

/** Seeded values in [-1, 1). */
function noise(n: number, seed = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s / 2 ** 31) * 2 - 1;
  });
}

interface Graph {
  nodes: unknown[];
  inits: unknown[];
  input: number[];
  outputs: string[];
  opset?: number;
}

/** An onnx-proto ModelProto with one float input `x`. */
function makeModel({ nodes, inits, input, outputs, opset = 13 }: Graph) {
  const value = (name: string, dims?: number[]) => ({
    name,
    type: { tensorType: { elemType: 1, ...(dims ? { shape: { dim: dims.map((d) => ({ dimValue: d })) } } : {}) } },
  });
  return onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: 'g',
      node: nodes,
      initializer: inits,
      input: [value('x', input)],
      output: outputs.map((o) => value(o)),
    },
  });
}

/** Runs a ModelProto on ONNX Runtime; every output by name. */
async function run(model: unknown, x: Float32Array, dims: number[]): Promise<Record<string, Float32Array>> {
  const m = await loadModel(onnx.ModelProto.encode(model).finish(), { backend: 'onnx' });
  try {
    const out = await m.run({ x: { data: x, dims } });
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data]));
  } finally {
    await m.dispose();
  }
}

const copy = (model: unknown) => onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(b.length).toBe(a.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** conv 3→4 (3×3) → PRelu (one slope above 1) → dense conv 4→2, and conv 3→4 → PRelu → depthwise 3×3. */
function convPreluGraph(): Graph {
  const slope = Float32Array.from([-0.5, 0.3, 1.4, 0]);
  return {
    nodes: [
      node('Conv', ['x', 'w1', 'b1'], ['y1'], 'c1', { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }),
      node('PRelu', ['y1', 'a1'], ['z1'], 'p1'),
      node('Conv', ['z1', 'w2', 'b2'], ['out1'], 'c2', { kernel_shape: [1, 1] }),
      node('Conv', ['x', 'w3', 'b3'], ['y3'], 'c3', { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }),
      node('PRelu', ['y3', 'a3'], ['z3'], 'p3'),
      node('Conv', ['z3', 'w4'], ['out2'], 'c4', { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: 4 }),
    ],
    inits: [
      tensor('w1', [4, 3, 3, 3], noise(108, 2)),
      tensor('b1', [4], noise(4, 3)),
      tensor('a1', [4, 1, 1], slope),
      tensor('w2', [2, 4, 1, 1], noise(8, 4)),
      tensor('b2', [2], noise(2, 5)),
      tensor('w3', [4, 3, 3, 3], noise(108, 6)),
      tensor('b3', [4], noise(4, 7)),
      tensor('a3', [4, 1, 1], slope),
      tensor('w4', [4, 1, 3, 3], noise(36, 8)),
    ],
    input: [1, 3, 8, 8],
    outputs: ['out1', 'out2'],
  };
}

describe('upgradeOpset', () => {
  it("rewrites opset 9's Slice (an INT64_MAX end) and Unsqueeze to opset 13 with the same outputs", async () => {
    const Long = require('long');
    const g: Graph = {
      nodes: [
        {
          ...node('Slice', ['x'], ['s'], 'slice'),
          attribute: [
            { name: 'starts', type: 7, ints: [1] },
            { name: 'ends', type: 7, ints: [Long.fromString('9223372036854775807')] },
            { name: 'axes', type: 7, ints: [2] },
          ],
        },
        node('Unsqueeze', ['s'], ['y'], 'unsqueeze', { axes: [0] }),
      ],
      inits: [],
      input: [1, 4, 3],
      outputs: ['y'],
      opset: 9,
    };
    const before = makeModel(g);
    const after = upgradeOpset(copy(before));
    expect(after.opsetImport[0].version).toBe(13);
    const x = noise(12);
    const a = await run(before, x, [1, 4, 3]);
    const b = await run(after, x, [1, 4, 3]);
    expect(Array.from(b.y)).toEqual(Array.from(a.y));
    expect(a.y.length).toBe(8);
  });

  it('refuses an operator it has no rewrite for, naming it', () => {
    const m = makeModel({
      nodes: [node('Upsample', ['x'], ['y'], 'up')],
      inits: [],
      input: [1],
      outputs: ['y'],
      opset: 9,
    });
    expect(() => upgradeOpset(m)).toThrow(/Upsample \(up\): no opset 9 → 13 rewrite/);
  });
});

describe('PRelu rewrites and equalisation', () => {
  it.each(['max', 'add'])('rewritePrelu(%s) keeps the outputs, a slope above 1 included', async (form) => {
    const before = makeModel(convPreluGraph());
    const after = copy(before);
    const r = rewritePrelu(after, form);
    expect(r).toEqual({ rewritten: 2, kept: [], negated: 2 });
    const x = noise(3 * 64, 9);
    const a = await run(before, x, [1, 3, 8, 8]);
    const b = await run(after, x, [1, 3, 8, 8]);
    for (const k of ['out1', 'out2']) expect(maxDiff(a[k], b[k])).toBeLessThan(1e-5);
  });

  it('equalize with arbitrary positive factors keeps the outputs', async () => {
    const before = makeModel(convPreluGraph());
    const after = copy(before);
    rewritePrelu(after, 'add');
    const groups = equalizationGroups(after);
    expect(groups.map((g: { tensors: string[]; depthwise: boolean }) => [g.tensors[0], g.depthwise])).toEqual([
      ['y1', false],
      ['y3', true],
    ]);
    equalize(after, { y1: [0.25, 4, 1, 10], y3: [3, 0.5, 7, 1] });
    const x = noise(3 * 64, 10);
    const a = await run(before, x, [1, 3, 8, 8]);
    const b = await run(after, x, [1, 3, 8, 8]);
    for (const k of ['out1', 'out2']) expect(maxDiff(a[k], b[k])).toBeLessThan(1e-4);
    expect(() => equalize(after, { out1: [1, 1] })).toThrow(/not a rescalable Conv output/);
    expect(() => equalize(after, { y1: [1, 1] })).toThrow(/2 values for 4 channels/);
  });

  it('equalize through a Relu keeps the outputs', async () => {
    const g = convPreluGraph();
    g.nodes[1] = node('Relu', ['y1'], ['z1'], 'r1');
    g.nodes[4] = node('Relu', ['y3'], ['z3'], 'r3');
    const before = makeModel(g);
    const after = copy(before);
    const groups = equalizationGroups(after);
    expect(groups.map((gr: { tensors: string[] }) => gr.tensors)).toEqual([
      ['y1', 'z1'],
      ['y3', 'z3'],
    ]);
    equalize(after, { y1: [0.25, 4, 1, 10], y3: [3, 0.5, 7, 1] });
    const x = noise(3 * 64, 11);
    const a = await run(before, x, [1, 3, 8, 8]);
    const b = await run(after, x, [1, 3, 8, 8]);
    for (const k of ['out1', 'out2']) expect(maxDiff(a[k], b[k])).toBeLessThan(1e-4);
  });

  it('foldScalarMul folds a Mul by a constant scalar into the Conv before it', async () => {
    const g: Graph = {
      nodes: [
        node('Conv', ['x', 'w', 'b'], ['c'], 'conv', { kernel_shape: [1, 1] }),
        node('Mul', ['c', 'k'], ['y'], 'mul'),
      ],
      inits: [
        tensor('w', [2, 3, 1, 1], noise(6, 11)),
        tensor('b', [2], noise(2, 12)),
        tensor('k', [], new Float32Array([0.5])),
      ],
      input: [1, 3, 4, 4],
      outputs: ['y'],
    };
    const before = makeModel(g);
    const after = copy(before);
    expect(foldScalarMul(after)).toBe(1);
    expect(after.graph.node.map((n: { opType: string }) => n.opType)).toEqual(['Conv']);
    const x = noise(48, 13);
    expect(maxDiff((await run(before, x, [1, 3, 4, 4])).y, (await run(after, x, [1, 3, 4, 4])).y)).toBeLessThan(1e-6);
  });
});

describe('quantizeModel', () => {
  /** conv 3→8 → Relu → conv 8→4, PRelu-free; ranges from the float run itself. */
  async function quantised(format: 'qdq' | 'qoperator') {
    const g: Graph = {
      nodes: [
        node('Conv', ['x', 'w1', 'b1'], ['y'], 'c1', { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }),
        node('Relu', ['y'], ['r'], 'relu'),
        node('Conv', ['r', 'w2', 'b2'], ['out'], 'c2', { kernel_shape: [1, 1] }),
      ],
      inits: [
        tensor('w1', [8, 3, 3, 3], noise(216, 14)),
        tensor('b1', [8], noise(8, 15)),
        tensor('w2', [4, 8, 1, 1], noise(32, 16)),
        tensor('b2', [4], noise(4, 17)),
      ],
      input: [1, 3, 16, 16],
      outputs: ['out', 'r'],
    };
    const model = makeModel(g);
    const x = noise(3 * 256, 18);
    const float = await run(model, x, [1, 3, 16, 16]);
    const plan = quantizationPlan(model);
    expect(plan.tensors).toEqual(['x', 'r', 'out']);
    const ranges: Record<string, [number, number]> = {
      x: [-1, 1],
      r: [0, Math.max(...float.r)],
      out: [Math.min(...float.out), Math.max(...float.out)],
    };
    const q = quantizeModel(copy(model), ranges, { format });
    return { float, int8: await run(q, x, [1, 3, 16, 16]), q };
  }

  it('gives outputs within 2 % of the float range in QDQ and QOperator form, and both the same', async () => {
    const a = await quantised('qdq');
    const b = await quantised('qoperator');
    const span = Math.max(...a.float.out) - Math.min(...a.float.out);
    expect(maxDiff(a.float.out, a.int8.out)).toBeLessThan(0.02 * span);
    expect(maxDiff(a.int8.out, b.int8.out)).toBeLessThan(1e-6);
    const ops = b.q.graph.node.map((n: { opType: string }) => n.opType);
    expect(ops.filter((o: string) => o === 'QLinearConv')).toHaveLength(2);
    expect(ops).not.toContain('Relu');
  });

  it('refuses to quantise without a range for every tensor of the plan, naming the tensor', () => {
    const m = makeModel({
      nodes: [node('Conv', ['x', 'w'], ['y'], 'c', { kernel_shape: [1, 1] })],
      inits: [tensor('w', [1, 1, 1, 1], new Float32Array([2]))],
      input: [1, 1, 2, 2],
      outputs: ['y'],
    });
    expect(() => quantizeModel(m, { x: [0, 1] })).toThrow(/no calibrated range for tensor y/);
  });
});

describe('minMseRange', () => {
  it('picks a range inside min/max with no larger squared error, on a long-tailed sample', () => {
    // Laplace-distributed values: most near 0, a thin tail out to about ±10.
    const values = Float32Array.from(noise(50_000, 19), (v) => Math.sign(v) * -Math.log(Math.abs(v) + 1e-9));
    const [min, max] = [Math.min(...values), Math.max(...values)];
    const h = new Histogram(min, max);
    h.add(values);
    const [lo, hi] = minMseRange(h);
    expect(hi).toBeLessThan(max);
    expect(lo).toBeGreaterThan(min);
    expect(h.squaredError(lo, hi)).toBeLessThan(h.squaredError(min, max));
  });
});

describe('int8 models of the build', () => {
  const upstream = join(dirname(require.resolve('faceplugin-face-recognition-js/package.json')), 'model');
  const ofRecipe = (recipe: (typeof INT8_MODELS)[number]) => ({
    recipe,
    table: JSON.parse(readFileSync(join(__dirname, '..', 'calibration', recipe.table), 'utf8')),
    source: readFileSync(join(upstream, recipe.source)),
  });

  it.each(INT8_MODELS.map((r: { output: string }) => [r.output, r]))(
    'rebuilds %s byte for byte from its upstream file and calibration table',
    (_, r) => {
      const { recipe, table, source } = ofRecipe(r);
      const bytes = buildInt8Model(onnx, recipe, source, table);
      expect(Buffer.from(bytes).equals(readFileSync(join(__dirname, '..', 'models', recipe.output)))).toBe(true);
    },
  );

  it('refuses a table made for another version of the upstream file, or of another format', () => {
    const { recipe, table, source } = ofRecipe(INT8_MODELS[0]);
    expect(() => buildInt8Model(onnx, recipe, source, { ...table, sourceSha256: '0'.repeat(64) })).toThrow(
      /the upstream model changed: run node scripts\/calibrate-int8.mjs/,
    );
    expect(() => buildInt8Model(onnx, recipe, source, { ...table, format: 'x' })).toThrow(/not a calibration table/);
    const detector = ofRecipe(RFB320_INT8);
    expect(() => buildInt8Model(onnx, recipe, source, detector.table)).toThrow(/made for fr_detect.onnx/);
  });

  it("the detector's int8 recipe keeps its first two Convs float, and its calibration table builds it", () => {
    const { recipe, table, source } = ofRecipe(RFB320_INT8);
    const model = prepareForInt8(onnx, source);
    const convs = convolutions(model);
    const kept = floatOutputsOf(model, recipe);
    expect(kept).toHaveLength(2);
    expect(convs.filter((c: { output: string }) => kept.includes(c.output))).toMatchObject([
      { inputChannels: 3, depthwise: false },
      { inputChannels: 16, depthwise: true },
    ]);
    // Its committed table builds it.
    expect(buildInt8Model(onnx, recipe, source, table).length).toBeGreaterThan(0);
  });
});
