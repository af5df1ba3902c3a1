import { constantOf, type Node, type Value } from '@condense/core';
import { decodedElements, isFixed, isWeightedOp, storedConstants, type GraphFacts } from './graph-facts.js';

/**
 * The compressed model's nodes that compute each original layer. Passes keep a
 * layer's node name, or derive new names from it (`<name>_quantized`,
 * `<name>_low_rank`, `<name>_pointwise_0`, ...); the longest original name
 * that prefixes a node claims it, so `conv1` never takes `conv1_2`'s nodes.
 */
export function matchLayers(names: string[], after: GraphFacts): Map<string, Node[]> {
  const groups = new Map(names.map((n): [string, Node[]] => [n, []]));
  const longestFirst = [...names].sort((a, b) => b.length - a.length);
  for (const node of after.graph) {
    if (!isWeightedOp(node) || after.loadTime.has(node)) continue;
    const owner = groups.has(node.name) ? node.name : longestFirst.find((n) => node.name.startsWith(`${n}_`));
    if (owner !== undefined) groups.get(owner)!.push(node);
  }
  return groups;
}

/** Elements of the weights (and biases, scales) a group of nodes computes with, decoded. */
export function groupParameters(nodes: Node[], facts: GraphFacts): number {
  let n = 0;
  for (const node of nodes) for (const v of new Set(node.inputs)) if (v && isFixed(v, facts.loadTime)) n += decodedElements(v, facts.loadTime);
  return n;
}

/**
 * Stored bytes each group reads: the constants behind its fixed inputs,
 * through the decoders, with a constant read by several groups split evenly
 * among them (a shared codebook or filter table).
 */
export function groupBytes(groups: Node[][], facts: GraphFacts): number[] {
  const stored = groups.map((nodes) => {
    const set = new Set<Value>();
    for (const node of nodes) for (const v of node.inputs) if (v && isFixed(v, facts.loadTime)) storedConstants(v, facts.loadTime, set);
    return set;
  });
  const readers = new Map<Value, number>();
  for (const set of stored) for (const v of set) readers.set(v, (readers.get(v) ?? 0) + 1);
  return stored.map((set) => [...set].reduce((bytes, v) => bytes + constantOf(v)!.byteLength / readers.get(v)!, 0));
}
