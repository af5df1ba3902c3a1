import { CondenseError, inferShapes, type Graph } from '@condense/core';
import type { ResidualAddPlacement } from '../options.js';
import { insertQdq } from './insert.js';
import { planQdq } from './placement.js';

/** First opset whose QuantizeLinear/DequantizeLinear take per-channel scales. */
export const PER_CHANNEL_OPSET = 13;

/** What {@link insertTensorrtQdq} quantized, and what it left in float. */
export interface TensorrtQdqSummary {
  /** Activations quantized (one Q/DQ pair each). */
  activations: number;
  /** Constant weights quantized. */
  weights: number;
  /** Weighted layers left in float, and why. */
  floatLayers: Array<{ node: string; reason: string }>;
}

/**
 * Explicit quantization as TensorRT builds it, in place: symmetric int8 Q/DQ
 * pairs (zero points 0) on the inputs of Conv, ConvTranspose, Gemm, MatMul
 * and residual Adds, weights per output channel, activations per tensor with
 * scale amax / 127 from `amax` (tensor name -> largest magnitude seen).
 */
export function insertTensorrtQdq(graph: Graph, amax: ReadonlyMap<string, number>, options: { residualAdds?: ResidualAddPlacement } = {}): TensorrtQdqSummary {
  const opset = graph.root.opset[''] ?? 1;
  if (opset < PER_CHANNEL_OPSET) {
    throw new CondenseError('E_UNSUPPORTED_OP', `Per-channel Q/DQ needs opset ${PER_CHANNEL_OPSET} or later; this graph is at opset ${opset}. Run the upgrade-opset pass first.`);
  }
  // Which inputs are float32 activations, and MatMul ranks, come from the types.
  inferShapes(graph);
  const plan = planQdq(graph, options.residualAdds ?? 'fuse');
  insertQdq(graph, plan, amax);
  return {
    activations: plan.activations.size,
    weights: plan.weights.size,
    floatLayers: plan.float.map(({ node, reason }) => ({ node: node.name, reason })),
  };
}
