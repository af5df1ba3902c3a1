import { getInt } from '../../ir/attr.js';
import type { Node } from '../../ir/node.js';
import { emitDecoupledConv, type DecoupledKernels } from './conv-forms.js';
import { finiteFloatWeight, knownProduct, type Candidate, type Notes } from './layer.js';
import { lowRank, type LowRank } from './low-rank.js';
import { RankProfile } from './rank.js';

/**
 * A regular Conv (group 1) with a k×k (or any non-1×1) float32 kernel W [O, I, ...kernel]
 * as a decoupling candidate. For each input channel i the kernels W[:, i] are
 * the rows of M_i [O, k²]; its truncated SVD M_i ≈ P_i D_i gives R depthwise
 * kernels D_i [R, k²] for channel i and their pointwise weights P_i [O, R].
 */
export function convCandidate(node: Node, notes: Notes): Candidate | undefined {
  if (node.op !== 'Conv' || node.domain !== '' || getInt(node.attrs, 'group', 1) !== 1) return undefined;
  const weight = finiteFloatWeight(node, 1, notes.warn);
  if (!weight || weight.tensor.rank < 3) return undefined;
  const [outputs, inputs, ...kernel] = weight.tensor.shape as number[];
  const o = outputs!;
  const i = inputs!;
  const k = kernel.reduce((a, b) => a * b, 1);
  if (k <= 1) return undefined;
  const channels = Array.from({ length: i }, (_, c) => lowRank(channelKernels(weight.data, o, i, k, c), o, k));
  return {
    node,
    kind: 'conv',
    shape: weight.tensor.shape,
    profile: new RankProfile(channels.map((c) => c.energies)),
    // I·R·k² (depthwise) + O·I·R (pointwise) < O·I·k²  ⇔  R·(k² + O) < O·k², in integers to stay exact.
    cheaperBelow: Math.floor((o * k - 1) / (k + o)),
    macs: (rank) => (rank === undefined ? o * i * k : i * rank * k + o * i * rank),
    positions: knownProduct(node.outputs[0]?.type?.shape?.slice(2)),
    curveRanks: () => Array.from({ length: k }, (_, r) => r + 1),
    apply: (graph, rank, form) => emitDecoupledConv(graph, node, { inputs: i, outputs: o, kernel, blocks: blockKernels(channels, rank, k, o) }, form),
  };
}

/** M_c [O, k²]: the kernels every output channel applies to input channel c. */
function channelKernels(w: Float32Array, o: number, i: number, k: number, c: number): Float64Array {
  const m = new Float64Array(o * k);
  for (let out = 0; out < o; out++) for (let j = 0; j < k; j++) m[out * k + j] = w[(out * i + c) * k + j]!;
  return m;
}

/** Per block r: D_r [I, k²] (row i: the depthwise kernel for input channel i) and P_r [O, I] (its pointwise weights). */
function blockKernels(channels: LowRank[], rank: number, kernelSize: number, o: number): DecoupledKernels['blocks'] {
  const i = channels.length;
  const blocks = Array.from({ length: rank }, () => ({ depthwise: new Float64Array(i * kernelSize), pointwise: new Float64Array(o * i) }));
  channels.forEach((channel, c) => {
    const { left, right } = channel.factors(rank);
    blocks.forEach((block, r) => {
      block.depthwise.set(right.subarray(r * kernelSize, (r + 1) * kernelSize), c * kernelSize);
      for (let out = 0; out < o; out++) block.pointwise[out * i + c] = left[out * rank + r]!;
    });
  });
  return blocks;
}
