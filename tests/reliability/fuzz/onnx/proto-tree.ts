/** Finding parts of an ONNX ModelProto tree to mutate: graphs (subgraphs included), nodes, tensors, typed values. */
import type { AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, ValueInfoProto } from '@condense/onnx/proto';

/** The main graph, then every subgraph held by a node attribute. */
export function graphsOf(m: ModelProto): GraphProto[] {
  const out: GraphProto[] = [];
  const pending = m.graph ? [m.graph] : [];
  while (pending.length) {
    const g = pending.pop()!;
    out.push(g);
    for (const n of g.node) for (const a of n.attribute) pending.push(...subgraphsOf(a));
  }
  return out;
}

function subgraphsOf(a: AttributeProto): GraphProto[] {
  return a.g ? [a.g, ...a.graphs] : a.graphs;
}

export function nodesOf(m: ModelProto): Array<{ graph: GraphProto; node: NodeProto }> {
  return graphsOf(m).flatMap((graph) => graph.node.map((node) => ({ graph, node })));
}

/** Initializers and tensors held by attributes (PaddleOCR keeps its weights in Constant nodes). */
export function tensorsOf(m: ModelProto): TensorProto[] {
  return graphsOf(m).flatMap((g) => [...g.initializer, ...g.node.flatMap((n) => n.attribute.flatMap((a) => (a.t ? [a.t, ...a.tensors] : a.tensors)))]);
}

export function valueInfosOf(m: ModelProto): ValueInfoProto[] {
  return graphsOf(m).flatMap((g) => [...g.input, ...g.output, ...g.valueInfo]);
}

/** Names a graph defines or reads: what duplicate and dangling names are made from. */
export function valueNamesOf(g: GraphProto): string[] {
  const names = new Set<string>();
  for (const v of g.input) names.add(v.name);
  for (const t of g.initializer) names.add(t.name);
  for (const n of g.node) for (const name of [...n.input, ...n.output]) if (name) names.add(name);
  return [...names];
}
