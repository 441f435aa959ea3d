/**
 * What both builds of `@eolgul/runtime` export alike (the platform entries add `loadModel`, `loadOnnxModel`, `getTf`).
 * @module
 */
export type {
  BackendName,
  InferenceModel,
  LoadModelOptions,
  LoadProgress,
  ModelSource,
  TensorData,
} from './runtime-types.js';
export { createCallGate, type CallGate } from './call-gate.js';
export { MAX_ONNX_THREADS } from './runtime-onnx.js';
export { backendOf } from './load-model.js';
