import { CondenseError, dtypeCode, type Attr, type Graph, type Model, type Node, type Tensor, type TensorType, type Value } from '@condense/core';
import {
  AttrKind,
  AttributeProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  StringStringEntryProtoSchema,
  TensorProtoSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  create,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type TypeProto,
  type ValueInfoProto,
} from '../proto.js';
import { EXT } from '../read/model.js';
import { UNNAMED_DIM } from '../read/types.js';

/** The name a value is written under: a capture takes its outer value's name. */
export function nameOf(v: Value): string {
  let x = v;
  while (x.outer) x = x.outer;
  return x.name;
}

/** The ModelProto without its graph; the graph is framed separately so weights are written by reference. */
export function modelHeaderProto(model: Model): ModelProto {
  const ext = (model.extensions[EXT] ?? {}) as Partial<Pick<ModelProto, 'functions' | 'trainingInfo' | 'configuration'>>;
  return create(ModelProtoSchema, {
    irVersion: BigInt(model.irVersion),
    opsetImport: Object.entries(model.graph.opset).map(([domain, version]) => create(OperatorSetIdProtoSchema, { domain, version: BigInt(version) })),
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    domain: model.domain,
    modelVersion: BigInt(model.modelVersion),
    docString: model.docString,
    metadataProps: model.metadata.map(([key, value]) => create(StringStringEntryProtoSchema, { key, value })),
    functions: ext.functions ?? [],
    trainingInfo: ext.trainingInfo ?? [],
    configuration: ext.configuration ?? [],
  });
}

/** A graph as a GraphProto; with initializers false, the top-level writer adds them itself. */
export function graphToProto(graph: Graph, opts: { initializers: boolean }): GraphProto {
  const ext = (graph.extensions[EXT] ?? {}) as Partial<Pick<GraphProto, 'sparseInitializer' | 'quantizationAnnotation' | 'metadataProps'>>;
  const io = new Set<Value>([...graph.inputs, ...graph.outputs]);
  const valueInfo: ValueInfoProto[] = [];
  for (const v of graph.values()) {
    if (!io.has(v) && !v.const && v.producer() && (v.type || (v.extensions[EXT] as { valueType?: unknown })?.valueType)) valueInfo.push(valueInfoOf(v));
  }
  return create(GraphProtoSchema, {
    name: graph.name,
    docString: graph.docString,
    node: [...graph].map(nodeToProto),
    initializer: opts.initializers ? graph.constants().map((v) => tensorToProto(v.const!, v, { withData: true })) : [],
    input: graph.inputs.map(valueInfoOf),
    output: graph.outputs.map(valueInfoOf),
    valueInfo,
    sparseInitializer: ext.sparseInitializer ?? [],
    quantizationAnnotation: ext.quantizationAnnotation ?? [],
    metadataProps: ext.metadataProps ?? [],
  });
}

function nodeToProto(node: Node): NodeProto {
  const ext = (node.extensions[EXT] ?? {}) as Partial<Pick<NodeProto, 'overload' | 'metadataProps' | 'deviceConfigurations'>>;
  return create(NodeProtoSchema, {
    name: node.name,
    opType: node.op,
    domain: node.domain,
    input: node.inputs.map((v) => (v ? nameOf(v) : '')),
    output: node.outputs.map((v) => (v ? v.name : '')),
    attribute: Object.entries(node.attrs).map(([name, a]) => attrToProto(name, a)),
    docString: node.docString,
    overload: ext.overload ?? '',
    metadataProps: ext.metadataProps ?? [],
    deviceConfigurations: ext.deviceConfigurations ?? [],
  });
}

