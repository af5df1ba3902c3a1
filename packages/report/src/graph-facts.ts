import { constantOf, costModel, inferShapes, type CostModel, type Graph, type Node, type Value } from '@condense/core';

/** Ops that multiply activations by weights, with the input index of their weight. */
const WEIGHT_INPUT: Record<string, number> = { Conv: 1, ConvTranspose: 1, Gemm: 1, MatMul: 1, ConvInteger: 1, MatMulInteger: 1, QLinearConv: 3, QLinearMatMul: 3 };

export const isWeightedOp = (node: Node): boolean => node.domain === '' && node.op in WEIGHT_INPUT;

/** What the report reads off one graph before running anything. */
export interface GraphFacts {
  graph: Graph;
  cost: CostModel;
  /** Weight decoders runtimes fold when they load the model (core's cost model marks them). */
  loadTime: Set<Node>;
  /** The weighted layers: weighted ops whose weight is constant or decoded from constants at load. */
  layers: Node[];
  /** MACs per sample, or undefined where a weighted layer's shapes are unknown. */
  macs: number | undefined;
}

export function graphFacts(graph: Graph): GraphFacts {
  try {
    // Types give the decoded weights their element counts and the layers their MACs; where inference fails those figures stay unknown.
    inferShapes(graph);
  } catch {
    /* figures that need shapes are left out */
  }
  const cost = costModel(graph);
  const nodes = [...graph];
  const loadTime = new Set(nodes.filter((_, i) => cost.layers[i]?.loadTime));
  const layers = nodes.filter((n) => isWeightedOp(n) && !loadTime.has(n) && isFixed(n.inputs[WEIGHT_INPUT[n.op]!], loadTime));
  const isLayer = new Set(layers);
  const weighted = cost.layers.filter((_, i) => isLayer.has(nodes[i]!));
  const macs = weighted.some((l) => l.macs === undefined) ? undefined : cost.total.macs;
  return { graph, cost, loadTime, layers, macs };
}

/** A value that holds the same tensor on every run: a constant, or the output of a load-time decoder. */
export function isFixed(v: Value | null | undefined, loadTime: Set<Node>): boolean {
  if (!v) return false;
  if (constantOf(v)) return true;
  const p = v.producer();
  return !!p && loadTime.has(p);
}

/** The stored constants a value is decoded from (itself when it is one), through load-time decoders. */
export function storedConstants(v: Value, loadTime: Set<Node>, into = new Set<Value>()): Set<Value> {
  if (constantOf(v)) return into.add(v);
  const p = v.producer();
  if (p && loadTime.has(p)) for (const input of p.inputs) if (input && !into.has(input)) storedConstants(input, loadTime, into);
  return into;
}

/** Elements of a fixed input as the layer reads it (decoded), from its constant or its inferred shape. */
export function decodedElements(v: Value, loadTime: Set<Node>): number {
  const c = constantOf(v);
  if (c) return c.size;
  const shape = v.type?.shape;
  if (shape && shape.every((d): d is number => typeof d === 'number')) return shape.reduce((a, b) => a * b, 1);
  // Without a shape, the stored elements are the best count there is.
  return [...storedConstants(v, loadTime)].reduce((n, s) => n + constantOf(s)!.size, 0);
}
