import { attr, getFloat, getInt } from '../../ir/attr.js';
import { constantOf } from '../../ir/constant.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import { Tensor } from '../../tensor/tensor.js';

/** Ops whose output channels can absorb a per-channel y*scale + shift into weights and bias. */
export const AFFINE_HOSTS = new Set(['Conv', 'ConvTranspose', 'Gemm']);

/** Output channels of a host's weights and the axis they lie on, or undefined when not foldable. */
function channelLayout(node: Node, w: Tensor): { channels: number; axis: number } | undefined {
  if (node.op === 'Conv') return { channels: w.shape[0]!, axis: 0 };
  if (node.op === 'ConvTranspose') {
    // Grouped ConvTranspose interleaves channels across groups; left alone.
    return getInt(node.attrs, 'group', 1) === 1 ? { channels: w.shape[1]!, axis: 1 } : undefined;
  }
  if (node.op === 'Gemm') {
    if (getInt(node.attrs, 'transA', 0) !== 0 || w.rank !== 2) return undefined;
    return getInt(node.attrs, 'transB', 0) ? { channels: w.shape[0]!, axis: 0 } : { channels: w.shape[1]!, axis: 1 };
  }
  return undefined;
}

/** Output channel count of a host node, when its weights are a float32 constant. */
export function hostChannels(node: Node): number | undefined {
  const w = constantOf(node.inputs[1]);
  return w && w.dtype === 'float32' ? channelLayout(node, w)?.channels : undefined;
}

/**
 * Rewrites host `node` so it computes y*scale[c] + shift[c] per output channel:
 * weights scaled along the channel axis, bias (made if absent) scaled and shifted.
 * New constants are created (the old ones may be shared); returns false when
 * the node's weights or bias are not float32 constants it can rewrite.
 */
export function foldChannelAffine(graph: Graph, node: Node, scale: Float64Array, shift: Float64Array): boolean {
  const w = constantOf(node.inputs[1]);
  if (!w || w.dtype !== 'float32') return false;
  const layout = channelLayout(node, w);
  if (!layout || layout.channels !== scale.length) return false;
  const biasIndex = 2;
  const b = node.inputs[biasIndex] ? constantOf(node.inputs[biasIndex]) : undefined;
  if (node.inputs[biasIndex] && (!b || b.dtype !== 'float32')) return false;
  const bias = b ? biasVector(b, layout.channels) : new Float64Array(layout.channels);
  if (!bias) return false;
  let beta = 1;
  if (node.op === 'Gemm') {
    beta = getFloat(node.attrs, 'beta', 1);
    if (!b || beta === 0) {
      bias.fill(0);
      beta = 1;
      node.setAttr('beta', attr.float(1));
    }
  }
  const src = w.data<'float32'>();
  const out = new Float32Array(src.length);
  const inner = w.shape.slice(layout.axis + 1).reduce((a, c) => a * c, 1);
  for (let i = 0; i < src.length; i++) out[i] = src[i]! * scale[Math.floor(i / inner) % layout.channels]!;
  const newBias = new Float32Array(layout.channels);
  // Gemm adds beta*C, so the shift enters C divided by beta.
  for (let c = 0; c < layout.channels; c++) newBias[c] = bias[c]! * scale[c]! + shift[c]! / beta;
  const base = node.name || node.op;
  node.replaceInput(1, graph.constant(`${base}.weight_folded`, Tensor.fromBytes('float32', w.shape, new Uint8Array(out.buffer))));
  const biasValue = graph.constant(`${base}.bias_folded`, Tensor.fromBytes('float32', [layout.channels], new Uint8Array(newBias.buffer)));
  while (node.inputs.length < biasIndex) node.replaceInput(node.inputs.length, null);
  node.replaceInput(biasIndex, biasValue);
  return true;
}

/** A bias of shape [C], [1, C] or a scalar as a length-C vector ([M, 1] biases are per row, not per channel). */
function biasVector(b: Tensor, channels: number): Float64Array | undefined {
  const perChannel = (b.rank === 1 && b.shape[0] === channels) || (b.rank === 2 && b.shape[0] === 1 && b.shape[1] === channels);
  if (perChannel) return Float64Array.from(b.toNumbers());
  if (b.size === 1) return new Float64Array(channels).fill(b.toNumbers()[0]!);
  return undefined;
}

/**
 * A constant that broadcasts against an [N, C, ...] tensor of rank `rank` and
 * varies at most along the channel axis (1), as a length-C vector.
 */
export function perChannelVector(t: Tensor, rank: number, channels: number): Float64Array | undefined {
  if (t.dtype !== 'float32' || t.rank > rank) return undefined;
  const dims = [...Array<number>(rank - t.rank).fill(1), ...t.shape];
  if (dims.some((d, i) => d !== 1 && !(i === 1 && d === channels))) return undefined;
  const v = t.toNumbers();
  return v.length === 1 ? new Float64Array(channels).fill(v[0]!) : Float64Array.from(v);
}