function attrToProto(name: string, a: Attr): AttributeProto {
  if (a.type === 'opaque') return a.value as AttributeProto;
  const base = { name, docString: a.docString ?? '' };
  const tensor = (t: Tensor) => tensorToProto(t, undefined, { withData: true });
  const graph = (g: Graph) => graphToProto(g, { initializers: true });
  switch (a.type) {
    case 'float':
      // ONNX stores float32: a larger value (1e308 from a foreign format) rounds to infinity, as a float32 cast does.
      return create(AttributeProtoSchema, { ...base, type: AttrKind.FLOAT, f: Math.fround(a.value) });
    case 'int':
      return create(AttributeProtoSchema, { ...base, type: AttrKind.INT, i: a.value });
    case 'string':
      return create(AttributeProtoSchema, { ...base, type: AttrKind.STRING, s: a.value as Uint8Array<ArrayBuffer> });
    case 'tensor':
      return create(AttributeProtoSchema, { ...base, type: AttrKind.TENSOR, t: tensor(a.value) });
    case 'graph':
      return create(AttributeProtoSchema, { ...base, type: AttrKind.GRAPH, g: graph(a.value) });
    case 'floats':
      return create(AttributeProtoSchema, { ...base, type: AttrKind.FLOATS, floats: a.value.map(Math.fround) });
    case 'ints':
      return create(AttributeProtoSchema, { ...base, type: AttrKind.INTS, ints: a.value });
    case 'strings':
      return create(AttributeProtoSchema, { ...base, type: AttrKind.STRINGS, strings: a.value as Array<Uint8Array<ArrayBuffer>> });
    case 'tensors':
      return create(AttributeProtoSchema, { ...base, type: AttrKind.TENSORS, tensors: a.value.map(tensor) });
    case 'graphs':
      return create(AttributeProtoSchema, { ...base, type: AttrKind.GRAPHS, graphs: a.value.map(graph) });
  }
}

/**
 * A tensor as a TensorProto. With withData false the numeric bytes are left
 * out, for the caller to frame them (by reference, or in an external file).
 */
export function tensorToProto(t: Tensor, owner: Value | undefined, opts: { withData: boolean }): TensorProto {
  const ext = (owner?.extensions[EXT] ?? {}) as { tensorDoc?: string; tensorMetadata?: TensorProto['metadataProps'] };
  const proto = create(TensorProtoSchema, {
    name: owner ? owner.name : '',
    dims: t.shape.map((d) => BigInt(d)),
    dataType: dtypeCode(t.dtype),
    docString: ext.tensorDoc ?? '',
    metadataProps: ext.tensorMetadata ?? [],
  });
  if (t.dtype === 'string') proto.stringData = t.strings() as Array<Uint8Array<ArrayBuffer>>;
  else if (opts.withData) proto.rawData = t.bytes() as Uint8Array<ArrayBuffer>;
  return proto;
}

function valueInfoOf(v: Value): ValueInfoProto {
  const ext = (v.extensions[EXT] ?? {}) as { valueType?: TypeProto; valueMetadata?: ValueInfoProto['metadataProps'] };
  return create(ValueInfoProtoSchema, {
    name: nameOf(v),
    type: ext.valueType ?? (v.type ? typeProtoOf(v.type, v.name) : undefined),
    docString: v.docString,
    metadataProps: ext.valueMetadata ?? [],
  });
}

function typeProtoOf(type: TensorType, name: string): TypeProto {
  if (type.dtype === undefined) throw new CondenseError('E_INTERNAL', 'A value type has no element type.');
  // A shape inference or pass bug must not surface as a RangeError from BigInt.
  const bad = type.shape?.findIndex((d) => typeof d !== 'string' && !(Number.isSafeInteger(d) && d >= 0)) ?? -1;
  if (bad >= 0) throw new CondenseError('E_MODEL_INVALID', `Value "${name}" has no valid size for dimension ${bad} ([${type.shape!.join(', ')}]); it cannot be written.`, { context: { value: name } });
  const shape = type.shape && {
    dim: type.shape.map((d) =>
      typeof d === 'number'
        ? { value: { case: 'dimValue' as const, value: BigInt(d) } }
        : d.startsWith(UNNAMED_DIM)
          ? { value: { case: undefined } }
          : { value: { case: 'dimParam' as const, value: d } },
    ),
  };
  return create(TypeProtoSchema, { value: { case: 'tensorType', value: { elemType: dtypeCode(type.dtype), shape } } });
}
