// What the ONNX writers of this folder share: the description of a graph's float inputs and outputs, and the model
// around a graph (IR 7, opset 13), encoded with onnx-proto.

/**
 * The value info of a float32 tensor: `dims` are sizes (numbers) or named free dimensions (strings, e.g. `'N'`).
 * @param {any} onnx onnx-proto's `onnx` namespace
 * @param {string} name
 * @param {(number | string)[]} dims
 */
export const floatValueInfo = (onnx, name, dims) => ({
  name,
  type: {
    tensorType: {
      elemType: onnx.TensorProto.DataType.FLOAT,
      shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
    },
  },
});

/**
 * Encodes a model of one graph, IR version 7, default opset 13.
 * @param {any} onnx onnx-proto's `onnx` namespace
 * @param {{ producer: string, doc: string, graph: object }} model `producer`: the script that wrote it; `graph`: an
 *   onnx `GraphProto` object (name, node, initializer, input, output)
 * @returns {Uint8Array}
 */
export function encodeOnnxModel(onnx, { producer, doc, graph }) {
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: `eolgul @eolgul/models scripts/${producer}`,
    docString: doc,
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}
