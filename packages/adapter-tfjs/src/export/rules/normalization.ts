import { getFloat, getInt } from '@condense/core';
import { NCHW_AS_NHWC, identity } from '../../layout.js';
import { tfAttr } from '../graph-def.js';
import type { Rule } from './rule.js';

/** Inference batch norm as FusedBatchNormV3 over the last (NHWC channel) axis. */
export const batchNorm: Rule = {
  check(node, ctx) {
    if (getInt(node.attrs, 'training_mode', 0)) return 'BatchNormalization in training mode';
    if (node.outputs.slice(1).some((o) => o && o.useCount)) return 'BatchNormalization running statistics outputs';
    const rank = ctx.dims(node.inputs[0]!)?.length;
    return rank === 4 || rank === 2 ? undefined : `BatchNormalization of a rank-${rank} input`;
  },
  emit(node, ctx) {
    const rank = ctx.rank(node.inputs[0]!);
    const perm = rank === 4 ? NCHW_AS_NHWC : identity(2);
    const [x, ...params] = node.inputs;
    const y = node.outputs[0]!;
    ctx.emit(y, 'FusedBatchNormV3', [ctx.want(x!, perm), ...params.map((p) => ctx.want(p!, [0]))], perm, {
      epsilon: tfAttr.f(getFloat(node.attrs, 'epsilon', 1e-5)),
      data_format: tfAttr.s('NHWC'),
      is_training: tfAttr.b(false),
      T: tfAttr.type('float32'),
      U: tfAttr.type('float32'),
    });
  },
};

/** Softmax over one axis: tfjs's runs over the last, so the axis is moved there unless it already is. */
export const softmax: Rule = {
  check(node, ctx) {
    const rank = ctx.dims(node.inputs[0]!)?.length ?? 0;
    const opset = ctx.graph.opset[''] ?? 13;
    const axis = getInt(node.attrs, 'axis', opset >= 13 ? -1 : 1);
    // Before opset 13, Softmax flattened from `axis`: the same only when it is the last.
    return opset < 13 && (axis < 0 ? axis + rank : axis) !== rank - 1 ? 'Softmax (opset < 13) over several axes' : undefined;
  },
  emit(node, ctx) {
    const x = node.inputs[0]!;
    const rank = ctx.rank(x);
    const raw = getInt(node.attrs, 'axis', (ctx.graph.opset[''] ?? 13) >= 13 ? -1 : 1);
    const axis = raw < 0 ? raw + rank : raw;
    const r = ctx.ref(x);
    const perm = r.perm[rank - 1] === axis ? r.perm : [...identity(rank).filter((a) => a !== axis), axis];
    ctx.emit(node.outputs[0]!, 'Softmax', [ctx.want(x, perm)], perm, { T: tfAttr.type('float32') });
  },
};
