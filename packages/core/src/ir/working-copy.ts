import type { Attr } from './attr.js';
import { Graph } from './graph.js';
import type { TensorType, Value } from './value.js';

/**
 * A working copy of a graph for an exporter to annotate (infer shapes, pin
 * inputs) without touching the caller's graph, not even its value types. The
 * copy shares the tensors (zero-copy) and costs one pass over the nodes.
 * Subgraph attributes are left out: exporters cannot write them and refuse
 * the ops that hold them by name.
 */
export function exportWorkingCopy(source: Graph): Graph {
  const graph = new Graph({ name: source.name, opset: { ...source.opset } });
  const copies = new Map<Value, Value>();
  const copyOf = (v: Value): Value => {
    let c = copies.get(v);
    // A use before its producer (graphs are sorted, but be safe): declare now, produce later.
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
