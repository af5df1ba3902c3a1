import { dtypeFromCode, getFloat, getInt, type DType, type Node, type Value } from '@condense/core';
import { identity, type Perm } from '../../layout.js';
import type { AttrValue, TfjsDType } from '../../model-json.js';
import { TFJS_DTYPE } from '../../dtypes.js';
import type { ExportContext } from '../context.js';
import { tfAttr } from '../graph-def.js';
import { clipBounds } from './activation.js';
import type { Rule } from './rule.js';

/**
 * The layout an elementwise op works in: that of its first input computed
 * at run time with the most axes. Its other inputs (constants permuted when
 * written, lower ranks broadcast-aligned) are asked for in the same layout.
 */
export function commonPerm(ctx: ExportContext, inputs: ReadonlyArray<Value | null>): Perm {
  const present = inputs.filter((v): v is Value => !!v);
  const rank = Math.max(...present.map((v) => ctx.rank(v)));
  const lead = present.find((v) => !ctx.isConstant(v) && ctx.rank(v) === rank);
  return lead ? ctx.ref(lead).perm : identity(rank);
}

/** An op applied to every input in one layout, giving one output in that layout. */
function sameLayout(op: string, attrs: (node: Node, ctx: ExportContext) => Record<string, AttrValue> = () => ({})): Rule {
  return {
    emit(node, ctx) {
      const perm = commonPerm(ctx, node.inputs);
      ctx.emit(node.outputs[0]!, op, node.inputs.map((v) => ctx.want(v!, perm)), perm, attrs(node, ctx));
    },
  };
}

/** ONNX Sum, Max, Min take any number of inputs; TensorFlow's take two: a chain. */
function variadic(op: string): Rule {
  return {
    emit(node, ctx) {
      const perm = commonPerm(ctx, node.inputs);
      const names = node.inputs.map((v) => ctx.want(v!, perm));
      const y = node.outputs[0]!;
      if (names.length === 1) return ctx.define(y, { name: names[0]!, perm });
      let acc = names[0]!;
      for (let i = 1; i < names.length - 1; i++) acc = ctx.writer.op(op, `${y.name}/partial`, [acc, names[i]!]);
      ctx.emit(y, op, [acc, names[names.length - 1]!], perm);
    },
  };
}

const alias: Rule = { emit: (node, ctx) => ctx.define(node.outputs[0]!, ctx.ref(node.inputs[0]!)) };

const floatOnly = (node: Node, ctx: ExportContext): string | undefined => {
  const t = node.inputs[0]?.type?.dtype ?? (node.inputs[0]?.const?.dtype as DType | undefined);
  return t && t !== 'float32' && !ctx.isConstant(node.inputs[0]) ? `${node.op} of ${t} values (tfjs divides integers by flooring, ONNX by truncating)` : undefined;
};

/** tfjs's dtype of an ONNX Cast target. */
export function castTarget(node: Node): TfjsDType | undefined {
  const to = dtypeFromCode(getInt(node.attrs, 'to', 1));
  return to === 'float64' ? 'float32' : to && TFJS_DTYPE[to];
}

