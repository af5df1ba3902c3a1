import { getInt, getInts, type Node } from '@condense/core';
import { NCHW_AS_NHWC } from '../../layout.js';
import type { ExportContext } from '../context.js';
import { tfAttr } from '../graph-def.js';
import type { Rule } from './rule.js';
import { autoPadProblem, tfPadding, windowOf, type TfPadding, type Window2d } from './window.js';

function window(node: Node): Window2d {
  const k = getInts(node.attrs, 'kernel_shape') ?? [];
  return windowOf(node, [k[0] ?? 1, k[1] ?? 1]);
}

/**
 * tfjs pools take VALID or SAME only. Other pads become a Pad before a VALID
 * pool: -inf for a max (padding never wins), zeros for an average that counts
 * them (count_include_pad); an average that must not count them matches only SAME.
 */
function poolPadding(ctx: ExportContext, node: Node): TfPadding {
  const w = window(node);
  const padding = tfPadding(ctx, node, w);
  // TensorFlow's SAME average leaves the padding out of the count; counting it takes explicit zeros.
  const counted = node.op === 'AveragePool' && getInt(node.attrs, 'count_include_pad', 0) === 1 && w.pads.some((p) => p > 0);
  return counted && padding.mode === 'SAME' ? { mode: 'EXPLICIT', pads: [w.pads[0], w.pads[2], w.pads[1], w.pads[3]] } : padding;
}

export const pool: Rule = {
  check(node, ctx) {
    const k = getInts(node.attrs, 'kernel_shape');
    if (k?.length !== 2 || ctx.dims(node.inputs[0]!)?.length !== 4) return 'tfjs pools are 2-D (NCHW input)';
    if (getInt(node.attrs, 'ceil_mode', 0)) return 'ceil_mode 1 has no tfjs padding';
    if ((getInts(node.attrs, 'dilations') ?? [1, 1]).some((d) => d !== 1)) return 'dilated pools have no tfjs op';
    if (node.outputs[1]) return 'MaxPool indices output has no tfjs op';
    const w = window(node);
    const problem = autoPadProblem(w);
    if (problem) return problem;
    if (node.op === 'AveragePool' && !getInt(node.attrs, 'count_include_pad', 0) && poolPadding(ctx, node).mode === 'EXPLICIT') return 'AveragePool whose pads are neither none nor TensorFlow SAME, without count_include_pad';
    return undefined;
  },
  emit(node, ctx) {
    const w = window(node);
    const padding = poolPadding(ctx, node);
    let input = ctx.want(node.inputs[0]!, NCHW_AS_NHWC);
    if (padding.mode === 'EXPLICIT') {
      const [t, b, l, r] = padding.pads;
      const paddings = ctx.int32(`${node.outputs[0]!.name}/paddings`, [0, 0, t, b, l, r, 0, 0], [4, 2]);
      const fill = ctx.float32(`${node.outputs[0]!.name}/pad_value`, node.op === 'MaxPool' ? -Infinity : 0);
      input = ctx.writer.op('PadV2', `${node.outputs[0]!.name}/pad`, [input, paddings, fill], { T: tfAttr.type('float32') });
    }
    ctx.emit(node.outputs[0]!, node.op === 'MaxPool' ? 'MaxPool' : 'AvgPool', [input], NCHW_AS_NHWC, {
      ksize: tfAttr.ints([1, w.kernel[0], w.kernel[1], 1]),
      strides: tfAttr.ints([1, w.strides[0], w.strides[1], 1]),
      padding: tfAttr.s(padding.mode === 'EXPLICIT' ? 'VALID' : padding.mode),
      data_format: tfAttr.s('NHWC'),
      T: tfAttr.type('float32'),
    });
  },
};

/** GlobalAveragePool / GlobalMaxPool: Mean / Max over height and width, kept as size-1 axes. */
export const globalPool: Rule = {
  check: (node, ctx) => (ctx.dims(node.inputs[0]!)?.length === 4 ? undefined : 'global pools of inputs other than 4-D'),
  emit(node, ctx) {
    const y = node.outputs[0]!;
    const axes = ctx.int32(`${y.name}/axes`, [1, 2]);
    ctx.emit(y, node.op === 'GlobalMaxPool' ? 'Max' : 'Mean', [ctx.want(node.inputs[0]!, NCHW_AS_NHWC), axes], NCHW_AS_NHWC, { keep_dims: tfAttr.b(true), T: tfAttr.type('float32'), Tidx: tfAttr.type('int32') });
  },
};
