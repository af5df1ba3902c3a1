import type { Attr } from '../../ir/attr.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import type { Tensor } from '../../tensor/tensor.js';

/**
 * Makes `value` a constant holding `tensor`, removing its producer `node`.
 * The new constant takes over the value's name, so reports and fetches by name
 * still find it. Refuses (returns false) for graph outputs and multi-output nodes.
 */
export function replaceWithConstant(graph: Graph, node: Node, value: Value, tensor: Tensor): boolean {
  if (value.isGraphOutput() || node.outputs.filter(Boolean).length !== 1) return false;
  const name = value.name;
  const constant = graph.constant(graph.uniqueName(`${name}__const`), tensor);
  value.replaceAllUsesWith(constant);
  graph.remove([node]);
  graph.rename(constant, name);
  return true;
}

/**
 * Removes a node that forwards `from` unchanged to `output` (Identity, inference
 * Dropout, a BatchNormalization already folded upstream). When `output` is a
 * graph output, `from` takes its place and its name, provided nothing else reads
 * `from`; otherwise the node stays (returns false). canBypass asks first, so a
 * pass can check before it changes anything else.
 */
export function canBypass(node: Node, output: Value, from: Value): boolean {
  if (node.outputs.some((o) => o && o !== output && (o.useCount > 0 || o.isGraphOutput()))) return false;
  if (!output.isGraphOutput()) return true;
  return !!from.producer() && !from.isGraphOutput() && from.uses().every((u) => u.node === node);
}

export function bypass(graph: Graph, node: Node, output: Value, from: Value): boolean {
  if (!canBypass(node, output, from)) return false;
  if (!output.isGraphOutput()) {
    output.replaceAllUsesWith(from);
    graph.remove([node]);
    return true;
  }
  const { name, type } = output;
  output.replaceAllUsesWith(from, { replaceGraphOutputs: true });
  graph.remove([node]);
  graph.rename(from, name);
  from.type = type ?? from.type;
  return true;
}

/**
 * Puts a new `op` node where `node` was, reading `inputs`, and hands it the old
 * node's outputs (names included, graph outputs too), so every reader and every
 * report that names them carries on unchanged.
 */
export function replaceNode(graph: Graph, node: Node, op: string, inputs: ReadonlyArray<Value | null>, attrs: Record<string, Attr>): Node {
  const fresh = graph.add(op, inputs, attrs, { name: `${node.name}_${op}`, before: node, outputs: node.outputs.length });
  const old = node.outputs.map((o) => o && { name: o.name, type: o.type });
  node.outputs.forEach((o, i) => o && o.replaceAllUsesWith(fresh.outputs[i]!, { replaceGraphOutputs: true }));
  graph.remove([node]);
  fresh.outputs.forEach((o, i) => {
    const was = old[i];
    if (!o || !was) return;
    graph.rename(o, was.name);
    o.type = was.type;
  });
  return fresh;
}
