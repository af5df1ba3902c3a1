import { getFloat, getInt, type Node, type Use } from '@condense/core';
import { BuiltinOperator } from '../../generated/tflite_generated.js';
import type { LowerContext, WeightArrangement } from '../context.js';
import { PLAIN, transposeData, type Layout } from '../layout.js';
import { FIRST_INPUT, type OpRule } from '../rule.js';
import { dims, staticFloats, weightProblem } from '../static-values.js';
import { kernelWeightProblem } from '../weights.js';
import { isDequantize, isQuantize } from '../quantized.js';

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
  /** Rank of Gemm's C (1 or 2). */
  biasRank: number;
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
    biasRank: staticFloats(node.inputs[2])?.shape.length ?? 1,
  };
}

/**
 * True when this use reads its input through a constant [in, out] weight, so
 * a Flatten feeding it may leave the columns in NHWC order and let the weight
 * take the permutation instead of a TRANSPOSE at run time.
 */
export function absorbsColumnOrder(use: Use): boolean {
  const node = use.node;
  // A quantize/dequantize pair between them moves the values unchanged, column order included.
  if (isQuantize(node) || isDequantize(node)) {
    const out = node.output;
    return !out.isGraphOutput() && out.useCount > 0 && out.uses().every(absorbsColumnOrder);
  }
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
    factor: d.alpha,
    arrange: (data, shape) => {
      let w = d.transB ? data : transposeData(data, shape, [1, 0]);
      const [units, inputs] = d.transB ? shape : [shape[1]!, shape[0]!];
      if (flat) w = transposeData(w, [units!, flat.c, flat.h, flat.w], [0, 2, 3, 1]);
      return { data: w, shape: [units!, inputs!] };
    },
    axisOf: (a) => (d.transB ? a : 1 - a),
  };
}

/** Gemm's C as one value per unit (a single value broadcast), times beta. */
function biasArrangement(d: Dense): WeightArrangement {
  return {
    key: 'bias',
    channelAxis: 0,
    factor: d.beta,
    arrange: (data, shape) => {
      if (data.length !== 1) return { data, shape: [d.units] };
      const repeated = new (data.constructor as new (n: number) => typeof data)(d.units);
      repeated.fill(data[0]!);
      return { data: repeated, shape: [d.units] };
    },
    // C is [units] or [1, units]: its last axis runs along the units.
    axisOf: (a) => (a === d.biasRank - 1 ? 0 : undefined),
  };
}

/**
 * The input: FULLY_CONNECTED reads rows, so an NHWC map is put back in ONNX
 * order first, while a Flatten's NHWC columns stay as they are (the weights
 * are reordered instead).
 */
function denseInput(node: Node, ctx: LowerContext, quantized: boolean): number {
  const x = node.inputs[0]!;
  return ctx.read(x, quantized, ctx.layoutOf(x).kind === 'nhwc');
}

function emitDense(node: Node, ctx: LowerContext, input: number, weights: number, bias: number, asymmetricQuantizeInputs = false): void {
  const out = ctx.output(node);
  ctx.emit(BuiltinOperator.FULLY_CONNECTED, [input, weights, bias], [out.index], {
    kind: 'fullyConnected',
    activation: out.activation,
    keepNumDims: dims(node.inputs[0]!).length > 2,
    asymmetricQuantizeInputs,
  });
}

export const dense: OpRule = {
  operands: FIRST_INPUT,
  fusesActivation: true,
  check,
  lower(node, ctx) {
    const d = denseOf(node);
    const how = weightArrangement(d, ctx.layoutOf(node.inputs[0]!));
    // Hybrid kernels read int8 weights and quantize the float input on the fly (asymmetrically, per batch row).
    const hybrid = ctx.options.dynamicRange === 'hybrid' && !kernelWeightProblem(node.inputs[1], how);
    const weights = hybrid ? ctx.weights.int8(node.inputs[1]!, how).index : ctx.weight(node.inputs[1]!, how);
    const c = node.inputs[2];
    const bias = c ? ctx.weight(c, biasArrangement(d)) : ctx.zeroBias(`${node.name}/bias`, d.units);
    emitDense(node, ctx, denseInput(node, ctx, false), weights, bias, hybrid);
  },
  int8: {
    check: (node) => kernelWeightProblem(node.inputs[1], weightArrangement(denseOf(node), PLAIN)),
    lower(node, ctx) {
      const d = denseOf(node);
      const input = denseInput(node, ctx, true);
      const weights = ctx.weights.int8(node.inputs[1]!, weightArrangement(d, ctx.layoutOf(node.inputs[0]!)));
      const bias = ctx.weights.int32Bias(node.inputs[2]?.name ?? `${node.name}/bias`, node.inputs[2], biasArrangement(d), ctx.paramsOf(input)!.scale, weights.scales);
      emitDense(node, ctx, input, weights.index, bias);
    },
  },
};
