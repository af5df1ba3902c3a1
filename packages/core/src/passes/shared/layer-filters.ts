import { attr, getFloat, getInt } from '../../ir/attr.js';
import { constantOf } from '../../ir/constant.js';
import type { Node } from '../../ir/node.js';

/** A layer's output filters as the rows of a [count, size] matrix, in float64. */
export interface LayerFilters {
  rows: Float64Array;
  count: number;
  size: number;
  /** The weight's shape after the output axis, as the shared weight is written ([size] for a Gemm). */
  kernel: number[];
  /** A Gemm without transB stores its filters as columns: the shared weight is written as rows, with transB set. */
  transposed: boolean;
}

/**
 * The filters of a Conv of group 1 or of a Gemm (alpha = beta = 1, A not
 * transposed, so that output channels are the columns of its result), when
 * its weight is a finite float32 constant that only it reads (a weight read
 * twice would be stored twice); undefined otherwise.
 */
export function readFilters(node: Node): LayerFilters | undefined {
  if (node.domain !== '') return undefined;
  const weight = node.inputs[1];
  const w = constantOf(weight);
  if (!weight || !w || w.dtype !== 'float32' || weight.useCount !== 1) return undefined;
  const data = w.data<'float32'>();
  if (node.op === 'Conv' && w.rank >= 3 && getInt(node.attrs, 'group', 1) === 1) {
    const [count, ...kernel] = w.shape as number[];
    return { rows: Float64Array.from(data), count: count!, size: w.size / count!, kernel, transposed: false };
  }
  const plainGemm = getInt(node.attrs, 'transA', 0) === 0 && getFloat(node.attrs, 'alpha', 1) === 1 && getFloat(node.attrs, 'beta', 1) === 1;
  if (node.op !== 'Gemm' || w.rank !== 2 || !plainGemm) return undefined;
  const [a, b] = w.shape as [number, number];
  if (getInt(node.attrs, 'transB', 0)) return { rows: Float64Array.from(data), count: a, size: b, kernel: [b], transposed: false };
  const rows = new Float64Array(w.size);
  for (let i = 0; i < a; i++) for (let o = 0; o < b; o++) rows[o * a + i] = data[i * b + o]!;
  return { rows, count: b, size: a, kernel: [a], transposed: true };
}

/** After the shared weight is written as [O, I] rows: a Gemm that read [I, O] now reads it transposed. */
export function markTransposed(node: Node, filters: LayerFilters): void {
  if (filters.transposed) node.setAttr('transB', attr.int(1));
}

/** Ops that hand a layer's output on without mixing it with another layer's. */
const PASS_THROUGH = new Set(['Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Softmax', 'LogSoftmax', 'Flatten', 'Reshape', 'Identity', 'Dropout', 'Clip', 'HardSigmoid', 'HardSwish']);

/**
 * Whether the layer's output reaches a graph output through pass-through ops
 * only: a classifier's or regressor's last layer, whose few filters each
 * stand for one class or value. Sharing two of them merges two answers, so
 * they are left alone, as quantizers keep a network's tail in float.
 */
export function isOutputLayer(node: Node): boolean {
  let v = node.outputs[0];
  while (v) {
    if (v.isGraphOutput()) return true;
    const uses = v.uses();
    const next = uses.length === 1 ? uses[0]!.node : undefined;
    if (!next || next.domain !== '' || !PASS_THROUGH.has(next.op)) return false;
    v = next.outputs[0];
  }
  return false;
}
