import { CondenseError, type Graph, type Node } from '@condense/core';
import { quoted } from './names.js';

/** Sorts a graph's nodes topologically, or refuses a graph with a cycle, naming nodes on it. */
export function orderNodes(graph: Graph): void {
  if (graph.sortTopologically()) return;
  const cycle = findCycle(graph);
  const shown = cycle.slice(0, 4).map((n) => `${quoted(n.name)} (${n.op})`).join(' -> ');
  throw new CondenseError(
    'E_MODEL_INVALID',
    `Graph ${quoted(graph.name)} has a cycle: ${shown}${cycle.length > 4 ? ` -> ... (${cycle.length} nodes)` : ''} -> back to the first. ONNX graphs must be acyclic; check how the file was produced.`,
    { context: { node: cycle[0]?.name } },
  );
}

/** Nodes whose inputs come, directly or through captures, from nodes of the same graph. */
function predecessors(node: Node): Node[] {
  const out: Node[] = [];
  for (const v of [...node.inputs, ...node.capturedValues()]) {
    const p = v?.producer();
    if (p && p.graph === node.graph) out.push(p);
  }
  return out;
}

/**
 * One cycle, in dependency order. Peeling nodes with no remaining predecessor
 * (Kahn) leaves the nodes on cycles and those after them; walking predecessors
 * from any of them must then revisit a node.
 */
function findCycle(graph: Graph): Node[] {
  const waiting = new Map<Node, number>();
  const users = new Map<Node, Node[]>();
  for (const n of graph) {
    const preds = predecessors(n);
    waiting.set(n, preds.length);
    for (const p of preds) users.set(p, [...(users.get(p) ?? []), n]);
  }
  const ready = [...waiting].filter(([, k]) => k === 0).map(([n]) => n);
  while (ready.length) {
    const n = ready.pop()!;
    waiting.delete(n);
    for (const u of users.get(n) ?? []) {
      const k = waiting.get(u)! - 1;
      waiting.set(u, k);
      if (k === 0) ready.push(u);
    }
  }
  const path: Node[] = [];
  const seenAt = new Map<Node, number>();
  let n = waiting.keys().next().value;
  while (n && !seenAt.has(n)) {
    seenAt.set(n, path.length);
    path.push(n);
    n = predecessors(n).find((p) => waiting.has(p));
  }
  return n ? path.slice(seenAt.get(n)).reverse() : path;
}
