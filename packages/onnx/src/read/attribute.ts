import { CondenseError, type Attr, type Graph } from '@condense/core';
import { AttrKind, type AttributeProto, type GraphProto } from '../proto.js';
import { quoted } from './names.js';
import { tensorFromProto, type TensorReadOptions } from './tensor.js';

export type SubgraphReader = (g: GraphProto) => Graph;

/** An AttributeProto as an Attr; kinds the IR does not model stay as their proto (opaque). */
export function attrFromProto(a: AttributeProto, readGraph: SubgraphReader, opts: TensorReadOptions): Attr {
  const withDoc = (x: Attr): Attr => (a.docString ? { ...x, docString: a.docString } : x);
  if (a.refAttrName) return { type: 'opaque', value: a };
  switch (kindOf(a)) {
    case AttrKind.FLOAT:
      return withDoc({ type: 'float', value: a.f });
    case AttrKind.INT:
      return withDoc({ type: 'int', value: a.i });
    case AttrKind.STRING:
      return withDoc({ type: 'string', value: a.s });
    case AttrKind.TENSOR:
      return withDoc({ type: 'tensor', value: tensorFromProto(required(a.t, a), opts) });
    case AttrKind.GRAPH:
      return withDoc({ type: 'graph', value: readGraph(required(a.g, a)) });
    case AttrKind.FLOATS:
      return withDoc({ type: 'floats', value: a.floats });
    case AttrKind.INTS:
      return withDoc({ type: 'ints', value: a.ints });
    case AttrKind.STRINGS:
      return withDoc({ type: 'strings', value: a.strings });
    case AttrKind.TENSORS:
      return withDoc({ type: 'tensors', value: a.tensors.map((t) => tensorFromProto(t, opts)) });
    case AttrKind.GRAPHS:
      return withDoc({ type: 'graphs', value: a.graphs.map(readGraph) });
    default:
      return { type: 'opaque', value: a };
  }
}

function required<T>(v: T | undefined, a: AttributeProto): T {
  if (v === undefined) throw new CondenseError('E_ONNX_PARSE', `Attribute ${quoted(a.name)} declares a value it does not hold.`);
  return v;
}

/** Files from IR version 3 may omit the attribute type; it is then read from the field that holds a value. */
function kindOf(a: AttributeProto): AttrKind {
  if (a.type !== AttrKind.UNDEFINED) return a.type;
  if (a.floats.length) return AttrKind.FLOATS;
  if (a.ints.length) return AttrKind.INTS;
  if (a.strings.length) return AttrKind.STRINGS;
  if (a.tensors.length) return AttrKind.TENSORS;
  if (a.graphs.length) return AttrKind.GRAPHS;
  if (a.t) return AttrKind.TENSOR;
  if (a.g) return AttrKind.GRAPH;
  if (a.s.length) return AttrKind.STRING;
  if (a.f !== 0) return AttrKind.FLOAT;
  return AttrKind.INT;
}
