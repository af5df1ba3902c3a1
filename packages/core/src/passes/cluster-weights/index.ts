import { attr } from '../../ir/attr.js';
import { constantOf } from '../../ir/constant.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import { Tensor } from '../../tensor/tensor.js';
import { definePass } from '../framework/define-pass.js';
import { PACKABLE_BITS, addUnpacked } from '../quantize-weights/packed.js';
import { KMEANS_INITS, kmeans1d, type KMeansResult } from './kmeans.js';
import { sqnrDb } from '../shared/sqnr.js';

/** BitShift (the unpacking of 2- and 4-bit indices) needs opset 11; Cast's integer `to` needs 6. */
const BITSHIFT_OPSET = 11;
const CAST_OPSET = 6;
/** ONNX TensorProto.DataType INT32. */
const INT32 = 6;

/** One clustered weight, as the report lists it. */
export interface ClusteredLayer {
  value: string;
  op: string;
  count: number;
  bits: number;
  floatBytes: number;
  storedBytes: number;
  sqnrDb: number;
}

/** SQNR of the decoded weight against the original, in dB to two decimals. */
function weightSqnrDb(original: Float32Array, { codebook, indices }: KMeansResult): number {
  const db = sqnrDb(original, Array.from(indices, (i) => codebook[i]!));
  return Number.isFinite(db) ? Math.round(100 * db) / 100 : db;
}

/**
 * Adds Gather(codebook, indices) before `before`: the weight with its original
 * shape. Every input is constant, so runtimes fold it at load while the file
 * keeps only the indices and k floats. Returns the weight and its stored bytes.
 */
function addDecoded(graph: Graph, base: string, clusters: KMeansResult, shape: readonly number[], bits: number, before: Node) {
  const opset = graph.root.opset[''] ?? 1;
  const packed = PACKABLE_BITS.has(bits) && opset >= BITSHIFT_OPSET;
  const indices = packed
    ? addUnpacked(graph, `${base}_cluster`, clusters.indices, shape, bits, before)
    : graph.constant(graph.uniqueName(`${base}_cluster_indices`), Tensor.from('uint8', shape, clusters.indices));
  const codebook = graph.constant(graph.uniqueName(`${base}_codebook`), Tensor.from('float32', [clusters.codebook.length], clusters.codebook));
  // Gather takes int32/int64 indices only; the Cast folds with the rest.
  const cast = graph.add('Cast', [indices], { to: attr.int(INT32) }, { name: `${base}_cluster_cast`, before }).output;
  cast.type = { dtype: 'int32', shape: [...shape] };
  const gather = graph.add('Gather', [codebook, cast], { axis: attr.int(0) }, { name: `${base}_cluster_decode`, before }).output;
  gather.type = { dtype: 'float32', shape: [...shape] };
  const indexBytes = packed ? Math.ceil((clusters.indices.length * bits) / 8) : clusters.indices.length;
  return { weight: gather, storedBytes: indexBytes + clusters.codebook.byteLength };
}

export const clusterWeights = definePass({
  name: 'cluster-weights',
  description: 'Clusters the float32 weights of Conv, ConvTranspose, Gemm and MatMul to 2^bits shared values (1-D k-means per tensor), stored as packed indices into a float32 codebook and read through Gather (palettization).',
  options: {
    bits: { type: 'number', integer: true, min: 2, max: 8, default: 4, description: 'Bits per index: 2^bits clusters per tensor (2 and 4 are packed into bytes at opset 11+; other widths take a byte each).' },
    init: { type: 'string', enum: KMEANS_INITS, default: 'kmeans++', description: 'First centroids: kmeans++ (seeded, deterministic), linear (evenly spaced from min to max) or density (quantiles).' },
    iterations: { type: 'number', integer: true, min: 0, default: 30, description: 'Most Lloyd iterations; stops earlier once no weight changes cluster.' },
    minElements: { type: 'number', integer: true, min: 1, default: 1024, description: 'Weights with fewer elements stay float (biases, tiny layers).' },
    ops: { type: 'string[]', default: ['Conv', 'ConvTranspose', 'Gemm', 'MatMul'], description: 'Ops whose weights are clustered.' },
  },
  run(graph, ctx) {
    const o = ctx.options;
    const opset = graph.root.opset[''] ?? 1;
    if (opset < CAST_OPSET) {
      ctx.warn(`opset ${opset} has no Cast with an integer target (added in ${CAST_OPSET}); weights left in float.`);
      return false;
    }
    if (PACKABLE_BITS.has(o.bits) && opset < BITSHIFT_OPSET) ctx.info(`opset ${opset} has no BitShift (added in ${BITSHIFT_OPSET}): indices are stored one per byte.`);
    const done = new Map<Tensor, Value>();
    const layers: ClusteredLayer[] = [];
    for (const node of graph) {
      if (node.domain !== '' || !o.ops.includes(node.op)) continue;
      const weight = node.inputs[1];
      const w = constantOf(weight);
      if (!weight || !w || w.dtype !== 'float32' || w.size < o.minElements) continue;
      // A weight shared by several nodes is clustered once.
      let decoded = done.get(w);
      if (!decoded) {
        const data = w.data<'float32'>();
        if (!data.every(Number.isFinite)) {
          ctx.warn(`${weight.name} has non-finite values; left in float.`, { node: node.name });
          continue;
        }
        const clusters = kmeans1d(data, 2 ** o.bits, { init: o.init, iterations: o.iterations });
        const { weight: out, storedBytes } = addDecoded(graph, weight.name, clusters, w.shape, o.bits, node);
        decoded = out;
        done.set(w, decoded);
        layers.push({ value: weight.name, op: node.op, count: w.size, bits: o.bits, floatBytes: w.byteLength, storedBytes, sqnrDb: weightSqnrDb(data, clusters) });
      }
      node.replaceInput(1, decoded);
      // The float weights are gone from the file once nothing else reads them.
      if (weight.useCount === 0 && weight.const && !graph.inputs.includes(weight)) graph.deleteValue(weight);
    }
    ctx.report('clustered', layers.length);
    ctx.report('floatBytes', layers.reduce((s, l) => s + l.floatBytes, 0));
    ctx.report('storedBytes', layers.reduce((s, l) => s + l.storedBytes, 0));
    ctx.report('layers', layers);
    return layers.length > 0;
  },
});
