import type { Dim } from '../ir/value.js';
import type { DType } from '../tensor/dtype.js';
import { broadcastShapes } from './broadcast.js';
import type { ShapeRule } from './rule.js';

/** Output has the first input's type: activations, normalisations, Identity. */
export const sameAsInput: ShapeRule = (ctx) => [ctx.type(0) && { ...ctx.type(0)!, shape: ctx.shape(0) && [...ctx.shape(0)!] }];

export const UNARY_OPS = [
  'Relu', 'LeakyRelu', 'PRelu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Clip', 'Elu', 'Selu', 'Celu', 'Gelu',
  'Softplus', 'Softsign', 'Mish', 'Abs', 'Neg', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Sign',
  'Erf', 'Sin', 'Cos', 'Softmax', 'LogSoftmax', 'Hardmax', 'BatchNormalization', 'InstanceNormalization',
  'LayerNormalization', 'LRN', 'Identity', 'Not', 'ThresholdedRelu', 'Shrink',
];

/** Binary and variadic ops with numpy broadcasting; comparisons produce bool. */
export function broadcastRule(outDtype?: DType, firstInput = 0): ShapeRule {
  return (ctx) => {
    const inputs = ctx.node.inputs.map((_, i) => i).slice(firstInput);
    const dtype = outDtype ?? ctx.dtype(firstInput === 0 ? 0 : 1);
    if (!dtype) return [undefined];
    const shapes = inputs.map((i) => ctx.shape(i));
    if (shapes.some((s) => !s)) return [{ dtype }];
    const shape = broadcastShapes(shapes as Dim[][], () => ctx.fresh());
    propagateArithmetic(ctx.node.op, ctx, shape);
    return [{ dtype, shape }];
  };
}

const ARITHMETIC: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => Math.trunc(a / b),
};

/** Shape arithmetic (e.g. Shape -> Gather -> Mul -> Reshape) keeps its values known. */
function propagateArithmetic(op: string, ctx: Parameters<ShapeRule>[0], shape: Dim[]): void {
  const fn = ARITHMETIC[op];
  const a = ctx.values(0);
  const b = ctx.values(1);
  if (!fn || !a || !b || shape.length > 1 || !isInteger(ctx.dtype(0))) return;
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length === 1 ? 0 : i]!;
    const y = b[b.length === 1 ? 0 : i]!;
    if (typeof x === 'number' && typeof y === 'number') out.push(fn(x, y));
    else if (op === 'Mul' && (x === 1 || y === 1)) out.push(x === 1 ? y : x);
    else if ((op === 'Add' || op === 'Sub') && y === 0) out.push(x);
    else out.push(ctx.fresh());
  }
  ctx.setKnown(0, out);
}

function isInteger(dtype: DType | undefined): boolean {
  return dtype === 'int64' || dtype === 'int32';
}

export const BROADCAST_OPS = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'Mod', 'BitShift'];
export const COMPARISON_OPS = ['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Xor'];
