/** What an exported file holds, read with the package's own parser. */
import { BuiltinOperator, TensorType } from '../../src/generated/tflite_generated.js';
import { parseModel } from '../../src/read/parse-model.js';

/** The operators in execution order, e.g. "CONV_2D". */
export function operators(bytes: Uint8Array): string[] {
  return parseModel(bytes).operators.map((op) => BuiltinOperator[op.op]!);
}

/** The operators with the type of their first input, e.g. "CONV_2D:INT8": which run on integer kernels. */
export function typedOperators(bytes: Uint8Array): string[] {
  const model = parseModel(bytes);
  return model.operators.map((op) => `${BuiltinOperator[op.op]}:${TensorType[model.tensors[op.inputs[0]!]!.type]}`);
}
