import { exportWorkingCopy, inferShapes, type Dim, type Graph } from '@condense/core';

/**
 * A working copy of the graph with shapes inferred (inputs pinned where the
 * caller asks). Export never edits the caller's graph, not even its value
 * types; the copy shares the tensors (zero-copy).
 */
export function prepareGraph(source: Graph, inputShapes: Record<string, Dim[]>): Graph {
  const graph = exportWorkingCopy(source);
  try {
    inferShapes(graph, { inputShapes });
  } catch {
    // Unknown ops leave their outputs untyped; check() names them.
  }
  return graph;
}
