import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';

/** Ops with weights: a layer after one of them no longer sees the raw input. */
const LAYERS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'QLinearConv', 'QLinearMatMul', 'ConvInteger', 'MatMulInteger']);

/**
 * The layers that read the graph's input with no other layer before them
 * (through normalisation, padding, casts or any other op without weights):
 * a CNN's stem. One forward walk over the graph in its (topological) order.
 */
export function inputLayers(graph: Graph): Set<Node> {
  const raw = new Set<Value>(graph.inputs.filter((v) => !v.const));
  const found = new Set<Node>();
  for (const node of graph) {
    const readsRaw = node.inputs.some((v) => v && raw.has(v));
    if (!readsRaw) continue;
    if (node.domain === '' && LAYERS.has(node.op)) found.add(node);
    else for (const out of node.outputs) if (out) raw.add(out);
  }
  return found;
}