export const ELEMENTWISE: Record<string, Rule> = {
  Add: sameLayout('AddV2'),
  Sub: sameLayout('Sub'),
  Mul: sameLayout('Mul'),
  Div: { ...sameLayout('RealDiv'), check: floatOnly },
  Pow: sameLayout('Pow'),
  Equal: sameLayout('Equal'),
  Greater: sameLayout('Greater'),
  Less: sameLayout('Less'),
  GreaterOrEqual: sameLayout('GreaterEqual'),
  LessOrEqual: sameLayout('LessEqual'),
  And: sameLayout('LogicalAnd'),
  Or: sameLayout('LogicalOr'),
  Not: sameLayout('LogicalNot'),
  Where: sameLayout('SelectV2'),
  Sum: variadic('AddV2'),
  Max: variadic('Maximum'),
  Min: variadic('Minimum'),
  Relu: sameLayout('Relu'),
  Sigmoid: sameLayout('Sigmoid'),
  Tanh: sameLayout('Tanh'),
  Exp: sameLayout('Exp'),
  Log: sameLayout('Log'),
  Sqrt: sameLayout('Sqrt'),
  Abs: sameLayout('Abs'),
  Neg: sameLayout('Neg'),
  Floor: sameLayout('Floor'),
  Ceil: sameLayout('Ceil'),
  Round: sameLayout('Round'),
  Reciprocal: sameLayout('Reciprocal'),
  Sign: sameLayout('Sign'),
  Erf: sameLayout('Erf'),
  Softplus: sameLayout('Softplus'),
  Elu: { ...sameLayout('Elu'), check: (node) => (getFloat(node.attrs, 'alpha', 1) === 1 ? undefined : 'Elu with alpha other than 1') },
  Selu: {
    ...sameLayout('Selu'),
    check: (node) => (Math.abs(getFloat(node.attrs, 'alpha', 1.6732632) - 1.6732632) < 1e-6 && Math.abs(getFloat(node.attrs, 'gamma', 1.0507010) - 1.050701) < 1e-6 ? undefined : 'Selu with other than the standard constants'),
  },
  LeakyRelu: sameLayout('LeakyRelu', (node) => ({ alpha: tfAttr.f(getFloat(node.attrs, 'alpha', 0.01)) })),
  PRelu: sameLayout('Prelu'),
  Identity: alias,
  Dropout: { ...alias, check: (node) => (node.outputs[1] && node.outputs[1].useCount ? 'Dropout mask output' : undefined) },
  Cast: {
    check: (node) => (castTarget(node) ? undefined : `Cast to ${dtypeFromCode(getInt(node.attrs, 'to', 1))}, which tfjs tensors cannot hold`),
    emit(node, ctx) {
      const r = ctx.ref(node.inputs[0]!);
      ctx.emit(node.outputs[0]!, 'Cast', [r.name], r.perm, { DstT: tfAttr.type(castTarget(node)!) });
    },
  },
  Clip: {
    check: (node, ctx) => (clipBounds(node, ctx) ? undefined : 'Clip with bounds computed at run time'),
    emit(node, ctx) {
      const [lo, hi] = clipBounds(node, ctx)!;
      const r = ctx.ref(node.inputs[0]!);
      const y = node.outputs[0]!;
      if (lo === 0 && hi === 6) ctx.emit(y, 'Relu6', [r.name], r.perm);
      else if (lo === 0 && hi === Infinity) ctx.emit(y, 'Relu', [r.name], r.perm);
      else ctx.emit(y, 'ClipByValue', [r.name, ctx.float32(`${y.name}/min`, Math.max(lo, -3.4028234663852886e38)), ctx.float32(`${y.name}/max`, Math.min(hi, 3.4028234663852886e38))], r.perm);
    },
  },
  HardSigmoid: {
    emit(node, ctx) {
      // max(0, min(1, alpha x + beta))
      const r = ctx.ref(node.inputs[0]!);
      const y = node.outputs[0]!;
      const scaled = ctx.writer.op('Mul', `${y.name}/scaled`, [r.name, ctx.float32(`${y.name}/alpha`, getFloat(node.attrs, 'alpha', 0.2))]);
      const shifted = ctx.writer.op('AddV2', `${y.name}/shifted`, [scaled, ctx.float32(`${y.name}/beta`, getFloat(node.attrs, 'beta', 0.5))]);
      ctx.emit(y, 'ClipByValue', [shifted, ctx.float32(`${y.name}/zero`, 0), ctx.float32(`${y.name}/one`, 1)], r.perm);
    },
  },
  HardSwish: {
    emit(node, ctx) {
      // x * relu6(x + 3) / 6
      const r = ctx.ref(node.inputs[0]!);
      const y = node.outputs[0]!;
      const shifted = ctx.writer.op('AddV2', `${y.name}/shifted`, [r.name, ctx.float32(`${y.name}/three`, 3)]);
      const gate = ctx.writer.op('Mul', `${y.name}/gate`, [ctx.writer.op('Relu6', `${y.name}/relu6`, [shifted]), ctx.float32(`${y.name}/sixth`, 1 / 6)]);
      ctx.emit(y, 'Mul', [r.name, gate], r.perm);
    },
  },
};
