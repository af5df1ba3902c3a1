import { getInt } from '../../ir/attr.js';
import { constantOf } from '../../ir/constant.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import type { ChannelGraph, Space } from './channel-graph.js';
import type { RuleResult } from './layer-rules.js';
import { sliceable } from './slice.js';

/** Whether outputs past the first are unused (Dropout's mask, MaxPool's indices, BatchNormalization's training statistics). */
const firstOutputOnly = (node: Node) => node.outputs.slice(1).every((o) => !o || (o.useCount === 0 && !o.isGraphOutput()));
const SECOND_OUTPUT = 'an output past its first is used';

/**
 * A value whose channels this pass cannot remove, seen where its channels
 * meet pruned ones (a Concat or Add input from an op it does not prune
 * through): a blocked space, so every channel tied to it stays.
 */
function fixedSpace(g: ChannelGraph, v: Value): Space | undefined {
  const known = g.of(v);
  if (known) return known;
  const shape = v.type?.shape;
  const channels = shape?.[1];
  if (!shape || typeof channels !== 'number') return undefined;
  const space = g.add(v, channels, shape.length);
  g.block(space, `its channels meet "${v.name}", whose channels cannot be removed`);
  return space;
}

/** Channel-wise ops without parameters (activations, pools, Identity, Dropout): output channel c is input channel c. */
export function passThroughRule(node: Node, g: ChannelGraph): RuleResult {
  const x = g.of(node.inputs[0]);
  if (!x) return { claimed: [] };
  if (!firstOutputOnly(node)) return { unsupported: SECOND_OUTPUT };
  g.link(x, g.add(node.outputs[0]!, x.channels, x.rank, x.inner));
  return { claimed: [0] };
}

/** Inference BatchNormalization: its four parameter vectors lose the channels its input loses. */
export function batchNormRule(node: Node, g: ChannelGraph): RuleResult {
  const x = g.of(node.inputs[0]);
  if (!x) return { claimed: [] };
  if (!firstOutputOnly(node)) return { unsupported: SECOND_OUTPUT };
  const params = [1, 2, 3, 4];
  const vector = (i: number) => {
    const t = constantOf(node.inputs[i]);
    return t && sliceable(t) && t.shape.join() === String(x.channels);
  };
  if (!params.every(vector)) return { unsupported: 'its parameters are not constant vectors' };
  const out = g.add(node.outputs[0]!, x.channels, x.rank, x.inner);
  g.link(x, out);
  for (const index of params) g.perChannel.push({ node, index, space: out, axis: 0 });
  return { claimed: [0, ...params] };
}

/**
 * Broadcasting element-wise ops (Add, Mul, PRelu, ...): inputs with the
 * output's channels are one channel set (a residual Add ties its branches);
 * a constant varying along the channels is sliced; anything broadcast across
 * the channels (a scalar, a [N, 1, H, W] map) is left as is.
 */
export function elementwiseRule(node: Node, g: ChannelGraph): RuleResult {
  const shape = node.outputs[0]?.type?.shape;
  const spaces = node.inputs.map((v) => g.of(v));
  // The output's channels are those of an input of its shape along them; others broadcast (a lower rank aligns with other axes).
  const lead = spaces.find((s) => s && s.rank === shape?.length && s.channels * s.inner === shape[1]);
  if (!lead) return { claimed: [] };
  const out = g.add(node.outputs[0]!, lead.channels, lead.rank, lead.inner);
  const claimed: number[] = [];
  for (const [index, v] of node.inputs.entries()) {
    if (!v) continue;
    const space = spaces[index];
    if (space) {
      // Any other channel tensor is left unclaimed, so it keeps its channels.
      if (space.rank === lead.rank && space.channels === lead.channels && space.inner === lead.inner) {
        g.link(space, out);
        claimed.push(index);
      }
      continue;
    }
    const constant = constantOf(v);
    const dims = constant?.shape ?? v.type?.shape;
    if (!dims || dims.length > lead.rank) return { unsupported: `input ${index} has an unknown shape or a higher rank` };
    // Broadcasting aligns trailing axes: the output's channel axis is this one of the input.
    const axis = dims.length - lead.rank + 1;
    const dim = axis >= 0 ? dims[axis] : 1;
    if (dim === 1 && lead.channels !== 1) claimed.push(index);
    else if (dim !== lead.channels) return { unsupported: `input ${index} broadcasts along the channels differently` };
    else if (constant) {
      if (!sliceable(constant)) return { unsupported: `input ${index} is a ${constant.dtype} constant, which this pass does not slice` };
      g.perChannel.push({ node, index, space: out, axis });
      claimed.push(index);
    } else {
      // Channels computed by an op this pass does not prune through: tied to the output, they keep it whole.
      const fixed = dims.length === lead.rank ? fixedSpace(g, v) : undefined;
      if (!fixed || fixed.channels !== lead.channels) return { unsupported: `input ${index} carries its channels differently` };
      g.link(fixed, out);
      claimed.push(index);
    }
  }
  return { claimed };
}

