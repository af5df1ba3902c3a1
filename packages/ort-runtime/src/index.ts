export { createOrtRuntime, checkThreads, type OrtRuntimeConfig } from './runtime.js';
export { toOrtTensor, fromOrtTensor, supportsDType, type OrtModule } from './tensors.js';
export { ortSupports, MAX_OPSET } from './supports.js';
