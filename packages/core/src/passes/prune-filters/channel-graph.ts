import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import type { LayerFilters } from '../shared/layer-filters.js';
import { UnionFind } from './union-find.js';

/**
 * A value whose axis 1 holds channels that pruning can remove. Channel c of
 * the space is slot `base + c`; slots joined in the union-find must be
 * removed together (an Add's inputs, a depthwise Conv's input and output).
 */
export interface Space {
  id: number;
  value: Value;
  channels: number;
  rank: number;
  /** Elements per channel along axis 1: 1, or H·W (times any earlier inner) for a Flatten's output. */
  inner: number;
  base: number;
}

/** A Conv of group 1 or a Gemm whose output channels (filters) can be removed. */
export interface Producer {
  node: Node;
  out: Space;
  filters: LayerFilters;
}

/** A Conv of group 1 or a Gemm whose input channels can be removed: `span` weight columns per channel (the kernel, or a Flatten's H·W). */
export interface Consumer {
  node: Node;
  input: Space;
  filters: LayerFilters;
  span: number;
}

/** A depthwise Conv: its channels are its input's, so they go with them (weights, bias and group shrink). */
export interface Depthwise {
  node: Node;
  out: Space;
}

/** A constant input (BatchNormalization's parameters, a per-channel Mul/Add operand) sliced along `axis` as `space` loses channels. */
export interface PerChannelInput {
  node: Node;
  index: number;
  space: Space;
  axis: number;
}

/** The channel dependencies of a graph: which channels must go together, and which layers change when they go. */
export class ChannelGraph {
  readonly spaces: Space[] = [];
  readonly slots = new UnionFind();
  /** Spaces whose channels must all stay, with the first reason found. */
  readonly blocked = new Map<Space, string>();
  readonly producers: Producer[] = [];
  readonly consumers: Consumer[] = [];
  readonly depthwise: Depthwise[] = [];
  readonly perChannel: PerChannelInput[] = [];
  readonly #byValue = new Map<Value, Space>();

  add(value: Value, channels: number, rank: number, inner = 1): Space {
    const space: Space = { id: this.spaces.length, value, channels, rank, inner, base: this.slots.grow(channels) };
    this.spaces.push(space);
    this.#byValue.set(value, space);
    return space;
  }

  of(value: Value | null | undefined): Space | undefined {
    return value ? this.#byValue.get(value) : undefined;
  }

  /** Channel c of `from` is channel offset + c of `to`, for every channel of `from`. */
  link(from: Space, to: Space, offset = 0): void {
    for (let c = 0; c < from.channels; c++) this.slots.union(from.base + c, to.base + offset + c);
  }

  block(space: Space | undefined, reason: string): void {
    if (space && !this.blocked.has(space)) this.blocked.set(space, reason);
  }
}