/** Concat along the channels: channel c of input k is channel offset_k + c of the output. */
export function concatRule(node: Node, g: ChannelGraph): RuleResult {
  const inputs = node.inputs.filter((v): v is Value => v !== null);
  const lead = inputs.map((v) => g.of(v)).find((s) => s);
  if (!lead) return { claimed: [] };
  const axis = getInt(node.attrs, 'axis', 0);
  if (axis !== 1 && axis !== 1 - lead.rank) return { unsupported: `it concatenates along axis ${axis}, not the channels` };
  const parts = inputs.map((v) => fixedSpace(g, v));
  if (parts.some((s) => !s || s.rank !== lead.rank || s.inner !== lead.inner)) return { unsupported: 'an input has an unknown shape' };
  const out = g.add(node.outputs[0]!, parts.reduce((n, s) => n + s!.channels, 0), lead.rank, lead.inner);
  let offset = 0;
  for (const s of parts) {
    g.link(s!, out, offset);
    offset += s!.channels;
  }
  return { claimed: node.inputs.map((_, i) => i) };
}

/** Flatten from axis 1: channel c becomes a block of H·W consecutive features, which a following Gemm reads as a block of its columns. */
export function flattenRule(node: Node, g: ChannelGraph): RuleResult {
  const x = g.of(node.inputs[0]);
  if (!x) return { claimed: [] };
  const axis = getInt(node.attrs, 'axis', 1);
  if (axis !== 1 && axis !== 1 - x.rank) return { unsupported: `it flattens from axis ${axis}, not the channels` };
  const spatial = x.value.type?.shape?.slice(2);
  if (!spatial || spatial.length !== x.rank - 2 || !spatial.every((d) => typeof d === 'number')) return { unsupported: 'its input\'s spatial size is unknown' };
  const inner = x.inner * (spatial as number[]).reduce((a, b) => a * b, 1);
  g.link(x, g.add(node.outputs[0]!, x.channels, 2, inner));
  return { claimed: [0] };
}

/**
 * Resize and Upsample by constant scales: spatial, as long as the channel
 * scale is 1, which the inferred output channel count shows. Resize to given
 * sizes names the channel count, so that form stays unsupported.
 */
export function resizeRule(node: Node, g: ChannelGraph): RuleResult {
  const x = g.of(node.inputs[0]);
  if (!x) return { claimed: [] };
  if (node.op === 'Resize' && node.inputs[3]) return { unsupported: 'it resizes to given sizes, which include the channel count' };
  if (node.inputs.slice(1).some((v) => v && !constantOf(v))) return { unsupported: 'its scales are not constant' };
  if (node.outputs[0]?.type?.shape?.[1] !== x.channels) return { unsupported: 'it scales the channel axis' };
  g.link(x, g.add(node.outputs[0]!, x.channels, x.rank, x.inner));
  return { claimed: node.inputs.map((_, i) => i) };
}
