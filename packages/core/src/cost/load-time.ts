import { constantOf } from '../ir/constant.js';
import type { Graph } from '../ir/graph.js';
import type { Node } from '../ir/node.js';
import type { Value } from '../ir/value.js';

/**
 * The nodes whose inputs are all constant, directly or through other such
 * nodes: the weight decoders that passes add (DequantizeLinear, Gather over a
 * codebook, Cast, a DCT MatMul), which runtimes fold once when they load the
 * model, so they cost nothing per inference. Ops that draw random numbers are
 * never folded.
 */
export function loadTimeNodes(graph: Graph): Set<Node> {
  const fixed = new Set<Value>();
  const isFixed = (v: Value) => fixed.has(v) || constantOf(v) !== undefined;
  const nodes = new Set<Node>();
  for (const node of graph) {
    const inputs = node.inputs.filter((v): v is Value => v !== null);
    const folds =
      (node.op === 'Constant' && node.domain === '') ||
      (inputs.length > 0 && inputs.every(isFixed) && node.subgraphs().length === 0 && !node.op.startsWith('Random') && node.op !== 'Multinomial');
    if (!folds) continue;
    nodes.add(node);
    for (const out of node.outputs) if (out) fixed.add(out);
  }
  return nodes;
}
