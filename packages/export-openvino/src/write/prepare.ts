import { Graph, inferShapes, type Attr, type Dim, type TensorType, type Value } from '@condense/core';

/**
 * A working copy of the graph with shapes inferred (inputs pinned where the
 * caller asks). Export never edits the caller's graph, not even its value
 * types; the copy shares the tensors (zero-copy).
 */
export function prepareGraph(source: Graph, inputShapes: Record<string, Dim[]>): Graph {
  const graph = copyGraph(source);
  try {
    inferShapes(graph, { inputShapes });
  } catch {
    // Unknown ops leave their outputs untyped; check() names them.
  }
  return graph;
}

function copyGraph(source: Graph): Graph {
  const graph = new Graph({ name: source.name, opset: { ...source.opset } });
  const copies = new Map<Value, Value>();
  const copyOf = (v: Value): Value => {
    let c = copies.get(v);
    if (!c) copies.set(v, (c = graph.declare(v.name, copyType(v.type))));
    return c;
  };
  for (const v of source.inputs) {
    const c = graph.input(v.name, copyType(v.type));
    // An initializer that is also an input is only a default; it stays an input.
    if (v.const) c.const = v.const;
    copies.set(v, c);
  }
  for (const v of source.constants()) if (!copies.has(v)) copies.set(v, graph.constant(v.name, v.const!));
  for (const node of source) {
    const attrs: Record<string, Attr> = {};
    // Subgraphs are left out: nothing holding one exports, and check() says so.
    for (const [k, a] of Object.entries(node.attrs)) if (a.type !== 'graph' && a.type !== 'graphs') attrs[k] = a;
    const outputs = node.outputs.map((o) => (o ? copyOf(o) : null));
    const copy = graph.add(node.op, node.inputs.map((v) => (v ? copyOf(v) : null)), attrs, { name: node.name, keepName: true, domain: node.domain, outputs });
    copy.outputs.forEach((o, i) => {
      if (o) o.type = copyType(node.outputs[i]!.type);
    });
  }
  graph.outputs = source.outputs.map(copyOf);
  return graph;
}

function copyType(type: TensorType | undefined): TensorType | undefined {
  return type && { dtype: type.dtype, shape: type.shape && [...type.shape] };
}
