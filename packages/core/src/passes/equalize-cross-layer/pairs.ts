import { constantOf } from '../../ir/constant.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import { readBias } from './layer-constants.js';
import { channelLayout, type ChannelLayout } from './layout.js';

/** A Conv or Gemm whose float32 weights (and bias) are being rescaled, held in float64 until written back. */
export interface Layer {
  node: Node;
  layout: ChannelLayout;
  shape: readonly number[];
  weights: Float64Array;
  bias: Float64Array | null;
  changed: boolean;
}

export interface LayerPair {
  first: Layer;
  second: Layer;
}

/**
 * Activations with f(s*x) = s*f(x) for every s > 0, so a positive per-channel
 * scale passes through them unchanged. Clip (ReLU6 included) is left out on
 * purpose: Clip(x/s, 0, 6) is Clip(x, 0, 6)/s only when s = 1, so equalizing
 * across it would change what the model computes. (The DFQ paper swaps ReLU6
 * for ReLU first; that changes the model, and this pass never does.)
 */
const HOMOGENEOUS = new Set(['Relu', 'LeakyRelu']);

const LAYER_OPS = new Set(['Conv', 'Gemm']);

/** The single reader of `v`, when it reads it as its data input (index 0) and `v` is not a graph output. */
function soleReader(v: Value | null | undefined): Node | undefined {
  if (!v || v.isGraphOutput()) return undefined;
  const uses = v.uses();
  return uses.length === 1 && uses[0]!.index === 0 ? uses[0]!.node : undefined;
}

/** A value only this node reads (a shared weight or bias would change for its other readers too). */
function ownedBy(v: Value | null | undefined): boolean {
  return !v || (v.useCount === 1 && !v.isGraphOutput());
}

/** The node as a Layer, when its weights and bias are float32 constants only it reads, in a layout this pass understands. */
function readLayer(node: Node): Layer | undefined {
  if (node.domain !== '' || !LAYER_OPS.has(node.op)) return undefined;
  const w = constantOf(node.inputs[1]);
  if (!w || w.dtype !== 'float32' || !ownedBy(node.inputs[1]) || !ownedBy(node.inputs[2])) return undefined;
  const layout = channelLayout(node, w);
  if (!layout) return undefined;
  const bias = readBias(node, layout.outChannels);
  if (bias === undefined) return undefined;
  return { node, layout, shape: w.shape, weights: Float64Array.from(w.data<'float32'>()), bias, changed: false };
}

/**
 * Consecutive layer pairs: a Conv or Gemm whose output feeds only the next
 * Conv or Gemm, directly or through one positively homogeneous activation that
 * feeds only it. A layer in two pairs (the second of one, the first of the
 * next) is one Layer object, so both pairs see each other's rescaling.
 */
export function findPairs(graph: Graph): LayerPair[] {
  const layers = new Map<Node, Layer | undefined>();
  const layerOf = (node: Node) => {
    if (!layers.has(node)) layers.set(node, readLayer(node));
    return layers.get(node);
  };
  const pairs: LayerPair[] = [];
  for (const node of graph) {
    if (!LAYER_OPS.has(node.op)) continue;
    let next = soleReader(node.outputs[0]);
    if (next && next.domain === '' && HOMOGENEOUS.has(next.op)) next = soleReader(next.outputs[0]);
    if (!next) continue;
    const first = layerOf(node);
    const second = first && layerOf(next);
    if (first && second && first.layout.outChannels === second.layout.inChannels) pairs.push({ first, second });
  }
  return pairs;
}
