/**
 * The TFLite package's own flatbuffer reader and writer, which its public
 * entry does not export: the fuzz decodes a seed to plain data with one,
 * edits it, and encodes the mutant with the other.
 */
export { parseModel } from '../../../../packages/export-tflite/dist/read/parse-model.js';
export { writeModel } from '../../../../packages/export-tflite/dist/flatbuffer/write-model.js';
export type { TfliteModel, TfliteTensor, TfliteOperator } from '../../../../packages/export-tflite/dist/tflite-model.js';
export { BuiltinOperator, TensorType } from '../../../../packages/export-tflite/dist/generated/tflite_generated.js';
