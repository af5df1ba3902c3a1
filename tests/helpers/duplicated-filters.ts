/**
 * A model whose first Conv has deliberately duplicated filters, for the
 * sharing and merging passes: its outputs before and after must match.
 */
import { Graph, Tensor, attr, createModel, type Model } from '@condense/core';
import { uniform } from './models.js';

export const INPUT = [8, 3, 10, 10];

/**
 * Conv1's 12 filters are scaled copies of 4 random ones: (filter, scale, bias).
 * Six copies have the sign and the bias-to-scale ratio of an earlier copy, so
 * they can merge; one has a negative scale (it shares a centroid but stays a
 * channel) and one a different ratio (its own centroid once biases are
 * clustered with filters).
 */
export const COPIES: Array<[number, number, number]> = [
  [0, 1, 0.1], [0, 2, 0.2], [0, 0.5, 0.05],
  [1, 1.5, -0.3], [1, 3, -0.6], [1, -1, 0.2],
  [2, 1, 0.3], [2, 2, 0.1], [3, 0.7, 0],
  [3, 1.4, 0], [2, 1.2, 0.36], [3, 1, 0],
];
export const MERGEABLE = 6;

/** x → Conv1 (12 filters) → Relu → Conv2 → Relu → pooled → Gemm. */
export function duplicatedFilters(): Model {
  const g = new Graph({ opset: { '': 13 } });
  const x = g.input('x', { dtype: 'float32', shape: ['N', ...INPUT.slice(1)] });
  const c = (name: string, shape: number[], values: Float32Array) => g.constant(name, Tensor.from('float32', shape, values));
  const base = uniform([4, 27], 1);
  const w1 = new Float32Array(12 * 27);
  COPIES.forEach(([f, s], o) => w1.set(base.subarray(f * 27, (f + 1) * 27).map((v) => s * v), o * 27));
  const pad = { pads: attr.ints([1, 1, 1, 1]) };
  let y = g.add('Conv', [x, c('c1.w', [12, 3, 3, 3], w1), c('c1.b', [12], Float32Array.from(COPIES, ([, , b]) => b))], pad, { name: 'c1' }).output;
  y = g.add('Relu', [y]).output;
  y = g.add('Conv', [y, c('c2.w', [8, 12, 3, 3], uniform([8, 12, 3, 3], 2, -0.3, 0.3)), c('c2.b', [8], uniform([8], 3, -0.1, 0.1))], pad, { name: 'c2' }).output;
  y = g.add('Relu', [y]).output;
  y = g.add('Flatten', [g.add('GlobalAveragePool', [y]).output]).output;
  g.outputs = [g.add('Gemm', [y, c('fc.w', [10, 8], uniform([10, 8], 4)), c('fc.b', [10], uniform([10], 5))], { transB: attr.int(1) }, { name: 'fc' }).output];
  return createModel(g);
}

