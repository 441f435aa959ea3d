// Small helpers over onnx-proto's ModelProto objects, shared by the build's ONNX passes (opset upgrade, quantisation):
// reading and writing initializer values, finding producers and consumers, making nodes and tensors.

/** TensorProto.DataType codes used by the passes (onnx/onnx.proto). */
export const DT = Object.freeze({ FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 });

const TYPED = {
  [DT.FLOAT]: [Float32Array, 'floatData'],
  [DT.UINT8]: [Uint8Array, 'int32Data'],
  [DT.INT8]: [Int8Array, 'int32Data'],
  [DT.INT32]: [Int32Array, 'int32Data'],
  [DT.INT64]: [BigInt64Array, 'int64Data'],
};

/**
 * The values of a TensorProto (initializer or Constant's `value`) as a typed array: `rawData` (little-endian) or the
 * type's repeated field.
 * @param {import('onnx-proto').onnx.ITensorProto} t
 * @returns {Float32Array | Uint8Array | Int8Array | Int32Array | BigInt64Array}
 */
export function tensorValues(t) {
  const spec = TYPED[t.dataType];
  if (!spec) throw new Error(`tensor ${t.name}: data type ${t.dataType} is not supported`);
  const [Typed, field] = spec;
  const n = (t.dims ?? []).reduce((a, b) => a * Number(b), 1);
  if (t.rawData?.length) {
    if (t.rawData.length !== n * Typed.BYTES_PER_ELEMENT)
      throw new Error(`tensor ${t.name}: ${t.rawData.length} bytes for dims [${t.dims}]`);
    const copy = new Uint8Array(t.rawData); // aligned copy
    return new Typed(copy.buffer, 0, n);
  }
  const src = t[field] ?? [];
  if (src.length !== n) throw new Error(`tensor ${t.name}: ${src.length} values for dims [${t.dims}]`);
  if (Typed === BigInt64Array) return BigInt64Array.from(src, (v) => BigInt(v.toString()));
  return Typed.from(src);
}

/**
 * A TensorProto holding `values` as raw little-endian bytes.
 * @param {string} name
 * @param {number[]} dims
 * @param {Float32Array | Uint8Array | Int8Array | Int32Array | BigInt64Array} values
 */
export function tensor(name, dims, values) {
  const dataType =
    values instanceof Float32Array
      ? DT.FLOAT
      : values instanceof Uint8Array
        ? DT.UINT8
        : values instanceof Int8Array
          ? DT.INT8
          : values instanceof Int32Array
            ? DT.INT32
            : DT.INT64;
  const n = dims.reduce((a, b) => a * b, 1);
  if (values.length !== n) throw new Error(`tensor ${name}: ${values.length} values for dims [${dims}]`);
  return {
    name,
    dims,
    dataType,
    rawData: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)),
  };
}

/** A NodeProto. `attrs` values: number (INT), number[] (INTS), string (STRING), TensorProto (TENSOR). */
export function node(opType, input, output, name, attrs = {}, domain = '') {
  const attribute = Object.entries(attrs).map(([k, v]) => {
    if (typeof v === 'number' && Number.isInteger(v)) return { name: k, type: 2, i: v };
    if (typeof v === 'number') return { name: k, type: 1, f: v };
    if (Array.isArray(v)) return { name: k, type: 7, ints: v };
    if (typeof v === 'string') return { name: k, type: 3, s: new TextEncoder().encode(v) };
    return { name: k, type: 4, t: v };
  });
  return { opType, input, output, name, attribute, domain };
}

/** The value of attribute `name` of a node (INT, INTS, FLOAT, STRING or TENSOR), or `dflt`. */
export function attr(n, name, dflt) {
  const a = n.attribute.find((x) => x.name === name);
  if (!a) return dflt;
  switch (a.type) {
    case 1:
      return a.f;
    case 2:
      return Number(a.i);
    case 3:
      return new TextDecoder().decode(a.s);
    case 4:
      return a.t;
    case 7:
      return a.ints.map(Number);
    default:
      throw new Error(`attribute ${name} of ${n.name || n.opType}: type ${a.type} is not supported`);
  }
}

/** Maps of a graph: initializer by name, producing node by tensor name, consuming nodes by tensor name. */
export function graphIndex(graph) {
  const inits = new Map(graph.initializer.map((t) => [t.name, t]));
  const producer = new Map();
  const consumers = new Map();
  for (const n of graph.node) {
    for (const o of n.output) producer.set(o, n);
    for (const i of n.input) if (i) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  }
  const outputs = new Set(graph.output.map((o) => o.name));
  return { inits, producer, consumers, outputs };
}

/** The graph's inputs that are not initializers (the tensors a caller feeds). */
export function feedInputs(graph) {
  const inits = new Set(graph.initializer.map((t) => t.name));
  return graph.input.filter((i) => !inits.has(i.name));
}
