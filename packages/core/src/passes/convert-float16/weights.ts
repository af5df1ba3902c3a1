import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Use } from '../../ir/value.js';
import { isShapeInput, readsAnyType } from './ops.js';
import { Casts, addFloat16Copy, float32Constants, replaceConstant, type Float16Stats } from './rewrite.js';

/**
 * Weight-only float16: each float32 constant read only as data by nodes in
 * `half` is stored in float16 and read through a Cast back to float32. The
 * graph computes exactly as before on rounded weights; runtimes fold the Cast
 * at load, so the model is half the size on disk and as fast as float.
 */
export function convertWeights(graph: Graph, half: ReadonlySet<Node>, stats: Float16Stats): void {
  // A Cast, Shape or Size reading a weight is arithmetic on it (shapes, indices), not a float op using it.
  const isWeightUse = (u: Use) => u.index >= 0 && half.has(u.node) && !isShapeInput(u.node, u.index) && !readsAnyType(u.node, u.index);
  const casts = new Casts(graph, stats);
  for (const c of float32Constants(graph)) {
    const uses = c.uses();
    if (!uses.length || c.isGraphOutput() || !uses.every(isWeightUse)) continue;
    replaceConstant(graph, c, casts.to(addFloat16Copy(graph, c, stats), 'float32'));
  }
}
