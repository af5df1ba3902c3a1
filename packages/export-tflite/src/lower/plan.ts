import { getFloat, type Graph, type Node } from '@condense/core';
import { ActivationFunctionType } from '../generated/tflite_generated.js';
import type { OpRule } from './rule.js';
import { quantizedView, quantizersOf, type ActivationParams } from './quantized.js';
import { isStatic, staticFloats } from './static-values.js';

/** What the export will emit: the nodes to lower, in order, the activations folded into their producers, and which nodes run on integer kernels. */
export interface ExportPlan {
  graph: Graph;
  nodes: Node[];
  /** Producer -> the Relu/Clip node folded into its fused_activation_function. */
  fused: Map<Node, { node: Node; activation: ActivationFunctionType }>;
  /** Nodes on int8 kernels -> the QuantizeLinear nodes they absorb (writing their int8 tensor) and its parameters. Filled by planInt8. */
  int8: Map<Node, { quantizers: Node[]; params: ActivationParams }>;
}

/**
 * Walks back from the graph outputs through run-time operands only, so nodes
 * that just compute parameters (shape arithmetic feeding a Reshape, Casts of
 * float16 weights) are never exported, nor checked.
 */
export function planExport(graph: Graph, rules: ReadonlyMap<string, OpRule>): ExportPlan {
  const needed = new Set<Node>();
  const stack = graph.outputs.filter((v) => !isStatic(v));
  while (stack.length) {
    const node = stack.pop()!.producer();
    if (!node || needed.has(node)) continue;
    needed.add(node);
    const rule = ruleOf(node, rules);
    const operands = rule ? rule.operands(node) : node.inputs.map((_, i) => i);
    for (const i of operands) {
      const v = node.inputs[i];
      if (v && !isStatic(v)) stack.push(v);
    }
  }
  const nodes = [...graph].filter((n) => needed.has(n));
  const fused = new Map<Node, { node: Node; activation: ActivationFunctionType }>();
  for (const node of nodes) {
    if (!ruleOf(node, rules)?.fusesActivation) continue;
    const out = node.outputs[0];
    const uses = out?.uses() ?? [];
    if (!out || uses.length !== 1 || out.isGraphOutput()) continue;
    const next = uses[0]!.node;
    const activation = activationOf(next);
    if (activation !== undefined) fused.set(node, { node: next, activation });
  }
  const folded = new Set([...fused.values()].map((f) => f.node));
  return { graph, nodes: nodes.filter((n) => !folded.has(n)), fused, int8: new Map() };
}

/**
 * Chooses the nodes that run on integer kernels, once check() has accepted
 * the plan: those whose every run-time input is an int8 tensor and whose
 * output (after any fused activation) only QuantizeLinear nodes read, when
 * the op's int8 form accepts them. The quantizers they absorb leave the plan.
 */
export function planInt8(plan: ExportPlan, rules: ReadonlyMap<string, OpRule>): void {
  const absorbed = new Set<Node>();
  for (const node of plan.nodes) {
    const rule = ruleOf(node, rules);
    if (!rule?.int8) continue;
    const operands = rule.operands(node).flatMap((i) => {
      const v = node.inputs[i];
      return v && !isStatic(v) ? [v] : [];
    });
    if (operands.length === 0 || !operands.every((v) => quantizedView(v))) continue;
    const out = plan.fused.get(node)?.node.output ?? node.outputs[0];
    const quantizers = out && quantizersOf(out);
    if (!quantizers || rule.int8.check(node) !== undefined) continue;
    plan.int8.set(node, { quantizers: quantizers.nodes, params: quantizers.params });
    for (const q of quantizers.nodes) absorbed.add(q);
  }
  plan.nodes = plan.nodes.filter((n) => !absorbed.has(n));
}

export function ruleOf(node: Node, rules: ReadonlyMap<string, OpRule>): OpRule | undefined {
  return node.domain === '' || node.domain === 'ai.onnx' ? rules.get(node.op) : undefined;
}

/** The fused activation equal to this node, if it is a Relu or a Clip to [0, 6] or [-1, 1]. */
function activationOf(node: Node): ActivationFunctionType | undefined {
  if (node.domain !== '') return undefined;
  if (node.op === 'Relu') return ActivationFunctionType.RELU;
  if (node.op !== 'Clip') return undefined;
  const [min, max] = clipBounds(node) ?? [];
  if (min === 0 && max === 6) return ActivationFunctionType.RELU6;
  if (min === 0 && max === Infinity) return ActivationFunctionType.RELU;
  if (min === -1 && max === 1) return ActivationFunctionType.RELU_N1_TO_1;
  return undefined;
}

/** float32's largest finite value, ONNX Clip's default bounds; anything this far out means unbounded. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** A Clip's [min, max] (infinite where unbounded), or undefined when a bound is computed at run time. */
export function clipBounds(node: Node): [number, number] | undefined {
  let min: number | undefined;
  let max: number | undefined;
  if (node.inputs.length > 1 || (node.attrs['min'] === undefined && node.attrs['max'] === undefined)) {
    // Opset 11+: bounds are optional scalar inputs.
    const bound = (i: number) => {
      const v = node.inputs[i];
      if (!v) return null;
      const s = staticFloats(v);
      return s && s.data.length === 1 ? s.data[0]! : undefined;
    };
    const lo = bound(1);
    const hi = bound(2);
    if (lo === undefined || hi === undefined) return undefined;
    min = lo ?? -Infinity;
    max = hi ?? Infinity;
  } else {
    min = getFloat(node.attrs, 'min', -FLOAT32_MAX);
    max = getFloat(node.attrs, 'max', FLOAT32_MAX);
  }
  return [min <= -FLOAT32_MAX ? -Infinity : min, max >= FLOAT32_MAX ? Infinity : max];
}
