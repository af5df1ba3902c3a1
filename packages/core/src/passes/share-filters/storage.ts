import { attr } from '../../ir/attr.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import { Tensor } from '../../tensor/tensor.js';
import { floatConstant } from '../shared/constant-input.js';
import type { SharedFilters } from './cluster.js';

/**
 * The weight [O, ...kernel] as Mul(Gather(centroids [K, ...kernel], indices [O]), scales [O, 1, ...]):
 * standard ONNX whose inputs are all constant, so runtimes fold it at load
 * and only K filters plus O indices and scales are stored. The plain
 * reconstructed weight is stored instead when it is no bigger (K close to
 * O, small filters) or when `dense` asks for it: a per-channel quantizer
 * after this pass then turns filters sharing a centroid into identical
 * integer rows (up to sign), which a general compressor finds.
 */
export function addSharedWeight(graph: Graph, node: Node, base: string, shared: SharedFilters, channels: readonly number[], kernelShape: readonly number[], dense: boolean): Value {
  const size = kernelShape.reduce((a, b) => a * b, 1);
  const shape = [channels.length, ...kernelShape];
  const used = [...new Set(channels.map((c) => shared.assignment[c]!))];
  // Gather form: K·size floats, plus an int32 index and a float scale per channel.
  if (dense || used.length * size + 2 * channels.length >= channels.length * size) {
    const w = new Float64Array(channels.length * size);
    channels.forEach((c, o) => {
      const at = shared.assignment[c]! * size;
      for (let j = 0; j < size; j++) w[o * size + j] = shared.scales[c]! * shared.centroids[at + j]!;
    });
    return floatConstant(graph, `${base}_shared`, shape, w);
  }
  // Renumber the centroids the remaining channels use, in order of first use.
  const slot = new Map(used.map((c, i) => [c, i]));
  const centroids = new Float64Array(used.length * size);
  used.forEach((c, i) => centroids.set(shared.centroids.subarray(c * size, (c + 1) * size), i * size));
  const table = floatConstant(graph, `${base}_centroids`, [used.length, ...kernelShape], centroids);
  const indices = graph.constant(graph.uniqueName(`${base}_filter_index`), Tensor.from('int32', [channels.length], Int32Array.from(channels, (c) => slot.get(shared.assignment[c]!)!)));
  const scales = floatConstant(graph, `${base}_filter_scale`, [channels.length, ...kernelShape.map(() => 1)], channels.map((c) => shared.scales[c]!));
  const gather = graph.add('Gather', [table, indices], { axis: attr.int(0) }, { name: `${base}_share_gather`, before: node }).output;
  gather.type = { dtype: 'float32', shape };
  const weight = graph.add('Mul', [gather, scales], {}, { name: `${base}_share_scale`, before: node }).output;
  weight.type = { dtype: 'float32', shape };
  return weight;
}
