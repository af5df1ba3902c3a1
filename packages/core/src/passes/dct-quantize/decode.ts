/**
 * The decoding subgraph a coded weight is replaced by. Every input is constant,
 * so runtimes fold it at load, while the file keeps int8 coefficients, one step
 * per frequency and the n×n basis.
 */
import { attr, type Attr } from '../../ir/attr.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import { Tensor } from '../../tensor/tensor.js';
import type { DctQuantized } from './dct.js';
import { codedShape, type Layout } from './layout.js';

/** ONNX TensorProto.DataType FLOAT. */
const FLOAT = 1;
/** Slice takes starts, ends and axes as inputs from opset 10, as attributes before. */
const SLICE_INPUTS = 10;

/**
 * Adds Cast(Q) · steps, MatMul B, Reshape before `before`, then, where the
 * layout asks for it, Slice (drop the padding of the input channels) and
 * Transpose (back to [K, N]): the weight in its original shape.
 */
export function addDecoded(graph: Graph, base: string, dq: DctQuantized, l: Layout, w: Tensor, before: Node, opset: number): Value {
  const n = l.block.n;
  const kernels = dq.q.length / n;
  const name = (s: string) => graph.uniqueName(`${base}_dct_${s}`);
  const add = (op: string, inputs: Value[], attrs: Record<string, Attr>, s: string, shape: readonly number[]) => {
    const out = graph.add(op, inputs, attrs, { name: name(s), before }).output;
    out.type = { dtype: 'float32', shape: [...shape] };
    return out;
  };
  const ints = (s: string, v: readonly number[]) => graph.constant(name(s), Tensor.from('int64', [v.length], v.map(BigInt)));
  const q = graph.constant(name('coefficients'), Tensor.from('int8', [kernels, n], dq.q));
  const steps = graph.constant(name('steps'), Tensor.from('float32', [n], dq.steps));
  const basis = graph.constant(name('basis'), Tensor.from('float32', [n, n], Float32Array.from(l.block.basis)));
  const cast = add('Cast', [q], { to: attr.int(FLOAT) }, 'cast', [kernels, n]);
  const scaled = add('Mul', [cast, steps], {}, 'dequantize', [kernels, n]);
  const blocks = add('MatMul', [scaled, basis], {}, 'inverse', [kernels, n]);
  const coded = codedShape(w, l);
  let out = add('Reshape', [blocks, ints('shape', coded)], {}, 'reshape', coded);
  if (l.padded !== l.length) {
    const cropped = coded.map((d, i) => (i === 1 ? l.length : d));
    out =
      opset >= SLICE_INPUTS
        ? add('Slice', [out, ints('starts', [0]), ints('ends', [l.length]), ints('axes', [1])], {}, 'crop', cropped)
        : add('Slice', [out], { starts: attr.ints([0]), ends: attr.ints([l.length]), axes: attr.ints([1]) }, 'crop', cropped);
  }
  return l.transposed ? add('Transpose', [out], { perm: attr.ints([1, 0]) }, 'transpose', w.shape) : out;
}
