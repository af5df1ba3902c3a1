import { constantOf } from '../../ir/constant.js';
import { getInt } from '../../ir/attr.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import { floatConstant, setInput } from '../shared/constant-input.js';
import { finiteFloatWeight, knownProduct, typeWithDim, type Candidate, type Notes } from './layer.js';
import { lowRank, type LowRank } from './low-rank.js';
import { RankProfile, sampledRanks } from './rank.js';

/**
 * A Gemm (either transB) or a MatMul whose second input is a constant 2-D
 * float32 weight, as a low-rank candidate: B ≈ left · right, computed as two
 * products through an inner dimension r. The SVD costs about min(N, K)³ per
 * Jacobi sweep, so weights whose smaller side is above `maxSize` are left
 * with a note instead of stalling the pipeline.
 */
export function denseCandidate(node: Node, notes: Notes, maxSize: number): Candidate | undefined {
  if (node.domain !== '' || (node.op !== 'Gemm' && node.op !== 'MatMul')) return undefined;
  // A MatMul of two constants is fold-constants' business, not a layer.
  if (node.op === 'MatMul' && constantOf(node.inputs[0])) return undefined;
  const weight = finiteFloatWeight(node, 1, notes.warn);
  if (!weight || weight.tensor.rank !== 2) return undefined;
  const [rows, cols] = weight.tensor.shape as [number, number];
  if (Math.min(rows, cols) > maxSize) {
    notes.info(`${node.name}: its ${rows}×${cols} weight is wider than denseMaxSize (${maxSize}) on both sides; left as is.`);
    return undefined;
  }
  const factors = lowRank(weight.data, rows, cols);
  const profile = new RankProfile([factors.energies]);
  // Per output row: N·K before, r·(N + K) after.
  const size = rows * cols;
  const sum = rows + cols;
  return {
    node,
    kind: 'dense',
    shape: weight.tensor.shape,
    profile,
    cheaperBelow: Math.floor((size - 1) / sum),
    macs: (rank) => (rank === undefined ? size : rank * sum),
    // A Gemm's rows are the batch; a MatMul's are every dim of A but the batch and K.
    positions: node.op === 'Gemm' ? 1 : knownProduct(node.outputs[0]?.type?.shape?.slice(1, -1)),
    curveRanks: (chosen) => sampledRanks(profile.maxRank, chosen),
    apply: (graph, rank) => emitFactorised(graph, node, factors, rank, rows, cols),
  };
}

/**
 * A new first product x · B₁ (same op, same transA/transB, no bias) into r
 * columns, then the original node reads that with B₂ and keeps its alpha,
 * beta and bias, so the output value and its readers are untouched. With
 * transB the weights are stored as [r, K] and [N, r], without as [K, r] and
 * [r, N]: each half keeps the original's layout.
 */
function emitFactorised(graph: Graph, node: Node, factors: LowRank, rank: number, rows: number, cols: number): void {
  const { left, right } = factors.factors(rank);
  const transposed = getInt(node.attrs, 'transB', 0) === 1;
  const first = transposed ? { values: right, shape: [rank, cols] } : { values: left, shape: [rows, rank] };
  const second = transposed ? { values: left, shape: [rows, rank] } : { values: right, shape: [rank, cols] };
  const base = node.inputs[1]!.name;
  const attrs = Object.fromEntries(Object.entries(node.attrs).filter(([name]) => name === 'transA' || name === 'transB'));
  const inputs = [node.inputs[0]!, floatConstant(graph, `${base}_low_rank_in`, first.shape, first.values)];
  // Gemm's bias is optional only from opset 11; before, the first half gets a zero one.
  if (node.op === 'Gemm' && (graph.root.opset[''] ?? 1) < 11) inputs.push(floatConstant(graph, `${base}_low_rank_zero`, [rank], new Float32Array(rank)));
  const inner = graph.add(node.op, inputs, attrs, { name: `${node.name}_low_rank`, before: node }).output;
  inner.type = typeWithDim(node.outputs[0], -1, rank);
  node.replaceInput(0, inner);
  setInput(graph, node, 1, floatConstant(graph, `${base}_low_rank_out`, second.shape, second.values));
  node.setAttr('transA', undefined);
}
