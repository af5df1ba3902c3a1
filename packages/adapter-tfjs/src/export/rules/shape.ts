import { getInt, getInts, getString, type Dim, type Node, type Value } from '@condense/core';
import { compose, dropAxes, identity, invert } from '../../layout.js';
import type { ExportContext } from '../context.js';
import { tfAttr } from '../graph-def.js';
import { commonPerm } from './elementwise.js';
import type { Rule } from './rule.js';

/** A static target shape for tf Reshape: known sizes, and -1 for the one symbolic dimension (the batch). */
function reshapeTarget(dims: readonly Dim[] | undefined): number[] | undefined {
  if (!dims) return undefined;
  const target = dims.map((d) => (typeof d === 'number' ? d : -1));
  return target.filter((d) => d === -1).length <= 1 ? target : undefined;
}

/** Ops that only regroup elements: computed on the value in ONNX's own order, as a tf Reshape to the inferred shape. */
const asReshape: Rule = {
  check: (node, ctx) => (reshapeTarget(ctx.dims(node.outputs[0]!)) ? undefined : 'a reshape to a shape with several unknown dimensions'),
  emit(node, ctx) {
    const x = node.inputs[0]!;
    const y = node.outputs[0]!;
    const target = reshapeTarget(ctx.dims(y))!;
    ctx.emit(y, 'Reshape', [ctx.want(x, identity(ctx.rank(x))), ctx.int32(`${y.name}/shape`, target)], identity(target.length), { T: tfAttr.type('float32'), Tshape: tfAttr.type('int32') });
  },
};

/** Axes from the attribute (older opsets) or the second input. */
function axesInput(node: Node, ctx: ExportContext): number[] | undefined {
  return getInts(node.attrs, 'axes') ?? (node.inputs[1] ? ctx.numbers(node.inputs[1]) : undefined);
}

export const SHAPE: Record<string, Rule> = {
  Flatten: asReshape,
  Reshape: asReshape,
  Unsqueeze: asReshape,
  Squeeze: {
    check: (node, ctx) => (axesInput(node, ctx) || ctx.shape(node.inputs[0]!) ? undefined : 'Squeeze of all size-1 axes of a tensor of unknown shape'),
    emit(node, ctx) {
      // In the input's layout: squeezing follows the permutation, no transpose.
      const x = node.inputs[0]!;
      const rank = ctx.rank(x);
      const axes = (axesInput(node, ctx) ?? ctx.shape(x)!.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => (a < 0 ? a + rank : a));
      const r = ctx.ref(x);
      ctx.emit(node.outputs[0]!, 'Squeeze', [r.name], dropAxes(r.perm, axes), { squeeze_dims: tfAttr.ints(axes.map((a) => r.perm.indexOf(a))), T: tfAttr.type('float32') });
    },
  },
  Transpose: {
    // Free: the output is the same tensor, stored under a composed permutation.
    emit(node, ctx) {
      const x = node.inputs[0]!;
      const perm = getInts(node.attrs, 'perm') ?? identity(ctx.rank(x)).reverse();
      const r = ctx.ref(x);
      ctx.define(node.outputs[0]!, { name: r.name, perm: compose(invert(perm), r.perm) });
    },
  },
  Concat: {
    emit(node, ctx) {
      const perm = commonPerm(ctx, node.inputs);
      const rank = perm.length;
      const raw = getInt(node.attrs, 'axis', 0);
      const y = node.outputs[0]!;
      const inputs = node.inputs.map((v) => ctx.want(v!, perm));
      ctx.emit(y, 'ConcatV2', [...inputs, ctx.int32(`${y.name}/axis`, [perm.indexOf(raw < 0 ? raw + rank : raw)], [])], perm, { N: tfAttr.i(inputs.length), T: tfAttr.type('float32'), Tidx: tfAttr.type('int32') });
    },
  },
  Pad: {
    check(node, ctx) {
      const mode = getString(node.attrs, 'mode', 'constant');
      if (mode !== 'constant' && mode !== 'reflect') return `Pad mode ${mode} has no tfjs op`;
      if (!padsOf(node, ctx)) return 'Pad with pads computed at run time';
      if (node.inputs[3]) return 'Pad over selected axes';
      return undefined;
    },
    emit(node, ctx) {
      const x = node.inputs[0]!;
      const y = node.outputs[0]!;
      const r = ctx.ref(x);
      const pads = padsOf(node, ctx)!;
      const rank = r.perm.length;
      const paddings = ctx.int32(`${y.name}/paddings`, r.perm.flatMap((a) => [pads[a]!, pads[a + rank]!]), [rank, 2]);
      const mode = getString(node.attrs, 'mode', 'constant');
      if (mode === 'reflect') return void ctx.emit(y, 'MirrorPad', [r.name, paddings], r.perm, { mode: tfAttr.s('REFLECT') });
      const value = node.inputs[2] ? ctx.scalar(node.inputs[2]) ?? 0 : getFloatAttr(node, 'value');
      ctx.emit(y, 'PadV2', [r.name, paddings, ctx.float32(`${y.name}/value`, value)], r.perm);
    },
  },
  Gather: {
    check: (node, ctx) => (ctx.isConstant(node.inputs[1]) ? undefined : 'Gather with indices computed at run time'),
    emit(node, ctx) {
      const [data, indices] = node.inputs as [Value, Value];
      const y = node.outputs[0]!;
      const rank = ctx.rank(data);
      const raw = getInt(node.attrs, 'axis', 0);
      ctx.emit(y, 'GatherV2', [ctx.want(data, identity(rank)), ctx.want(indices, identity(ctx.rank(indices))), ctx.int32(`${y.name}/axis`, [raw < 0 ? raw + rank : raw], [])], identity(ctx.rank(y)), { batch_dims: tfAttr.i(0) });
    },
  },
};

function padsOf(node: Node, ctx: ExportContext): number[] | undefined {
  return getInts(node.attrs, 'pads') ?? (node.inputs[1] ? ctx.numbers(node.inputs[1]) : undefined);
}

function getFloatAttr(node: Node, name: string): number {
  const a = node.attrs[name];
  return a?.type === 'float' ? a.value : 0;
}
