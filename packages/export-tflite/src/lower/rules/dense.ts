import { getFloat, getInt, type Node, type Use } from '@condense/core';
import { BuiltinOperator } from '../../generated/tflite_generated.js';
import type { LowerContext, WeightArrangement } from '../context.js';
import { transposeData, type Layout } from '../layout.js';
import { FIRST_INPUT, type OpRule } from '../rule.js';
import { dims, staticFloats, weightProblem } from '../static-values.js';

/**
 * FULLY_CONNECTED computes x · Wᵀ + b with W as [out, in]. ONNX Gemm computes
 * alpha · A · B' + beta · C, and MatMul A · B with B as [in, out]; both export
 * when B (and C) are constants, with alpha and beta folded into them.
 */
interface Dense {
  transB: boolean;
  alpha: number;
  beta: number;
  units: number;
}

function denseOf(node: Node): Dense {
  const b = staticFloats(node.inputs[1])!;
  const gemm = node.op === 'Gemm';
  const transB = gemm && getInt(node.attrs, 'transB', 0) === 1;
  return {
    transB,
    alpha: gemm ? getFloat(node.attrs, 'alpha', 1) : 1,
    beta: gemm ? getFloat(node.attrs, 'beta', 1) : 1,
    units: transB ? b.shape[0]! : b.shape[1]!,
  };
}

/**
 * True when this use reads its input through a constant [in, out] weight, so
 * a Flatten feeding it may leave the columns in NHWC order and let the weight
 * take the permutation instead of a TRANSPOSE at run time.
 */
export function absorbsColumnOrder(use: Use): boolean {
  const node = use.node;
  if (use.index !== 0 || node.domain !== '' || (node.op !== 'Gemm' && node.op !== 'MatMul')) return false;
  return dense.check(node) === undefined && (node.op === 'Gemm' || dims(node.inputs[0]!).length === 2);
}

function check(node: Node): string | undefined {
  const bad = weightProblem(node.inputs[1], 'weight (input B)', 2);
  if (bad) return `${bad}; products of two computed tensors are not exported`;
  const rank = dims(node.inputs[0]!).length;
  if (node.op === 'Gemm') {
    if (getInt(node.attrs, 'transA', 0) !== 0) return 'transA = 1 is not supported';
    const c = node.inputs[2];
    if (c) {
      const bias = staticFloats(c);
      if (!bias) return 'the bias (input C) must be a constant';
      const units = denseOf(node).units;
      const rows = bias.shape.length === 2 ? bias.shape[0]! : 1;
      if (rows !== 1 || (bias.data.length !== units && bias.data.length !== 1)) return `a bias of shape [${bias.shape.join(', ')}] does not broadcast over output rows`;
    }
  } else if (rank < 2 || rank > 3) {
    return `MatMul of a ${rank}-D input is not supported (2-D and 3-D are)`;
  }
  return undefined;
}

/** W as [out, in], scaled by alpha, columns reordered when the input arrives flattened from NHWC. */
function weightArrangement(d: Dense, layout: Layout): WeightArrangement {
  const flat = layout.kind === 'hwc-flat' ? layout : undefined;
  return {
    key: flat ? 'hwc' : d.transB ? '' : 'oi',
    channelAxis: 0,
    arrange: (data, shape) => {
      let w = d.transB ? data : transposeData(data, shape, [1, 0]);
      const [units, inputs] = d.transB ? shape : [shape[1]!, shape[0]!];
      if (d.alpha !== 1) w = w.map((x) => x * d.alpha);
      if (flat) w = transposeData(w, [units!, flat.c, flat.h, flat.w], [0, 2, 3, 1]);
      return { data: w, shape: [units!, inputs!] };
    },
  };
}

function bias(node: Node, d: Dense, ctx: LowerContext): number {
  const c = node.inputs[2];
  if (!c) return ctx.zeroBias(`${node.name}/bias`, d.units);
  return ctx.weight(c, {
    key: 'bias',
    channelAxis: 0,
    arrange: (data) => ({ data: Float32Array.from({ length: d.units }, (_, i) => d.beta * data[data.length === 1 ? 0 : i]!), shape: [d.units] }),
  });
}

export const dense: OpRule = {
  operands: FIRST_INPUT,
  fusesActivation: true,
  check,
  lower(node, ctx) {
    const x = node.inputs[0]!;
    const d = denseOf(node);
    const layout = ctx.layoutOf(x);
    const input = layout.kind === 'nhwc' ? ctx.plainInput(x) : ctx.input(x);
    const weights = ctx.weight(node.inputs[1]!, weightArrangement(d, layout));
    const out = ctx.output(node);
    ctx.emit(BuiltinOperator.FULLY_CONNECTED, [input, weights, bias(node, d, ctx)], [out.index], {
      kind: 'fullyConnected',
      activation: out.activation,
      keepNumDims: dims(x).length > 2,
    });
  },
};
