import { CondenseError, type Diagnostic } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import type { Dim, TensorType, Value } from '../ir/value.js';
import { MAX_KNOWN, InferContext } from './context.js';
import { convRule, convTranspose, globalPool, pool } from './conv-pool.js';
import { BROADCAST_OPS, COMPARISON_OPS, UNARY_OPS, broadcastRule, sameAsInput } from './elementwise.js';
import type { ShapeRule } from './rule.js';
import * as ops from './tensor-ops.js';

const RULES = new Map<string, ShapeRule>([
  ...UNARY_OPS.map((op) => [op, sameAsInput] as const),
  ...BROADCAST_OPS.map((op) => [op, broadcastRule()] as const),
  ...COMPARISON_OPS.map((op) => [op, broadcastRule('bool')] as const),
  ['Conv', convRule(0, 1, 0)],
  ['QLinearConv', convRule(0, 3, 7)],
  ['ConvTranspose', convTranspose],
  ['MaxPool', pool],
  ['AveragePool', pool],
  ['LpPool', pool],
  ['GlobalAveragePool', globalPool],
  ['GlobalMaxPool', globalPool],
  ['GlobalLpPool', globalPool],
  ['MatMul', ops.matMul],
  ['MatMulInteger', ops.matMul],
  ['QLinearMatMul', ops.qLinearMatMul],
  ['Gemm', ops.gemm],
  ...['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSumExp', 'ReduceSumSquare', 'ArgMax', 'ArgMin'].map(
    (op) => [op, ops.reduce] as const,
  ),
  ['Reshape', ops.reshape],
  ['Flatten', ops.flatten],
  ['Transpose', ops.transpose],
  ['Concat', ops.concat],
  ['Split', ops.split],
  ['Slice', ops.slice],
  ['Squeeze', ops.squeeze],
  ['Unsqueeze', ops.unsqueeze],
  ['Resize', ops.resize],
  ['Upsample', ops.resize],
  ['Pad', ops.pad],
  ['Shape', ops.shape],
  ['Size', ops.size],
  ['Gather', ops.gather],
  ['Cast', ops.cast],
  ['Constant', ops.constant],
  ['Dropout', ops.dropout],
  ['QuantizeLinear', ops.quantizeLinear],
  ['DequantizeLinear', ops.dequantizeLinear],
  ['Expand', ops.expand],
  ['ConstantOfShape', ops.constantOfShape],
  ['Where', ops.where],
  ['Tile', ops.tile],
]);

/** Ops the shape inference understands (default domain). */
export function shapeInferenceOps(): string[] {
  return [...RULES.keys()].sort();
}

/** Options of {@link inferShapes}. */
export interface InferShapesOptions {
  /** Pins graph input shapes, e.g. { x: [1, 3, 224, 224] }; a symbol name may stay symbolic. */
  inputShapes?: Record<string, Dim[]>;
}

/**
 * Infers element types and shapes of every value in the top-level graph, in
 * node order. Symbolic dimensions stay symbols; sizes that depend on data become
 * fresh symbols. Known small integer tensors (shapes, axes) are propagated so
 * Shape -> Gather -> Concat -> Reshape chains resolve. Returns warnings for ops
 * it has no rule for; their outputs keep whatever type the model declared.
 */
export function inferShapes(graph: Graph, opts: InferShapesOptions = {}): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  pinInputShapes(graph, opts.inputShapes ?? {});
  const known = new Map<Value, Dim[]>();
  for (const v of graph.constants()) {
    // An initializer that is also a graph input is a default the caller may override.
    if (graph.inputs.includes(v)) continue;
    const t = v.const!;
    if ((t.dtype === 'int64' || t.dtype === 'int32') && t.size <= MAX_KNOWN && t.rank <= 1) known.set(v, t.toNumbers());
  }
  let counter = 0;
  const fresh = () => `unk__${counter++}`;
  const opset = graph.root.opset[''] ?? graph.root.opset['ai.onnx'] ?? 1;
  const unknownOps = new Set<string>();
  for (const node of graph) {
    const rule = node.domain === '' || node.domain === 'ai.onnx' ? RULES.get(node.op) : undefined;
    if (!rule) {
      if (!unknownOps.has(node.op)) {
        unknownOps.add(node.op);
        diagnostics.push({ severity: 'warning', code: 'W_NO_SHAPE_RULE', message: `No shape rule for ${node.domain ? `${node.domain}.` : ''}${node.op}; its outputs keep their declared types.`, node: node.name });
      }
      continue;
    }
    let types: Array<TensorType | undefined>;
    try {
      types = rule(new InferContext(node, known, opset, fresh));
      checkSizes(types);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new CondenseError('E_SHAPE_INFERENCE', `Shape inference failed at node "${node.name}" (${node.op}): ${why}`, { cause: e, context: { node: node.name } });
    }
    node.outputs.forEach((out, i) => {
      const t = types[i];
      if (out && t) out.type = merge(out.type, t);
    });
  }
  return diagnostics;
}

/** Absurd attributes (a zero or negative stride, a kernel larger than its input) give sizes no tensor has; say so here rather than let them reach a writer. */
function checkSizes(types: Array<TensorType | undefined>): void {
  for (const t of types) {
    for (const d of t?.shape ?? []) {
      if (typeof d === 'string' || (Number.isSafeInteger(d) && d >= 0)) continue;
      const what = typeof d === 'number' ? `a dimension of ${d}, which no tensor has` : 'an output shape with a missing dimension (an input has a rank the op does not take)';
      throw new Error(`it computes ${what}; check the node's attributes (strides, pads, kernel_shape, axes...) and input shapes`);
    }
  }
}

/** Prefers inferred facts, but keeps a declared number where inference only found a symbol. */
function merge(declared: TensorType | undefined, inferred: TensorType): TensorType {
  if (!declared?.shape || !inferred.shape || declared.shape.length !== inferred.shape.length) {
    return { dtype: inferred.dtype, shape: inferred.shape ?? declared?.shape };
  }
  const shape = inferred.shape.map((d, i) => {
    const old = declared.shape![i]!;
    // A named symbol follows an input, so it beats a declared number (often a stale trace); an unk__ symbol does not.
    return typeof d === 'string' && d.startsWith('unk__') ? old : d;
  });
  return { dtype: inferred.dtype, shape };
}

function pinInputShapes(graph: Graph, pins: Record<string, Dim[]>): void {
  for (const [name, dims] of Object.entries(pins)) {
    const input = graph.inputs.find((v) => v.name === name);
    if (!input) {
      const names = graph.inputs.filter((v) => !v.const).map((v) => v.name);
      throw new CondenseError('E_BAD_OPTION', `No graph input named "${name}" to pin a shape on; inputs are: ${names.join(', ')}.`);
    }
    const declared = input.type?.shape;
    if (declared && declared.length !== dims.length) {
      throw new CondenseError('E_BAD_OPTION', `Input "${name}" has rank ${declared.length} ([${declared.join(', ')}]); the pinned shape [${dims.join(', ')}] has rank ${dims.length}.`);
    }
    declared?.forEach((d, i) => {
      if (typeof d === 'number' && d !== dims[i]) {
        throw new CondenseError('E_BAD_OPTION', `Input "${name}" has fixed dimension ${i} = ${d}; the pinned shape says ${String(dims[i])}.`);
      }
    });
    input.type = { dtype: input.type?.dtype ?? 'float32', shape: [...dims] };
  }
}
