import { Tensor, attr, type Attr } from '@condense/core';
import { onnxPadding, type RaiseRule } from './rule.js';

/** MaxPool-1 → MaxPool, AvgPool-1 → AveragePool (exclude-pad is the inverse of count_include_pad). */
const pool = (op: 'MaxPool' | 'AveragePool'): RaiseRule => (layer, ctx) => {
  const a = ctx.attrs(layer);
  const kernel = a.ints('kernel');
  const attrs: Record<string, Attr> = { kernel_shape: attr.ints(kernel), strides: attr.ints(a.ints('strides')), ...onnxPadding(a, kernel.length) };
  if (a.string('rounding_type', 'floor').toLowerCase() === 'ceil') attrs['ceil_mode'] = attr.int(1);
  if (op === 'AveragePool' && !a.bool('exclude-pad', false)) attrs['count_include_pad'] = attr.int(1);
  ctx.raise(layer, op, [ctx.input(layer, 0)], attrs);
};

/**
 * ReduceMean/ReduceMax over every spatial axis with keep_dims are global
 * poolings; other reductions keep their axes (an input from opset 18).
 */
const reduce = (op: string, global: string | undefined): RaiseRule => (layer, ctx) => {
  const rank = layer.inputs[0]!.dims.length;
  const axes = ctx.numbers(layer, 1)?.map((x) => (x + rank) % rank);
  if (!axes) throw ctx.fail(layer, 'the axes must be constant');
  const keep = ctx.attrs(layer).bool('keep_dims', false);
  const spatial = axes.length === rank - 2 && rank >= 3 && [...axes].sort((x, y) => x - y).every((x, i) => x === i + 2);
  if (global && keep && spatial) {
    ctx.raise(layer, global, [ctx.input(layer, 0)]);
    return;
  }
  const axesValue = ctx.graph.constant(`${layer.name}_axes`, Tensor.from('int64', [axes.length], axes.map(BigInt)));
  ctx.raise(layer, op, [ctx.input(layer, 0), axesValue], { keepdims: attr.int(keep ? 1 : 0) });
};

export const POOL_RAISE: Record<string, RaiseRule> = {
  MaxPool: pool('MaxPool'),
  AvgPool: pool('AveragePool'),
  ReduceMean: reduce('ReduceMean', 'GlobalAveragePool'),
  ReduceMax: reduce('ReduceMax', 'GlobalMaxPool'),
  ReduceSum: reduce('ReduceSum', undefined),
};
