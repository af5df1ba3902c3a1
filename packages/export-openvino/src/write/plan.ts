import type { Graph, Node, Value } from '@condense/core';
import { ruleOf } from './rules/index.js';
import type { StaticResolver } from './statics.js';

/**
 * The nodes to lower, in graph order: those a graph output needs through the
 * inputs their rules read. Nodes whose outputs are static (weights decoded at
 * load, integer index math) are not lowered: their values are written as
 * constants where they are read.
 */
export function liveNodes(graph: Graph, statics: StaticResolver): Node[] {
  const live = new Set<Node>();
  const pending: Value[] = [...graph.outputs];
  while (pending.length) {
    const v = pending.pop()!;
    const node = v.producer();
    if (!node || live.has(node) || statics.resolve(v)) continue;
    live.add(node);
    const rule = ruleOf(node.op, node.domain);
    const reads = rule?.reads?.(node) ?? node.inputs.map((_, i) => i);
    for (const i of reads) {
      const input = node.inputs[i];
      if (input) pending.push(input);
    }
  }
  return [...graph].filter((n) => live.has(n));
}
