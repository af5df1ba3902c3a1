import type { Graph } from './ir/graph.js';
import type { Model } from './ir/model.js';
import type { Dim } from './ir/value.js';
import type { DType } from './tensor/dtype.js';
import type { Tensor } from './tensor/tensor.js';

/** One weight tensor, as the summary lists it. */
export interface TensorSummary {
  /** The initializer's (or Constant node's output's) name. */
  name: string;
  /** Its element type. */
  dtype: DType;
  /** Its dimensions. */
  shape: number[];
  /** How many elements it holds. */
  elements: number;
  /** How many bytes they take in the file's raw layout. */
  bytes: number;
}

/** A model in numbers: what `condense inspect` prints and `--json` returns. */
export interface ModelSummary {
  /** The ONNX IR version. */
  irVersion: number;
  /** Producer name and version, joined by a space. */
  producer: string;
  /** Opset imports by domain ('' is ai.onnx). */
  opsets: Record<string, number>;
  /** Nodes in every graph, subgraphs included. */
  nodes: number;
  /** Op name (domain-qualified outside ai.onnx) to count, most frequent first. */
  ops: Record<string, number>;
  /** Elements in all weights: initializers and Constant nodes. */
  parameters: number;
  /** Bytes those weights take. */
  parameterBytes: number;
  /** Weight tensors, elements and bytes per element type. */
  byDType: Record<string, { tensors: number; parameters: number; bytes: number }>;
  /** The largest weights, largest first (`largest` of them, default 10). */
  largestTensors: TensorSummary[];
  /** The graph inputs callers feed (initializers listed as inputs left out), with type and shape when known. */
  inputs: Array<{ name: string; dtype?: DType; shape?: Dim[] }>;
  /** The graph outputs, with type and shape when known. */
  outputs: Array<{ name: string; dtype?: DType; shape?: Dim[] }>;
}

/** What `condense inspect` shows: the model's shape and weight in numbers. */
export function summarizeModel(model: Model, opts: { largest?: number } = {}): ModelSummary {
  const ops = new Map<string, number>();
  const weights: TensorSummary[] = [];
  let nodes = 0;
  const visit = (g: Graph) => {
    for (const v of g.constants()) weights.push(describe(v.name, v.const!));
    for (const node of g) {
      nodes++;
      const op = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.${node.op}` : node.op;
      ops.set(op, (ops.get(op) ?? 0) + 1);
      const value = node.attrs['value'];
      if (node.op === 'Constant' && value?.type === 'tensor') weights.push(describe(node.output.name, value.value));
      node.subgraphs().forEach(visit);
    }
  };
  visit(model.graph);
  const byDType: ModelSummary['byDType'] = {};
  for (const w of weights) {
    const d = (byDType[w.dtype] ??= { tensors: 0, parameters: 0, bytes: 0 });
    d.tensors++;
    d.parameters += w.elements;
    d.bytes += w.bytes;
  }
  const io = (v: { name: string; type?: { dtype: DType; shape?: Dim[] } }) => ({ name: v.name, dtype: v.type?.dtype, shape: v.type?.shape });
  return {
    irVersion: model.irVersion,
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    opsets: { ...model.graph.opset },
    nodes,
    ops: Object.fromEntries([...ops].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))),
    parameters: weights.reduce((n, w) => n + w.elements, 0),
    parameterBytes: weights.reduce((n, w) => n + w.bytes, 0),
    byDType,
    largestTensors: [...weights].sort((a, b) => b.bytes - a.bytes).slice(0, opts.largest ?? 10),
    inputs: model.graph.inputs.filter((v) => !v.const).map(io),
    outputs: model.graph.outputs.map(io),
  };
}

function describe(name: string, t: Tensor): TensorSummary {
  return { name, dtype: t.dtype, shape: [...t.shape], elements: t.size, bytes: t.byteLength };
}
