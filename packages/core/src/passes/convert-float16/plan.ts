import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import { ATTRIBUTE_TYPED, isShapeInput } from './ops.js';

/**
 * Nodes that compute sizes, scales or indices: everything feeding a shape input,
 * followed back up to (not through) Shape and Size, which read only their
 * input's dimensions. These stay float32 so shape arithmetic stays exact.
 */
export function shapeComputations(graph: Graph): Set<Node> {
  const found = new Set<Node>();
  const stack: Node[] = [];
  const reach = (v: Value | null) => {
    const p = v?.producer();
    if (p && !found.has(p)) {
      found.add(p);
      stack.push(p);
    }
  };
  for (const node of graph) node.inputs.forEach((v, i) => isShapeInput(node, i) && reach(v));
  while (stack.length) {
    const node = stack.pop()!;
    if (node.domain === '' && (node.op === 'Shape' || node.op === 'Size')) continue;
    node.inputs.forEach(reach);
  }
  return found;
}

/**
 * The nodes allowed to work in float16: default-domain ops outside the block
 * list and outside shape computations. Ops holding subgraphs stay float32 (their
 * bodies expect the types they were written with), as do ops typed by an
 * attribute. Running activations in float16 also needs every type known (a Cast
 * goes where types meet) and no output read from inside a subgraph.
 */
export function halfNodes(graph: Graph, blockList: readonly string[], activations: boolean): Set<Node> {
  const blocked = new Set(blockList);
  const shapes = shapeComputations(graph);
  const half = new Set<Node>();
  for (const node of graph) {
    if (node.domain !== '' || blocked.has(node.op) || ATTRIBUTE_TYPED.has(node.op) || shapes.has(node) || node.subgraphs().length) continue;
    if (activations) {
      const values = [...node.inputs, ...node.outputs].filter((v): v is Value => v !== null);
      if (values.some((v) => !v.type)) continue;
      if (node.outputs.some((v) => v?.uses().some((u) => u.index < 0))) continue;
    }
    half.add(node);
  }
  return half;
}
