import { CondenseError, createModel, getInts, inferShapes, type Graph, type Model, type Node, type Value } from '@condense/core';
import { decodeModel, encodeModelBytes } from '@condense/onnx';
import { NCHW_AS_NHWC, NHWC_AS_NCHW, identity, permute, samePerm, type Perm } from '../layout.js';
import type { GraphSignature, SignatureEntry, TfjsModelJson } from '../model-json.js';
import { ExportContext } from './context.js';
import { GraphDefWriter, TF_DTYPE, tensorShape } from './graph-def.js';
import { WEIGHT_PRECISIONS, type ExportTfjsOptions } from './options.js';
import { TFJS_DTYPE } from '../dtypes.js';
import { RULES } from './rules/index.js';
import { WeightEmitter, type StoredWeightInfo } from './weights.js';

/** One thing the export cannot express: the op, the node, and why. */
export interface TfjsProblem {
  /** The error code exportTfjs would throw with. */
  code: 'E_UNSUPPORTED_OP' | 'E_UNSUPPORTED_DTYPE' | 'E_SHAPE_INFERENCE';
  /** The ONNX op, or '' for a graph input or output. */
  op: string;
  /** The node's name, or the value's name for a graph input or output. */
  node: string;
  /** Why it cannot be exported, without the op and node. */
  reason: string;
  /** The op, the node and the reason in one sentence. */
  message: string;
}

/** A tfjs GraphModel in memory: what {@link buildTfjsModel} returns. */
export interface TfjsGraphModel {
  /** The model.json contents: the GraphDef, the signature and the weights manifest. */
  modelJson: TfjsModelJson;
  /** The one weights shard model.json names. */
  weights: Uint8Array;
  /** How each weight was stored (encoding, exactness, bytes). */
  stored: StoredWeightInfo[];
}

/** Options of {@link buildTfjsModel}: the export options, plus which values become outputs. */
export interface BuildOptions extends ExportTfjsOptions {
  /** Values to make model outputs, by name (default: the graph's outputs); intermediate values may be listed. */
  outputs?: string[];
}

/**
 * A working copy with every shape inferred: export never edits the caller's
 * graph (not even value types). The copy goes through ONNX bytes, which keeps
 * every attribute and shares nothing with the original.
 */
function prepare(source: Graph | Model, options: ExportTfjsOptions): Graph {
  const graph = 'graph' in source ? source.graph : source;
  return prepareOwned(decodeModel(encodeModelBytes(createModel(graph))).graph, options);
}

function prepareOwned(graph: Graph, options: ExportTfjsOptions): Graph {
  inferShapes(graph, { inputShapes: options.inputShapes ?? {} });
  graph.sortTopologically();
  return graph;
}

function problem(code: TfjsProblem['code'], op: string, node: string, reason: string): TfjsProblem {
  return { code, op, node, reason, message: `${op ? `${op} "${node}"` : `"${node}"`}: ${reason}.` };
}

function checkOptions(options: ExportTfjsOptions): void {
  if (options.weights !== undefined && !WEIGHT_PRECISIONS.includes(options.weights)) {
    throw new CondenseError('E_BAD_OPTION', `Option "weights" must be one of ${WEIGHT_PRECISIONS.join(', ')}; got ${JSON.stringify(options.weights)}.`);
  }
  if (options.layout !== undefined && options.layout !== 'nhwc' && options.layout !== 'nchw') throw new CondenseError('E_BAD_OPTION', `Option "layout" must be "nhwc" or "nchw"; got ${JSON.stringify(options.layout)}.`);
  // model.json names the shard relative to itself; a name that leaves its folder would not load (and is how a hostile path escapes).
  const file = options.weightsFile;
  if (file !== undefined && (!/^[\w.-]+$/.test(file) || file === '.' || file === '..' || file === 'model.json')) {
    throw new CondenseError('E_BAD_OPTION', `Option "weightsFile" must be a plain file name (letters, digits, ".", "-", "_") other than model.json; got ${JSON.stringify(file)}.`);
  }
}

function analyze(graph: Graph, ctx: ExportContext): TfjsProblem[] {
  const problems: TfjsProblem[] = [];
  for (const v of [...graph.inputs.filter((i) => !i.const), ...graph.outputs]) {
    const dtype = v.type?.dtype;
    if (!dtype || !TFJS_DTYPE[dtype]) problems.push(problem('E_UNSUPPORTED_DTYPE', '', v.name, `graph ${graph.inputs.includes(v) ? 'input' : 'output'} is ${dtype ?? 'of unknown type'}; tfjs tensors are float32, int32 or bool`));
  }
  for (const node of graph) {
    if (node.outputs.every((o) => !o || ctx.isConstant(o))) continue;
    const rule = node.domain === '' || node.domain === 'ai.onnx' ? RULES[node.op] : undefined;
    if (!rule) {
      problems.push(problem('E_UNSUPPORTED_OP', node.op, node.name, node.domain && node.domain !== 'ai.onnx' ? `ops of domain "${node.domain}" have no tfjs op` : 'no tfjs op for this ONNX op'));
      continue;
    }
    const ranks = [...node.inputs, ...node.outputs].filter((v): v is Value => !!v && !ctx.isConstant(v));
    const unknown = ranks.find((v) => v.type?.shape === undefined);
    if (unknown) {
      problems.push(problem('E_SHAPE_INFERENCE', node.op, node.name, `"${unknown.name}" has no known shape (pin the inputs with the inputShapes option)`));
      continue;
    }
    const bad = ranks.find((v) => v.type && !TFJS_DTYPE[v.type.dtype]);
    if (bad) {
      problems.push(problem('E_UNSUPPORTED_DTYPE', node.op, node.name, `"${bad.name}" is ${bad.type!.dtype}; tfjs computes in float32, int32 and bool (convert float16 activations back, or export the float model)`));
      continue;
    }
    const why = rule.check?.(node, ctx);
    if (why) problems.push(problem('E_UNSUPPORTED_OP', node.op, node.name, why));
  }
  return problems;
}

