/**
 * A small CNN whose first layers carry numeric edge cases, one kind per model:
 * NaN and infinite weights, a layer of one constant value, all-zero output
 * channels, denormal filters (down to the smallest float32), a whole zero
 * layer, and an empty weight (a MatMul to zero features, concatenated).
 *
 *   x[2,4,6,6] -> Conv a (8 filters 3x3) -> Relu -> Conv b (8, 1x1) -> Relu
 *     -> GlobalAveragePool -> Flatten [-> Concat with MatMul(., [8, 0])] -> Gemm (5) -> y
 */
import { Graph, Tensor, attr, createModel, type Model } from '@condense/core';
import { Random } from '../../helpers/random.js';

export const INPUT = [2, 4, 6, 6];
export const EDGE_KINDS = ['nan-inf', 'constant', 'zero-channels', 'denormal', 'all-zero', 'empty'] as const;
export type EdgeKind = (typeof EDGE_KINDS)[number];

/** Smallest positive normal float32 is about 1.18e-38; these are below it, the last the smallest float32 above zero. */
const DENORMAL = 1e-40;
const SMALLEST = 1.401298464324817e-45;

export function edgeModel(kind: EdgeKind): Model {
  const rng = new Random(7, EDGE_KINDS.indexOf(kind));
  const normal = (n: number, std: number) => Float32Array.from({ length: n }, () => rng.normal() * std);
  const a = { w: normal(8 * 4 * 9, 0.3), b: normal(8, 0.1) };
  const b = { w: normal(8 * 8, 0.4), b: normal(8, 0.1) };
  const fc = { w: normal(5 * 8, 0.4), b: normal(5, 0.1) };
  const filter = (w: Float32Array, i: number, size: number) => w.subarray(i * size, (i + 1) * size);
  switch (kind) {
    case 'nan-inf':
      a.w[3] = NaN;
      filter(a.w, 1, 36).fill(Infinity, 0, 2);
      fc.w[7] = -Infinity;
      break;
    case 'constant':
      a.w.fill(0.25);
      b.w.fill(-0.5);
      break;
    case 'zero-channels':
      filter(a.w, 2, 36).fill(0);
      a.b[2] = 0;
      filter(b.w, 5, 8).fill(0);
      filter(fc.w, 0, 8).fill(0);
      break;
    case 'denormal':
      filter(a.w, 3, 36).forEach((_, i, f) => (f[i] = DENORMAL * (i % 2 ? 1 : -1)));
      filter(a.w, 4, 36).fill(SMALLEST);
      a.b[4] = SMALLEST;
      filter(b.w, 0, 8).fill(DENORMAL);
      filter(fc.w, 1, 8).fill(SMALLEST);
      break;
    case 'all-zero':
      a.w.fill(0);
      a.b.fill(0);
      break;
    case 'empty':
      break;
  }
  const g = new Graph({ opset: { '': 17 } });
  const x = g.input('x', { dtype: 'float32', shape: ['N', ...INPUT.slice(1)] });
  const k = (name: string, shape: number[], values: Float32Array) => g.constant(name, Tensor.from('float32', shape, values));
  let y = g.add('Conv', [x, k('a.w', [8, 4, 3, 3], a.w), k('a.b', [8], a.b)], { pads: attr.ints([1, 1, 1, 1]) }, { name: 'a' }).output;
  y = g.add('Relu', [y]).output;
  y = g.add('Relu', [g.add('Conv', [y, k('b.w', [8, 8, 1, 1], b.w), k('b.b', [8], b.b)], {}, { name: 'b' }).output]).output;
  y = g.add('Flatten', [g.add('GlobalAveragePool', [y]).output]).output;
  if (kind === 'empty') {
    // onnxruntime cannot run a Conv with no filters (its NCHWc layout rejects zero channels); a MatMul to zero features it can.
    const empty = g.add('MatMul', [y, k('e.w', [8, 0], new Float32Array(0))], {}, { name: 'e' }).output;
    y = g.add('Concat', [y, empty], { axis: attr.int(1) }).output;
  }
  g.outputs = [g.add('Gemm', [y, k('fc.w', [5, 8], fc.w), k('fc.b', [5], fc.b)], { transB: attr.int(1) }, { name: 'fc' }).output];
  return createModel(g);
}
