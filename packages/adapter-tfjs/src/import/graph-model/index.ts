import { CondenseError, Tensor, elementCount, type Graph } from '@condense/core';
import type { GraphDef, GraphSignature, NodeDef, TensorDef } from '../../model-json.js';
import { TfBuilder, type TfTensor } from '../builder.js';
import { graphInput } from '../inputs.js';
import type { ImportOptions } from '../options.js';
import { decodeBase64 } from '../../base64.js';
import { checkShape, quoted } from '../check-json.js';
import { asModelError } from '../errors.js';
import { Attrs, dimsOf, tfDType } from './attrs.js';
import { GRAPH_OPS } from './ops.js';

/** "node", "node:1" and "^node" (a control dependency) as node name and output index. */
function parseRef(ref: string): { node: string; index: number; control: boolean } {
  const control = ref.startsWith('^');
  const body = control ? ref.slice(1) : ref;
  const colon = body.lastIndexOf(':');
  const index = colon > 0 ? Number(body.slice(colon + 1)) : NaN;
  return Number.isInteger(index) ? { node: body.slice(0, colon), index, control } : { node: body, index: 0, control };
}

/** Most elements a Const filled from listed values may have (64 MiB of float32). */
const MAX_FILLED = 2 ** 24;

/** Base64 text from the file as bytes; text that is not base64 is the file's error. */
function decodeBase64Checked(text: string, node: string): Uint8Array {
  try {
    return decodeBase64(text);
  } catch {
    throw new CondenseError('E_MODEL_INVALID', `Const ${quoted(node)} holds tensor content that is not base64.`, { context: { node } });
  }
}

/** Ops that compute nothing a graph output could be. */
const INERT = new Set(['Const', 'NoOp', 'Placeholder']);

/**
 * A tfjs GraphModel (a TensorFlow GraphDef as tfjs-converter writes it) as an
 * IR graph with tfjs's meaning: inputs and outputs keep tfjs's shapes (NHWC),
 * convolutions run NCHW inside, with one transpose at each boundary.
 */
export function importGraphDef(def: GraphDef, signature: GraphSignature | undefined, weights: Map<string, Tensor>, options: ImportOptions): Graph {
  const nodes = new Map(def.node.map((n) => [n.name, n]));
  const b = new TfBuilder();
  const produced = new Map<string, TfTensor>();
  const visiting = new Set<string>();

  const inputNames = signature?.inputs ? Object.values(signature.inputs).map((e) => parseRef(e.name).node) : def.node.filter((n) => n.op === 'Placeholder').map((n) => n.name);
  const outputNames = signature?.outputs ? Object.values(signature.outputs).map((e) => parseRef(e.name).node) : defaultOutputs(def);

  const tensorOf = (ref: string, consumer: string): TfTensor => {
    const { node, index } = parseRef(ref);
    const key = `${node}:${index}`;
    const known = produced.get(key);
    if (known) return known;
    convert(node, consumer);
    const t = produced.get(key);
    if (!t) throw new CondenseError('E_MODEL_INVALID', `Node ${quoted(consumer)} reads output ${index} of ${quoted(node)}, which has no such output.`, { context: { node: consumer } });
    return t;
  };

  // Depth-first from the outputs, with an explicit stack of pending nodes: deep graphs overflow recursion.
  const convert = (start: string, consumer: string) => {
    const stack = [start];
    while (stack.length) {
      const name = stack[stack.length - 1]!;
      if (produced.has(`${name}:0`)) {
        stack.pop();
        continue;
      }
      const node = nodes.get(name);
      if (!node) throw new CondenseError('E_MODEL_INVALID', `Node ${quoted(consumer)} reads ${quoted(name)}, which the graph does not define.`, { context: { node: consumer } });
      const pending = (node.input ?? []).map(parseRef).filter((r) => !r.control && !produced.has(`${r.node}:${r.index}`) && !produced.has(`${r.node}:0`));
      if (pending.length) {
        // Back at a node whose inputs were all visited, yet one is still not computed: it waits on this node.
        if (visiting.has(name)) throw new CondenseError('E_MODEL_INVALID', `The tfjs graph has a cycle: node ${quoted(name)} depends on its own output (through ${quoted(pending[0]!.node)}).`, { context: { node: name } });
        visiting.add(name);
        stack.push(...pending.map((r) => r.node));
        continue;
      }
      stack.pop();
      visiting.delete(name);
      produced.set(`${name}:0`, convertNode(b, node, weights, options, inputNames, (ref) => tensorOf(ref, name)));
    }
  };

  for (const name of inputNames) convert(name, name);
  for (const name of outputNames) b.output(tensorOf(name, name), name);
  return b.graph;
}

