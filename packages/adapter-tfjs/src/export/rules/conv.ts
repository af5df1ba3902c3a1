import { getInt, getInts, type Node, type Value } from '@condense/core';
import { NCHW_AS_NHWC, padRank, permute } from '../../layout.js';
import type { ExportContext } from '../context.js';
import { fusableActivation, fusedOps, zeroBias } from './activation.js';
import type { Rule } from './rule.js';
import { autoPadProblem, convAttrs, tfPadding, windowOf } from './window.js';

/** [out, in / group, kh, kw] of a Conv's weight, when known. */
function weightShape(node: Node, ctx: ExportContext): number[] | undefined {
  return ctx.shape(node.inputs[1]!);
}

/** Plain (group 1) or depthwise (one group per input channel, any multiplier): the two tfjs has. */
function kindOf(node: Node, ctx: ExportContext): 'plain' | 'depthwise' | undefined {
  const group = getInt(node.attrs, 'group', 1);
  if (group === 1) return 'plain';
  const w = weightShape(node, ctx);
  const channels = ctx.shape(node.inputs[0]!)?.[1] ?? ctx.dims(node.inputs[0]!)?.[1];
  return w && w[1] === 1 && channels === group ? 'depthwise' : undefined;
}

function slopeShape(ctx: ExportContext, slope: Value): number[] {
  const shape = ctx.shape(slope)!;
  return permute(padRank(shape, 4), NCHW_AS_NHWC).slice(1);
}

export const conv: Rule = {
  check(node, ctx) {
    const w = weightShape(node, ctx);
    if (!w || w.length !== 4) return 'tfjs runs 2-D convolutions only (with a weight of known shape)';
    if (ctx.dims(node.inputs[0]!)?.length !== 4) return 'the input must be 4-D (NCHW)';
    if (!kindOf(node, ctx)) return `grouped convolution (group ${getInt(node.attrs, 'group', 1)}) other than depthwise has no tfjs op`;
    return autoPadProblem(windowOf(node, [w[2]!, w[3]!]));
  },
  emit(node, ctx) {
    const [x, weight, bias] = node.inputs;
    const [out, cin, kh, kw] = weightShape(node, ctx)! as [number, number, number, number];
    const kernel = (getInts(node.attrs, 'kernel_shape') ?? [kh, kw]) as [number, number];
    const window = windowOf(node, kernel);
    const depthwise = kindOf(node, ctx) === 'depthwise';
    const input = ctx.want(x!, NCHW_AS_NHWC);
    // OIHW to HWIO; for depthwise, HW1(C*M) regrouped as HWCM (output channel c*M+m of input channel c).
    const channels = depthwise ? getInt(node.attrs, 'group', 1) : cin;
    const filter = ctx.placed(weight!, { perm: [2, 3, 1, 0], shape: depthwise ? [kh, kw, channels, out / channels] : undefined });
    const attrs = convAttrs(window, tfPadding(ctx, node, window));
    const y = node.outputs[0]!;
    const act = fusableActivation(ctx, y);
    const result = act ? act.node.outputs[0]! : y;
    if (!bias && !act) {
      ctx.emit(result, depthwise ? 'DepthwiseConv2dNative' : 'Conv2D', [input, filter], NCHW_AS_NHWC, attrs);
      return;
    }
    const biasName = bias ? ctx.placed(bias, { perm: [0], shape: [out] }) : zeroBias(ctx, y.name, out);
    // tfjs's fused PReLU takes a scalar, 1-D or 3-D slope: the NHWC-broadcast slope without its batch axis.
    const slope = act?.slope && ctx.placed(act.slope, { perm: NCHW_AS_NHWC, shape: slopeShape(ctx, act.slope) });
    const fused = fusedOps(ctx, biasName, act, slope);
    ctx.emit(result, depthwise ? 'FusedDepthwiseConv2dNative' : '_FusedConv2D', [input, filter, ...fused.args], NCHW_AS_NHWC, { ...attrs, ...fused.attrs });
  },
};
