import { constantOf, getInt, type Graph, type Node, type Use, type Value } from '@condense/core';
import type { ResidualAddPlacement } from '../options.js';

/**
 * Where Q/DQ pairs go for TensorRT's explicit quantization, following its
 * developer guide ("Q/DQ Layer-Placement Recommendations") and the NVIDIA
 * quantization toolkits built on it:
 * - every input of a weighted layer (Conv, ConvTranspose, Gemm, MatMul) is
 *   quantized: activations per tensor, constant weights per output channel;
 * - outputs of weighted layers are not, so TensorRT keeps fusing the layer
 *   with a following BatchNormalization, Relu or other activation, and
 *   nothing sits between a Relu and a pooling layer (Q/DQ commute with max
 *   pooling; TensorRT moves them there itself);
 * - biases stay float (TensorRT quantizes them itself from the input and
 *   weight scales);
 * - an Add of two activations gets Q/DQ on its skip input; the input coming
 *   straight from a weighted layer is left float so TensorRT fuses the Add
 *   into that layer, with an int8 result (`residualAdds: 'both'` quantizes
 *   both inputs instead).
 */
export const WEIGHTED_OPS: ReadonlySet<string> = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

/** Inputs of a weighted layer that carry data; the rest (Conv's and Gemm's bias) stay float. */
const DATA_INPUTS = [0, 1];

export interface WeightQuantization {
  uses: Use[];
  /** The output-channel axis for per-channel scales; undefined: one scale for the tensor. */
  axis: number | undefined;
}

export interface QdqPlan {
  /** Activations quantized per tensor, with the inputs that read the dequantized copy. */
  activations: Map<Value, Use[]>;
  /** Constant weights, with the inputs that read the dequantized copy and the per-channel axis. */
  weights: Map<Value, WeightQuantization>;
  /** Weighted layers left in float, and why. */
  float: Array<{ node: Node; reason: string }>;
}

type InputRole = { index: number; weight: false } | { index: number; weight: true; axis: number | undefined };

export function isWeighted(node: Node): boolean {
  return node.domain === '' && WEIGHTED_OPS.has(node.op);
}

/** An Add of two float32 activations (an Add with a constant operand is a bias, which stays float). */
export function isResidualAdd(node: Node): boolean {
  return node.domain === '' && node.op === 'Add' && node.inputs.length === 2 && node.inputs.every((v) => v && !constantOf(v) && v.type?.dtype === 'float32');
}

/**
 * The axis of a constant input's output channels, as TensorRT reads per-channel
 * scales: Conv weights [K, C, kH, kW] on 0, ConvTranspose weights [C, K/group,
 * kH, kW] on 1, Gemm's B on 0 with transB and 1 without, MatMul's 2-D B by a
 * 2-D input on 1. Anything else (a grouped ConvTranspose, whose axis 1 holds
 * only one group's channels; batched MatMul) gets one scale.
 */
function channelAxis(node: Node, index: number): number | undefined {
  if (index !== 1) return undefined;
  switch (node.op) {
    case 'Conv':
      return 0;
    case 'ConvTranspose':
      return getInt(node.attrs, 'group', 1) === 1 ? 1 : undefined;
    case 'Gemm':
      return getInt(node.attrs, 'transB', 0) ? 0 : 1;
    case 'MatMul':
      return constantOf(node.inputs[1])?.rank === 2 && node.inputs[0]?.type?.shape?.length === 2 ? 1 : undefined;
    default:
      return undefined;
  }
}

/** How each data input of a weighted layer is quantized, or why the layer stays float. */
function inputRoles(node: Node): InputRole[] | string {
  const roles: InputRole[] = [];
  for (const index of DATA_INPUTS) {
    const v = node.inputs[index];
    if (!v) return `input ${index} is missing`;
    const weight = constantOf(v);
    if (weight) {
      if (weight.dtype !== 'float32') return `weight "${v.name}" is ${weight.dtype}; only float32 weights are quantized`;
      roles.push({ index, weight: true, axis: channelAxis(node, index) });
    } else {
      if ((node.op === 'Conv' || node.op === 'ConvTranspose') && index === 1) return 'its weights are computed at run time; TensorRT quantizes only constant convolution weights';
      if (v.type?.dtype !== 'float32') return `input "${v.name}" is ${v.type?.dtype ?? 'of unknown type'}; only float32 activations are quantized`;
      roles.push({ index, weight: false });
    }
  }
  return roles;
}

/**
 * The input of a residual Add that TensorRT fuses into the layer computing it:
 * the output of a quantized weighted layer (or of a BatchNormalization folded
 * into one) that nothing else reads. When both inputs qualify (a block whose
 * shortcut is a convolution too) the Add joins the later layer, and the
 * earlier one's output is quantized as the skip input.
 */
function fusedInput(add: Node, quantized: ReadonlySet<Node>, order: ReadonlyMap<Node, number>): number | undefined {
  const fusesInto = (v: Value): Node | undefined => {
    if (v.useCount !== 1 || v.isGraphOutput()) return undefined;
    const p = v.producer();
    if (p && quantized.has(p)) return p;
    if (p?.op === 'BatchNormalization' && p.inputs[0]) return fusesInto(p.inputs[0]) && p;
    return undefined;
  };
  let best: { index: number; at: number } | undefined;
  add.inputs.forEach((v, index) => {
    const layer = v && fusesInto(v);
    const at = layer ? order.get(layer)! : -1;
    if (layer && (!best || at > best.at)) best = { index, at };
  });
  return best?.index;
}

/** Decides every Q/DQ pair of the graph (top level; subgraphs stay float). */
export function planQdq(graph: Graph, residualAdds: ResidualAddPlacement): QdqPlan {
  const plan: QdqPlan = { activations: new Map(), weights: new Map(), float: [] };
  const quantizeActivation = (node: Node, index: number) => {
    const v = node.inputs[index]!;
    const uses = plan.activations.get(v) ?? [];
    uses.push({ node, index });
    plan.activations.set(v, uses);
  };
  const quantized = new Set<Node>();
  const order = new Map<Node, number>();
  for (const node of graph) {
    order.set(node, order.size);
    if (!isWeighted(node)) continue;
    const roles = inputRoles(node);
    if (typeof roles === 'string') {
      plan.float.push({ node, reason: roles });
      continue;
    }
    quantized.add(node);
    for (const role of roles) {
      if (!role.weight) {
        quantizeActivation(node, role.index);
        continue;
      }
      const w = node.inputs[role.index]!;
      const known = plan.weights.get(w);
      // A weight shared by layers that read it along different axes falls back to one scale for all.
      if (known && known.axis !== role.axis) known.axis = undefined;
      plan.weights.set(w, { uses: [...(known?.uses ?? []), { node, index: role.index }], axis: known ? known.axis : role.axis });
    }
  }
  for (const node of graph) {
    if (!isResidualAdd(node)) continue;
    const fused = residualAdds === 'fuse' ? fusedInput(node, quantized, order) : undefined;
    node.inputs.forEach((_, index) => {
      if (index !== fused) quantizeActivation(node, index);
    });
  }
  return plan;
}
