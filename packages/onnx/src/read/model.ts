import { CondenseError, Graph, createModel, type Attr, type Model, type Value } from '@condense/core';
import { ModelProtoSchema, fromBinary, type GraphProto, type ModelProto, type ValueInfoProto } from '../proto.js';
import { attrFromProto } from './attribute.js';
import { tensorFromProto, type TensorReadOptions } from './tensor.js';
import { tensorTypeFromProto } from './types.js';

export interface DecodeOptions extends TensorReadOptions {
  /** Named in error messages. */
  fileName?: string;
}

/** Keys under which the reader keeps ONNX data the IR does not model. */
export const EXT = 'onnx';

/** Parses ONNX model bytes. Tensor data stays a view into `bytes`: keep them alive and unchanged while the model lives. */
export function decodeModel(bytes: Uint8Array, opts: DecodeOptions = {}): Model {
  const file = opts.fileName ?? 'the model';
  let proto: ModelProto;
  try {
    proto = fromBinary(ModelProtoSchema, bytes, { readUnknownFields: false });
  } catch (e) {
    throw new CondenseError('E_ONNX_PARSE', `${file} is not a valid ONNX file (protobuf decoding failed: ${(e as Error).message}). Check that it is an .onnx model and was not truncated.`, { cause: e, context: { file: opts.fileName } });
  }
  if (!proto.graph || proto.irVersion <= 0n) {
    throw new CondenseError('E_ONNX_PARSE', `${file} is not an ONNX model: it has no ${proto.graph ? 'IR version' : 'graph'}. Check that it is an .onnx file.`, { context: { file: opts.fileName } });
  }
  const opset: Record<string, number> = {};
  for (const o of proto.opsetImport) opset[o.domain === 'ai.onnx' ? '' : o.domain] = Number(o.version);
  const reader = new GraphReader(opts);
  const graph = new Graph({ name: proto.graph.name, opset });
  try {
    reader.read(proto.graph, graph);
  } catch (e) {
    if (e instanceof CondenseError) {
      throw new CondenseError(e.code, `${file}: ${e.message}`, { cause: e, context: { ...e.context, file: opts.fileName } });
    }
    throw e;
  }
  const extensions: Record<string, unknown> = {};
  if (proto.functions.length || proto.trainingInfo.length || proto.configuration.length) {
    extensions[EXT] = { functions: proto.functions, trainingInfo: proto.trainingInfo, configuration: proto.configuration };
  }
  return createModel(graph, {
    irVersion: Number(proto.irVersion),
    producerName: proto.producerName,
    producerVersion: proto.producerVersion,
    domain: proto.domain,
    modelVersion: Number(proto.modelVersion),
    docString: proto.docString,
    metadata: proto.metadataProps.map((p) => [p.key, p.value]),
    extensions,
  });
}

class GraphReader {
  readonly #opts: TensorReadOptions;
  /** Numbers unnamed dimensions across the whole model so each is its own symbol. */
  readonly #dims = { n: 0 };

  constructor(opts: TensorReadOptions) {
    this.#opts = opts;
  }

  read(gp: GraphProto, graph: Graph): void {
    graph.docString = gp.docString;
    for (const vi of gp.input) this.#describe(graph.input(vi.name), vi);
    for (const t of gp.initializer) {
      const v = graph.value(t.name) ?? graph.declare(t.name);
      if (v.const) throw new CondenseError('E_MODEL_INVALID', `Initializer "${t.name}" is defined twice.`, { context: { value: t.name } });
      const declared = v.type;
      v.const = tensorFromProto(t, this.#opts);
      if (declared?.shape && graph.inputs.includes(v)) v.type = declared;
      if (t.docString || t.metadataProps.length) v.extensions[EXT] = { tensorDoc: t.docString, tensorMetadata: t.metadataProps };
    }
    // Declare every node output first: files are not always in topological order.
    for (const np of gp.node) for (const name of np.output) if (name) graph.declare(name);
    for (const np of gp.node) {
      const inputs = np.input.map((name) => (name ? this.#lookup(graph, name, np.name || np.opType) : null));
      const attrs: Record<string, Attr> = {};
      for (const a of np.attribute) attrs[a.name] = attrFromProto(a, (g) => this.#subgraph(g, graph), this.#opts);
      const outputs = np.output.map((name) => (name ? graph.value(name)! : null));
      const node = graph.add(np.opType, inputs, attrs, { name: np.name, domain: np.domain === 'ai.onnx' ? '' : np.domain, outputs, keepName: true });
      node.docString = np.docString;
      if (np.overload || np.metadataProps.length || np.deviceConfigurations.length) {
        node.extensions[EXT] = { overload: np.overload, metadataProps: np.metadataProps, deviceConfigurations: np.deviceConfigurations };
      }
    }
    for (const vi of gp.valueInfo) {
      const v = graph.value(vi.name);
      if (v && !v.type) this.#describe(v, vi);
    }
    graph.outputs = gp.output.map((vi) => {
      const v = this.#lookup(graph, vi.name, 'the graph outputs');
      this.#describe(v, vi);
      return v;
    });
    if (gp.sparseInitializer.length || gp.quantizationAnnotation.length || gp.metadataProps.length) {
      graph.extensions[EXT] = { sparseInitializer: gp.sparseInitializer, quantizationAnnotation: gp.quantizationAnnotation, metadataProps: gp.metadataProps };
      for (const s of gp.sparseInitializer) {
        const name = s.values?.name;
        if (name && !graph.value(name)) graph.declare(name);
      }
    }
  }

  #subgraph(gp: GraphProto, parent: Graph): Graph {
    const g = new Graph({ name: gp.name, parent, opset: parent.opset });
    this.read(gp, g);
    return g;
  }

  #lookup(graph: Graph, name: string, user: string): Value {
    const v = graph.resolve(name);
    if (!v) {
      throw new CondenseError('E_MODEL_INVALID', `"${user}" reads "${name}", which no node, input or initializer defines.`, { context: { value: name } });
    }
    return v;
  }

  /** Applies a ValueInfoProto: its type, doc string, and anything the IR cannot say kept aside. */
  #describe(v: Value, vi: ValueInfoProto): void {
    const type = tensorTypeFromProto(vi.type, `Value "${vi.name}"`, this.#dims);
    if (type && !(v.const && type.shape === undefined)) v.type = type;
    if (vi.docString) v.docString = vi.docString;
    if ((vi.type && !type) || vi.metadataProps.length) {
      v.extensions[EXT] = { ...(v.extensions[EXT] as object), valueType: type ? undefined : vi.type, valueMetadata: vi.metadataProps };
    }
  }
}