function newContext(graph: Graph, options: BuildOptions): ExportContext {
  const writer = new GraphDefWriter();
  const kept = new Set((options.outputs ?? graph.outputs.map((v) => v.name)).map((name) => outputValue(graph, name)));
  return new ExportContext(graph, writer, new WeightEmitter(writer, options.weights ?? 'exact'), kept);
}

function outputValue(graph: Graph, name: string): Value {
  const v = graph.value(name);
  if (!v) throw new CondenseError('E_BAD_OPTION', `No value named "${name}" in the graph.`, { context: { value: name } });
  return v;
}

/** Everything that keeps `graph` from exporting to tfjs, found before anything is written. Empty means exportTfjs will succeed. */
export function checkTfjs(source: Graph | Model, options: ExportTfjsOptions = {}): TfjsProblem[] {
  checkOptions(options);
  const graph = prepare(source, options);
  return analyze(graph, newContext(graph, options));
}

/**
 * The 4-D float inputs and outputs cross the boundary NHWC unless the layout
 * option says NCHW. A model that is channels-last already (an input read only
 * through a transpose to NCHW, an output made by a transpose from NCHW, as
 * imported tfjs models are) keeps its layout, and those transposes vanish.
 */
function boundaryPerm(v: Value, options: ExportTfjsOptions): Perm {
  const rank = v.type?.shape?.length ?? 0;
  if (options.layout === 'nchw' || rank !== 4 || v.type?.dtype !== 'float32') return identity(rank);
  const isTranspose = (node: Node | undefined, perm: Perm) => node?.op === 'Transpose' && samePerm(getInts(node.attrs, 'perm') ?? [], perm);
  const channelsLastInput = v.useCount > 0 && v.uses().every((u) => isTranspose(u.node, NHWC_AS_NCHW));
  const channelsLastOutput = isTranspose(v.producer(), NCHW_AS_NHWC);
  return channelsLastInput || channelsLastOutput ? identity(rank) : NCHW_AS_NHWC;
}

function entry(name: string, v: Value, perm: Perm): SignatureEntry {
  const dims = permute(v.type?.shape ?? [], perm).map((d) => (typeof d === 'number' ? d : -1));
  return { name: `${name}:0`, dtype: TF_DTYPE[TFJS_DTYPE[v.type!.dtype]!], tensorShape: tensorShape(dims) };
}

/** The tfjs GraphModel (model.json and one weights shard) computing what `source` computes. */
export function buildTfjsModel(source: Graph | Model, options: BuildOptions = {}): TfjsGraphModel {
  checkOptions(options);
  return build(prepare(source, options), options);
}

/** buildTfjsModel on a graph the caller owns (a runtime's snapshot): shapes are inferred on it in place, no copy is made. */
export function buildFromSnapshot(graph: Graph, options: BuildOptions): TfjsGraphModel {
  checkOptions(options);
  return build(prepareOwned(graph, options), options);
}

function build(graph: Graph, options: BuildOptions): TfjsGraphModel {
  const ctx = newContext(graph, options);
  const problems = analyze(graph, ctx);
  if (problems.length) {
    const first = problems[0]!;
    throw new CondenseError(first.code, `The model cannot be exported to tfjs: ${problems.map((p) => p.message).join(' ')}`, { context: { node: first.node } });
  }
  const signature: Required<GraphSignature> = { inputs: {}, outputs: {} };
  for (const v of graph.inputs.filter((i) => !i.const)) {
    const perm = boundaryPerm(v, options);
    const shape = permute(v.type!.shape!, perm).map((d) => (typeof d === 'number' ? d : -1));
    const name = ctx.writer.placeholder(v.name, TFJS_DTYPE[v.type!.dtype]!, shape);
    ctx.define(v, { name, perm });
    signature.inputs[v.name] = entry(name, v, perm);
  }
  for (const node of graph) {
    if (ctx.folded.has(node) || node.outputs.every((o) => !o || ctx.isConstant(o))) continue;
    RULES[node.op]!.emit(node, ctx);
  }
  for (const v of ctx.kept) signature.outputs[v.name] = entry(ctx.want(v, boundaryPerm(v, options)), v, boundaryPerm(v, options));
  const weightsFile = options.weightsFile ?? 'group1-shard1of1.bin';
  const modelJson: TfjsModelJson = {
    format: 'graph-model',
    generatedBy: 'condense',
    convertedBy: 'condense (@condense/adapter-tfjs)',
    modelTopology: { node: ctx.writer.nodes, library: {}, versions: { producer: 1 } },
    weightsManifest: [{ paths: [weightsFile], weights: ctx.writer.specs }],
    signature,
  };
  return { modelJson, weights: ctx.writer.shard(), stored: ctx.weights.stored };
}

/** model.json and its weights shard, as files: what tfjs.loadGraphModel reads. */
export function exportTfjs(source: Graph | Model, options: ExportTfjsOptions = {}): Array<{ name: string; bytes: Uint8Array }> {
  const { modelJson, weights } = buildTfjsModel(source, options);
  return [
    { name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(modelJson)) },
    { name: modelJson.weightsManifest[0]!.paths[0]!, bytes: weights },
  ];
}
