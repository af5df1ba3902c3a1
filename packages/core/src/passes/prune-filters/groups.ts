import type { ChannelGraph, Consumer, Producer, Space } from './channel-graph.js';

/** One channel as pruning sees it: every slot that goes when it goes (the same channel of each branch of an Add, say). */
export interface Channel {
  slots: Array<{ space: Space; channel: number }>;
}

/**
 * Channels tied to the same values: a layer's filters (with the activations
 * and the depthwise Convs after them), or the branches of a residual Add
 * together. Pruning keeps each group at a multiple of the channel multiple.
 */
export interface ChannelGroup {
  channels: Channel[];
  spaces: Space[];
  producers: Producer[];
  consumers: Consumer[];
  /** Why none of its channels may go, when one of its values is read in a way this pass does not follow. */
  blocked: string | undefined;
  /** The producing layers' names, for reports and warnings. */
  layers: string[];
}

/** Groups the channels of a channel graph: channels are the union-find's sets of slots, groups the channels touching the same values. */
export function channelGroups(g: ChannelGraph): ChannelGroup[] {
  const byRoot = new Map<number, Channel>();
  for (const space of g.spaces) {
    for (let c = 0; c < space.channels; c++) {
      const root = g.slots.find(space.base + c);
      let channel = byRoot.get(root);
      if (!channel) byRoot.set(root, (channel = { slots: [] }));
      channel.slots.push({ space, channel: c });
    }
  }
  const groups = new Map<string, ChannelGroup>();
  for (const channel of byRoot.values()) {
    const spaces = [...new Set(channel.slots.map((s) => s.space))].sort((a, b) => a.id - b.id);
    const key = spaces.map((s) => s.id).join(',');
    let group = groups.get(key);
    if (!group) {
      const members = new Set(spaces);
      const producers = g.producers.filter((p) => members.has(p.out));
      group = {
        channels: [],
        spaces,
        producers,
        consumers: g.consumers.filter((c) => members.has(c.input)),
        blocked: spaces.map((s) => g.blocked.get(s)).find((r) => r !== undefined),
        layers: producers.map((p) => p.node.name),
      };
      groups.set(key, group);
    }
    group.channels.push(channel);
  }
  return [...groups.values()];
}
