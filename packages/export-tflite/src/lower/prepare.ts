import { exportWorkingCopy, inferShapes, type Dim, type Graph } from '@condense/core';

/**
 * A working copy of the graph with every shape inferred from the pinned input
 * shapes. Export never edits the caller's graph, not even its value types;
 * the copy shares tensors (zero-copy) and costs one pass over the nodes.
 */
export function prepareGraph(source: Graph, inputShapes: Record<string, Dim[]>): Graph {
  const graph = exportWorkingCopy(source);
  const pinned: Record<string, Dim[]> = {};
  for (const input of graph.inputs) {
    const given = inputShapes[input.name];
    const shape = input.type?.shape;
    // A symbolic leading dimension is the batch; TFLite wants a size, and 1 is what deployments feed.
    if (given) pinned[input.name] = given;
    else if (shape && typeof shape[0] === 'string') pinned[input.name] = [1, ...shape.slice(1)];
  }
  inferShapes(graph, { inputShapes: pinned });
  return graph;
}
