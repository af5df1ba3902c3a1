import { getInt, getInts, type Node } from '@condense/core';
import { dropAxes, identity } from '../../layout.js';
import type { ExportContext } from '../context.js';
import { tfAttr } from '../graph-def.js';
import type { Rule } from './rule.js';

const TF_REDUCE: Record<string, string> = { ReduceMean: 'Mean', ReduceMax: 'Max', ReduceMin: 'Min', ReduceSum: 'Sum', ReduceProd: 'Prod' };

/** Reduced axes: the attribute (older opsets) or the second input (ReduceSum from 13, all from 18); none means all. */
function axesOf(node: Node, ctx: ExportContext): number[] | undefined {
  const rank = ctx.rank(node.inputs[0]!);
  const given = getInts(node.attrs, 'axes') ?? (node.inputs[1] ? ctx.numbers(node.inputs[1]) : []);
  if (!given) return undefined;
  if (!given.length) return getInt(node.attrs, 'noop_with_empty_axes', 0) ? [] : identity(rank);
  return given.map((a) => (a < 0 ? a + rank : a));
}

/** Reductions run in the input's layout: the axes follow the permutation, so no transpose is needed. */
export const reduce: Rule = {
  check: (node, ctx) => (axesOf(node, ctx) ? undefined : 'reduction axes computed at run time'),
  emit(node, ctx) {
    const x = node.inputs[0]!;
    const y = node.outputs[0]!;
    const axes = axesOf(node, ctx)!;
    const r = ctx.ref(x);
    const keep = getInt(node.attrs, 'keepdims', 1) === 1;
    if (!axes.length) {
      ctx.define(y, r);
      return;
    }
    const stored = axes.map((a) => r.perm.indexOf(a));
    ctx.emit(y, TF_REDUCE[node.op]!, [r.name, ctx.int32(`${y.name}/axes`, stored)], keep ? r.perm : dropAxes(r.perm, axes), { keep_dims: tfAttr.b(keep), Tidx: tfAttr.type('int32') });
  },
};
