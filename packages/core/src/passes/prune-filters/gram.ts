import { CondenseError } from '../../errors.js';
import { attr, type Attr } from '../../ir/attr.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import type { Runtime, SampleSource } from '../../runtime.js';
import { Tensor } from '../../tensor/tensor.js';
import { floatConstant } from '../shared/constant-input.js';
import { measure } from '../shared/input-means.js';
import type { Consumer } from './channel-graph.js';

/**
 * E[x̃ x̃ᵀ] over every row a layer multiplies by its weights, with x̃ = [x; 1]:
 * x is a Conv's receptive field (input channel-major, kernel positions
 * inside, as its weights are laid out) or a Gemm's input row; the trailing 1
 * stands for the bias. Everything least squares and the activation criterion
 * need, whatever channels end up removed.
 */
export interface Gram {
  /** Rows and columns: the layer's weight columns, plus one for the bias. */
  size: number;
  matrix: Float64Array;
}

/** Graph attributes a Conv's geometry consists of, copied so the unfolding Conv sees the windows the layer sees. */
const GEOMETRY = ['kernel_shape', 'strides', 'pads', 'dilations', 'auto_pad'];

/** Adds (through `add`) the nodes that give a layer's rows x̃ as a [rows, size] matrix. */
function layerRows(graph: Graph, consumer: Consumer, add: (op: string, inputs: Value[], attrs?: Record<string, Attr>) => Value): Value {
  const { node, filters } = consumer;
  const x = node.inputs[0]!;
  const size = filters.size + 1;
  const int64 = (name: string, values: number[]) => graph.constant(graph.uniqueName(name), Tensor.from('int64', [values.length], values.map(BigInt)));
  if (node.op === 'Gemm') {
    const ones = add('Gemm', [x, floatConstant(graph, 'prune_zeros', [filters.size, 1], new Float32Array(filters.size)), floatConstant(graph, 'prune_one', [1], [1])]);
    return add('Concat', [x, ones], { axis: attr.int(1) });
  }
  // Unfold: a depthwise Conv with one one-hot filter per (channel, kernel position); the constant 1 comes from an all-zero filter's bias.
  const [inChannels, ...window] = filters.kernel as [number, ...number[]];
  const k = window.reduce((a, b) => a * b, 1);
  const geometry = Object.fromEntries(GEOMETRY.filter((n) => node.attrs[n]).map((n) => [n, node.attrs[n]!]));
  const eye = new Float32Array(inChannels * k * k);
  for (let o = 0; o < inChannels * k; o++) eye[o * k + (o % k)] = 1;
  const unfolded = add('Conv', [x, floatConstant(graph, 'prune_unfold', [inChannels * k, 1, ...window], eye)], { ...geometry, group: attr.int(inChannels) });
  const ones = add('Conv', [x, floatConstant(graph, 'prune_zeros', [1, inChannels, ...window], new Float32Array(inChannels * k)), floatConstant(graph, 'prune_one', [1], [1])], geometry);
  const patches = add('Reshape', [add('Concat', [unfolded, ones], { axis: attr.int(1) }), int64('prune_shape', [0, size, -1])]);
  return add('Reshape', [add('Transpose', [patches], { perm: attr.ints([0, 2, 1]) }), int64('prune_rows', [-1, size])]);
}

/**
 * Measures the Gram matrix of each consumer's input on up to `maxSamples`
 * samples: the graph is run once with extra nodes computing each batch's
 * Gram matrix in the runtime (an unfolding Conv, then XᵀX as a MatMul, far
 * faster there than in JavaScript), which are removed again once the
 * runtime has its snapshot. The batches' matrices are averaged by the
 * shared channel-mean helper (each as a [1, size², 1] tensor), and divided
 * by the mean row count, which is the bias entry of the matrix itself.
 */
export async function measureGrams(graph: Graph, consumers: readonly Consumer[], runtime: Runtime, samples: SampleSource, maxSamples: number): Promise<{ grams: Map<Consumer, Gram>; samples: number }> {
  const added: Node[] = [];
  const constantsBefore = new Set(graph.constants());
  const add = (op: string, inputs: Value[], attrs: Record<string, Attr> = {}) => {
    const node = graph.add(op, inputs, attrs, { name: `prune_gram_${op}` });
    added.push(node);
    return node.output;
  };
  const names = new Map<Consumer, string>();
  try {
    for (const consumer of consumers) {
      const rows = layerRows(graph, consumer, add);
      const gram = add('MatMul', [add('Transpose', [rows], { perm: attr.ints([1, 0]) }), rows]);
      const flat = add('Reshape', [gram, graph.constant(graph.uniqueName('prune_flat'), Tensor.from('int64', [3], [1n, -1n, 1n]))]);
      names.set(consumer, flat.name);
    }
    const measured = await measure(runtime, graph, [...names.values()], [], samples, maxSamples);
    if (measured.samples === 0) throw new CondenseError('E_BAD_OPTION', 'The sample data held no samples; prune-filters needs at least one to measure activations.');
    const grams = new Map<Consumer, Gram>();
    for (const [consumer, name] of names) {
      const matrix = measured.means.get(name)!;
      const rows = matrix[matrix.length - 1]!;
      grams.set(consumer, { size: consumer.filters.size + 1, matrix: matrix.map((v) => v / rows) });
    }
    return { grams, samples: measured.samples };
  } finally {
    graph.remove(added);
    for (const v of graph.constants()) if (!constantsBefore.has(v) && v.useCount === 0) graph.deleteValue(v);
  }
}
