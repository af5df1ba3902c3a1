import { getInts } from '../ir/attr.js';
import type { Node } from '../ir/node.js';
import { MAC_OPS } from './macs.js';
import { elementsPerSample, product } from './shapes.js';

/**
 * Floating-point operations per output element of ops that do a fixed amount
 * of arithmetic per element. One operation counts one, whatever it costs in
 * cycles (an exp counts as much as an add), as FLOP counters conventionally do.
 */
const PER_ELEMENT: Record<string, number> = {
  ...Object.fromEntries(
    ['Relu', 'LeakyRelu', 'PRelu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Clip', 'Elu', 'Selu', 'Celu', 'Gelu', 'Softplus', 'Softsign', 'Mish', 'Abs', 'Neg', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Sign', 'Erf', 'Sin', 'Cos', 'ThresholdedRelu', 'Shrink'].map((op) => [op, 1]),
  ),
  // Inference BatchNormalization is a per-channel scale and shift.
  BatchNormalization: 2,
  // (x - zero point) * scale, and x / scale + zero point (rounding and saturation not counted).
  DequantizeLinear: 2,
  QuantizeLinear: 2,
};

/** Element-wise ops over n broadcast inputs: n - 1 operations per output element (Mean adds a division). */
const VARIADIC = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Mod', 'Max', 'Min', 'Sum', 'Mean']);

const WINDOW_POOLS = new Set(['MaxPool', 'AveragePool', 'LpPool']);
const GLOBAL_POOLS = new Set(['GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool']);

/** Ops that move, select or describe data without arithmetic. */
const NO_ARITHMETIC = new Set([
  'Reshape', 'Flatten', 'Transpose', 'Concat', 'Split', 'Slice', 'Squeeze', 'Unsqueeze', 'Identity', 'Dropout', 'Pad', 'Shape', 'Size',
  'Gather', 'GatherElements', 'GatherND', 'Cast', 'Constant', 'Expand', 'Tile', 'ConstantOfShape', 'Where', 'DepthToSpace', 'SpaceToDepth',
]);

/** Whether nodeFlops knows what an op costs (MAC ops, element-wise ops, pools, data movement). */
export function flopsCounted(op: string): boolean {
  return MAC_OPS.has(op) || op in PER_ELEMENT || VARIADIC.has(op) || WINDOW_POOLS.has(op) || GLOBAL_POOLS.has(op) || NO_ARITHMETIC.has(op);
}

/**
 * FLOPs of one node per sample: 2 per MAC (a multiply and an add; bias adds
 * not counted), the per-element table above, a pool's window per output
 * element. Ops outside flopsCounted count 0. Undefined where a shape it
 * needs is unknown.
 */
export function nodeFlops(node: Node, macs: number | undefined): number | undefined {
  const op = node.op;
  if (MAC_OPS.has(op)) return macs === undefined ? undefined : 2 * macs;
  if (!flopsCounted(op) || NO_ARITHMETIC.has(op)) return 0;
  if (GLOBAL_POOLS.has(op)) return elementsPerSample(node.inputs[0]?.type?.shape);
  const out = elementsPerSample(node.outputs[0]?.type?.shape);
  if (out === undefined) return undefined;
  if (WINDOW_POOLS.has(op)) return out * product(getInts(node.attrs, 'kernel_shape') ?? []);
  if (VARIADIC.has(op)) {
    const inputs = node.inputs.filter(Boolean).length;
    return out * (op === 'Mean' ? inputs : inputs - 1);
  }
  return out * PER_ELEMENT[op]!;
}
