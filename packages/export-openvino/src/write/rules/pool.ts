import { getInt, getInts, type Node } from '@condense/core';
import { windowOutput } from '../../ops/conv.js';
import type { StaticResolver } from '../statics.js';
import { dimsOf, ones, paddingOf, rankOf, type LowerRule } from './rule.js';

function poolData(node: Node, spatial: number) {
  return {
    strides: getInts(node.attrs, 'strides', ones(spatial)),
    kernel: getInts(node.attrs, 'kernel_shape', []),
    rounding_type: getInt(node.attrs, 'ceil_mode', 0) ? 'ceil' : 'floor',
    ...paddingOf(node, spatial),
  };
}

/**
 * Why a pooling cannot be written: OpenVINO's MaxPool-1 has no dilations, and
 * with ceil_mode ONNX drops a last window that would start in the padding,
 * which OpenVINO's ceil rounding does not.
 */
function poolProblem(node: Node): string | undefined {
  const rank = rankOf(node.inputs[0]);
  if (rank === undefined || rank < 3) return 'the input rank must be known (3 to 5)';
  const spatial = rank - 2;
  if (getInts(node.attrs, 'dilations', ones(spatial)).some((d) => d !== 1)) return 'dilated pooling is not supported';
  if (node.outputs[1] && (node.outputs[1].useCount || node.outputs[1].isGraphOutput())) return 'the Indices output is not supported';
  const data = poolData(node, spatial);
  const input = dimsOf(node.inputs[0])!;
  const output = dimsOf(node.output);
  for (let i = 0; i < spatial && data.rounding_type === 'ceil' && output; i++) {
    const ov = windowOutput(input[2 + i]!, data.kernel[i]!, data.strides[i]!, 1, data.pads_begin[i]!, data.pads_end[i]!, data.auto_pad, true);
    if (ov >= 0 && output[2 + i]! >= 0 && ov !== output[2 + i]) return `ceil_mode gives ${output[2 + i]} outputs along axis ${2 + i} in ONNX but ${ov} in OpenVINO`;
  }
  return undefined;
}

const maxPool: LowerRule = {
  check: poolProblem,
  lower: (node, ctx) => ctx.define(node.output, ctx.add('MaxPool', poolData(node, rankOf(node.inputs[0])! - 2), [ctx.input(node, 0)], node.name)),
};

const averagePool: LowerRule = {
  check: poolProblem,
  lower: (node, ctx) => {
    const data = { ...poolData(node, rankOf(node.inputs[0])! - 2), 'exclude-pad': !getInt(node.attrs, 'count_include_pad', 0) };
    ctx.define(node.output, ctx.add('AvgPool', data, [ctx.input(node, 0)], node.name));
  },
};

/** GlobalAveragePool and GlobalMaxPool reduce every spatial axis, keeping them as 1. */
const globalPool = (type: string): LowerRule => ({
  check: (node) => (rankOf(node.inputs[0]) === undefined ? 'the input rank must be known' : undefined),
  lower: (node, ctx) => {
    const rank = rankOf(node.inputs[0])!;
    const axes = Array.from({ length: rank - 2 }, (_, i) => i + 2);
    ctx.define(node.output, ctx.add(type, { keep_dims: true }, [ctx.input(node, 0), ctx.ints(axes, `${node.name}/axes`)], node.name));
  },
});

/** Reduce axes: an attribute before opset 18 (13 for ReduceSum), an optional constant input after. */
function reduceAxes(node: Node, statics: StaticResolver): number[] | undefined {
  if (node.inputs[1]) return statics.numbers(node.inputs[1]);
  const axes = getInts(node.attrs, 'axes');
  if (axes?.length) return axes;
  if (getInt(node.attrs, 'noop_with_empty_axes', 0)) return [];
  const rank = rankOf(node.inputs[0]);
  return rank === undefined ? undefined : Array.from({ length: rank }, (_, i) => i);
}

const reduce = (type: string): LowerRule => ({
  check: (node, statics) => {
    const axes = reduceAxes(node, statics);
    if (!axes) return 'the axes must be constant and the input rank known';
    return axes.length ? undefined : 'a reduction over no axes (noop_with_empty_axes) is not supported';
  },
  reads: () => [0],
  lower: (node, ctx) => {
    const axes = reduceAxes(node, ctx.statics)!;
    ctx.define(node.output, ctx.add(type, { keep_dims: getInt(node.attrs, 'keepdims', 1) === 1 }, [ctx.input(node, 0), ctx.ints(axes, `${node.name}/axes`)], node.name));
  },
});

export const POOL_RULES: Record<string, LowerRule> = {
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: globalPool('ReduceMean'),
  GlobalMaxPool: globalPool('ReduceMax'),
  ReduceMean: reduce('ReduceMean'),
  ReduceMax: reduce('ReduceMax'),
  ReduceSum: reduce('ReduceSum'),
};
