import { attr, type Value } from '@condense/core';
import type { RaiseContext } from '../context.js';
import { foldableBias, type RaiseRule } from './rule.js';

/**
 * MatMul of two matrices → Gemm with its transposes (and a following Add of
 * one value per output column as C); any other MatMul → MatMul, with
 * Transposes for the flags.
 */
const matMul: RaiseRule = (layer, ctx) => {
  const a = ctx.attrs(layer);
  const transA = a.bool('transpose_a', false);
  const transB = a.bool('transpose_b', false);
  const [left, right] = [layer.inputs[0]!.dims, layer.inputs[1]!.dims];
  if (left.length === 2 && right.length === 2) {
    const bias = foldableBias(layer, ctx, layer.outputs[0]!.dims[1]!, 2, 1);
    const inputs = [ctx.input(layer, 0), ctx.input(layer, 1), ...(bias ? [bias.bias] : [])];
    ctx.raise(layer, 'Gemm', inputs, { transA: attr.int(transA ? 1 : 0), transB: attr.int(transB ? 1 : 0) }, bias?.add);
    return;
  }
  const side = (i: number, transposed: boolean, rank: number) => (transposed && rank >= 2 ? swapLast(ctx, ctx.input(layer, i), rank, `${layer.name}_transpose_${i}`) : ctx.input(layer, i));
  ctx.raise(layer, 'MatMul', [side(0, transA, left.length), side(1, transB, right.length)]);
};

function swapLast(ctx: RaiseContext, v: Value, rank: number, name: string): Value {
  const perm = Array.from({ length: rank }, (_, i) => (i === rank - 2 ? rank - 1 : i === rank - 1 ? rank - 2 : i));
  return ctx.node('Transpose', [v], { perm: attr.ints(perm) }, name);
}

export const DENSE_RAISE: Record<string, RaiseRule> = { MatMul: matMul };
