import { CondenseError, Graph, createModel, validateGraph, type Attr, type Model, type Value } from '@condense/core';
import { ModelProtoSchema, fromBinary, type GraphProto, type ModelProto, type ValueInfoProto } from '../proto.js';
import { attrFromProto } from './attribute.js';
import { quoted } from './names.js';
import { orderNodes } from './order.js';
import { tensorFromProto, type TensorReadOptions } from './tensor.js';
import { tensorTypeFromProto } from './types.js';

/** Options of {@link decodeModel}. */
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
    proto = fromBinary(ModelProtoSchema, bytes, { readUnknownFields: false, recursionLimit: PROTOBUF_DEPTH });
  } catch (e) {
    const why = /recursion depth/.test((e as Error).message) ? `it nests messages more than ${PROTOBUF_DEPTH} deep (subgraphs inside subgraphs)` : `protobuf decoding failed: ${(e as Error).message}`;
    throw new CondenseError('E_ONNX_PARSE', `${file} is not a valid ONNX file (${why}). Check that it is an .onnx model and was not truncated.`, { cause: e, context: { file: opts.fileName } });
  }
  if (!proto.graph || proto.irVersion <= 0n) {
    throw new CondenseError('E_ONNX_PARSE', `${file} is not an ONNX model: it has no ${proto.graph ? 'IR version' : 'graph'}. Check that it is an .onnx file.`, { context: { file: opts.fileName } });
  }
  const graph = new Graph({ name: proto.graph.name, opset: opsetOf(proto, file) });
  const reader = new GraphReader(opts);
  try {
    reader.read(proto.graph, graph);
    const problems = validateGraph(graph).filter((d) => d.severity === 'error');
    if (problems.length) {
      const more = problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : '';
      throw new CondenseError('E_MODEL_INVALID', `the graph is not valid: ${problems[0]!.message}${more}`, { context: { node: problems[0]!.node, value: problems[0]!.value } });
    }
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
    irVersion: int64(proto.irVersion, 'IR version', file),
    producerName: proto.producerName,
    producerVersion: proto.producerVersion,
    domain: proto.domain,
    modelVersion: int64(proto.modelVersion, 'model version', file),
    docString: proto.docString,
    metadata: proto.metadataProps.map((p) => [p.key, p.value]),
    extensions,
  });
}

/**
 * protobuf-es's default, stated here because it bounds subgraph nesting: a
 * subgraph level is three messages (node, attribute, graph), so about 33 levels.
 * Every recursive walk of the IR (reading, validation, shape inference, writing)
 * is bounded by it.
 */
const PROTOBUF_DEPTH = 100;

/** Opset imports by domain; a version must be a usable number, or the writer and passes would fail later. */
function opsetOf(proto: ModelProto, file: string): Record<string, number> {
  const opset: Record<string, number> = Object.create(null);
  for (const o of proto.opsetImport) {
    const domain = o.domain === 'ai.onnx' ? '' : o.domain;
    const version = Number(o.version);
    if (!Number.isSafeInteger(version) || version < 0) {
      throw new CondenseError('E_ONNX_PARSE', `${file} imports opset ${o.version} of domain ${quoted(domain || 'ai.onnx')}, which is not a valid version.`);
    }
    opset[domain] = version;
  }
  return { ...opset };
}

/** An int64 header field as a number; values past 2^53 would not survive a save. */
function int64(value: bigint, what: string, file: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new CondenseError('E_ONNX_PARSE', `${file} has ${what} ${value}, which is out of range.`);
  return n;
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
      if (v.const) throw new CondenseError('E_MODEL_INVALID', `Initializer ${quoted(t.name)} is defined twice.`, { context: { value: t.name } });
      const declared = v.type;
      v.const = tensorFromProto(t, this.#opts);
      if (declared?.shape && graph.inputs.includes(v)) v.type = declared;
      if (t.docString || t.metadataProps.length) v.extensions[EXT] = { tensorDoc: t.docString, tensorMetadata: t.metadataProps };
    }
    // Declare every node output first: files are not always in topological order.
    for (const np of gp.node) for (const name of np.output) if (name) graph.declare(name);
    for (const np of gp.node) {
      const inputs = np.input.map((name) => (name ? this.#lookup(graph, name, `Node ${quoted(np.name || np.opType)}`) : null));
      const attrs: Record<string, Attr> = Object.create(null); // "__proto__" is a valid attribute name
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
      const v = this.#lookup(graph, vi.name, 'The graph outputs');
      this.#describe(v, vi);
      return v;
    });
    // Files are not always in topological order; the IR is (every pass relies on it).
    orderNodes(graph);
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
      throw new CondenseError('E_MODEL_INVALID', `${user} reads ${quoted(name)}, which no node, input or initializer defines.`, { context: { value: name } });
    }
    return v;
  }

  /** Applies a ValueInfoProto: its type, doc string, and anything the IR cannot say kept aside. */
  #describe(v: Value, vi: ValueInfoProto): void {
    const type = tensorTypeFromProto(vi.type, `Value ${quoted(vi.name)}`, this.#dims);
    if (type && !(v.const && type.shape === undefined)) v.type = type;
    if (vi.docString) v.docString = vi.docString;
    if ((vi.type && !type) || vi.metadataProps.length) {
      v.extensions[EXT] = { ...(v.extensions[EXT] as object), valueType: type ? undefined : vi.type, valueMetadata: vi.metadataProps };
    }
  }
}
