import { attr } from '../../ir/attr.js';
import { constantOf } from '../../ir/constant.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import { readBias } from '../equalize-cross-layer/layer-constants.js';
import { markTransposed, type LayerFilters } from '../shared/layer-filters.js';
import { floatConstant, setInput } from '../shared/constant-input.js';
import type { ChannelGraph, Consumer, Space } from './channel-graph.js';
import type { Gram } from './gram.js';
import type { ChannelGroup } from './groups.js';
import { refit } from './least-squares.js';
import { takeAlong } from './slice.js';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** The channels each value keeps (ascending), for the values that lose some. */
export function keptChannels(removed: ReadonlyMap<ChannelGroup, readonly number[]>): Map<Space, number[]> {
  const gone = new Map<Space, Set<number>>();
  for (const [group, channels] of removed) {
    for (const c of channels) {
      for (const { space, channel } of group.channels[c]!.slots) {
        let set = gone.get(space);
        if (!set) gone.set(space, (set = new Set()));
        set.add(channel);
      }
    }
  }
  return new Map([...gone].map(([space, set]) => [space, range(0, space.channels).filter((c) => !set.has(c))]));
}

/** What happens to one Conv or Gemm: the output channels it keeps, and the input channels it keeps. */
interface LayerEdit {
  filters: LayerFilters;
  outputs?: number[];
  input?: { consumer: Consumer; channels: number[] };
}

export interface Refitting {
  grams: ReadonlyMap<Consumer, Gram>;
  ridge: number;
}

/** Result of rewriting: the layers refitted by least squares, and those whose refit failed (left sliced). */
export interface Rewritten {
  refitted: string[];
  failed: string[];
}

/** Points input `index` of `node` at its constant with only `keep` along `axis` (a new constant: the old one may be read elsewhere). */
function sliceInput(graph: Graph, node: Node, index: number, axis: number, keep: readonly number[]): void {
  const old = node.inputs[index]!;
  setInput(graph, node, index, graph.constant(graph.uniqueName(`${old.name}_pruned`), takeAlong(constantOf(old)!, axis, keep)));
}

/** Writes a layer's weights and bias for the channels it keeps: refitted where its inputs lost channels and a Gram matrix is at hand, sliced otherwise. */
function rewriteLayer(graph: Graph, node: Node, edit: LayerEdit, refitting: Refitting | undefined): 'refitted' | 'failed' | 'sliced' {
  const { rows, count, size, kernel } = edit.filters;
  const outputs = edit.outputs ?? range(0, count);
  const span = edit.input?.consumer.span ?? 0;
  const columns = edit.input ? edit.input.channels.flatMap((c) => range(c * span, (c + 1) * span)) : range(0, size);
  const bias = readBias(node, count);
  const gram = edit.input && refitting?.grams.get(edit.input.consumer);
  const fitted = gram && refit(gram, rows, bias ?? new Float64Array(count), columns, outputs, refitting!.ridge);
  const weights = fitted?.rows ?? Float64Array.from(outputs.flatMap((o) => columns.map((j) => rows[o * size + j]!)));
  const newBias = fitted?.bias ?? (bias && outputs.map((o) => bias[o]!));
  // kernel[0] is the input channel count (Conv) or the column count (Gemm); it shrinks with the columns.
  const shape = [outputs.length, (kernel[0]! * columns.length) / size, ...kernel.slice(1)];
  setInput(graph, node, 1, floatConstant(graph, `${node.inputs[1]!.name}_pruned`, shape, weights));
  markTransposed(node, edit.filters);
  if (newBias) setInput(graph, node, 2, floatConstant(graph, `${node.inputs[2]?.name ?? `${node.name}_bias`}_pruned`, [outputs.length], newBias));
  return fitted ? 'refitted' : gram ? 'failed' : 'sliced';
}

/**
 * Removes from the graph every channel not in `kept`: producers lose output
 * filters, consumers input columns (refitted when `refitting` has their
 * Gram matrix), depthwise Convs their channels and group count,
 * BatchNormalization and per-channel operands their entries. Value shapes
 * are left to shape inference, which the caller reruns.
 */
export function removeChannels(graph: Graph, g: ChannelGraph, kept: ReadonlyMap<Space, number[]>, refitting: Refitting | undefined): Rewritten {
  const edits = new Map<Node, LayerEdit>();
  const editOf = (node: Node, filters: LayerFilters) => {
    let edit = edits.get(node);
    if (!edit) edits.set(node, (edit = { filters }));
    return edit;
  };
  for (const p of g.producers) {
    const outputs = kept.get(p.out);
    if (outputs) editOf(p.node, p.filters).outputs = outputs;
  }
  for (const c of g.consumers) {
    const channels = kept.get(c.input);
    if (channels) editOf(c.node, c.filters).input = { consumer: c, channels };
  }
  const result: Rewritten = { refitted: [], failed: [] };
  for (const [node, edit] of edits) {
    const how = rewriteLayer(graph, node, edit, refitting);
    if (how !== 'sliced') result[how].push(node.name);
  }
  for (const { node, out } of g.depthwise) {
    const channels = kept.get(out);
    if (!channels) continue;
    sliceInput(graph, node, 1, 0, channels);
    if (node.inputs[2]) sliceInput(graph, node, 2, 0, channels);
    node.setAttr('group', attr.int(channels.length));
  }
  for (const { node, index, space, axis } of g.perChannel) {
    const channels = kept.get(space);
    if (channels) sliceInput(graph, node, index, axis, channels);
  }
  return result;
}