function defaultOutputs(def: GraphDef): string[] {
  const read = new Set(def.node.flatMap((n) => (n.input ?? []).map((r) => parseRef(r).node)));
  return def.node.filter((n) => !read.has(n.name) && !INERT.has(n.op)).map((n) => n.name);
}

function convertNode(b: TfBuilder, node: NodeDef, weights: Map<string, Tensor>, options: ImportOptions, inputs: string[], read: (ref: string) => TfTensor): TfTensor {
  const attrs = new Attrs(node);
  if (node.op === 'Placeholder' || node.op === 'PlaceholderWithDefault') {
    if (!inputs.includes(node.name)) throw new CondenseError('E_MODEL_INVALID', `Placeholder ${quoted(node.name)} is not a model input.`, { context: { node: node.name } });
    return graphInput(b, node.name, attrs.dtype('dtype'), dimsOf(attrs.shape('shape'), (i) => (i === 0 ? 'batch' : `${node.name}_${i}`)), options);
  }
  if (node.op === 'Const') return b.constant(node.name, weights.get(node.name) ?? inlineTensor(node));
  const convert = Object.hasOwn(GRAPH_OPS, node.op) ? GRAPH_OPS[node.op] : undefined;
  if (!convert) throw new CondenseError('E_UNSUPPORTED_OP', `The tfjs graph uses ${quoted(node.op)} (node ${quoted(node.name)}), which condense cannot import yet.`, { context: { node: node.name } });
  const data = (node.input ?? []).filter((r) => !r.startsWith('^')).map(read);
  return asModelError(node.name, () => convert({ b, name: node.name, op: node.op, inputs: data, attrs }));
}

/** A Const whose value is written in the node itself (small constants, hand-written graphs) rather than in the weights. */
function inlineTensor(node: NodeDef): Tensor {
  const def: TensorDef | undefined = node.attr?.['value']?.tensor;
  if (!def) throw new CondenseError('E_MODEL_INVALID', `Const ${quoted(node.name)} has neither a weight in the manifest nor a value.`, { context: { node: node.name } });
  const dtype = tfDType(def.dtype ?? 'DT_FLOAT', node.name);
  const shape = (def.tensorShape?.dim ?? []).map((d) => Number(d.size ?? 1));
  checkShape(shape, `Const ${quoted(node.name)}`);
  const count = elementCount(shape);
  if (def.tensorContent) {
    const bytes = decodeBase64Checked(def.tensorContent, node.name);
    const width = def.dtype === 'DT_INT64' ? 8 : dtype === 'bool' ? 1 : 4;
    // Sized by the bytes present, never by the declared shape alone.
    if (bytes.byteLength !== count * width) throw new CondenseError('E_MODEL_INVALID', `Const ${quoted(node.name)} declares ${count} elements of ${width} bytes but holds ${bytes.byteLength} bytes.`, { context: { node: node.name } });
    const raw = def.dtype === 'DT_INT64' ? Array.from(new BigInt64Array(bytes.buffer), Number) : dtype === 'float32' ? new Float32Array(bytes.buffer) : dtype === 'bool' ? bytes : new Int32Array(bytes.buffer);
    return Tensor.from(dtype, shape, raw);
  }
  // TensorFlow fills a shape from fewer listed values; the filled tensor is built here, so its size is bounded.
  if (count > MAX_FILLED) throw new CondenseError('E_MODEL_TOO_LARGE', `Const ${quoted(node.name)} declares ${count} elements filled from listed values; condense fills at most ${MAX_FILLED} (store large constants as weights).`, { context: { node: node.name } });
  const list = def.floatVal ?? def.intVal ?? def.int64Val ?? def.boolVal ?? [];
  if (!Array.isArray(list)) throw new CondenseError('E_MODEL_INVALID', `Const ${quoted(node.name)} lists its values in something other than a list.`, { context: { node: node.name } });
  const listed = list.map(Number);
  // TensorFlow repeats the last listed value to fill the shape.
  const values = Array.from({ length: count }, (_, i) => listed[Math.min(i, listed.length - 1)] ?? 0);
  return Tensor.from(dtype, shape, values);
}
