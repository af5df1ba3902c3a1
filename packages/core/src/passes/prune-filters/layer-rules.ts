import { getInt } from '../../ir/attr.js';
import { constantOf } from '../../ir/constant.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import { readBias } from '../equalize-cross-layer/layer-constants.js';
import { readFilters } from '../shared/layer-filters.js';
import type { ChannelGraph } from './channel-graph.js';

/** What a rule did with a node: the inputs it accounted for, or why the node cannot be pruned through. */
export type RuleResult = { claimed: number[] } | { unsupported: string };

/** A value only this node reads: slicing a weight that another node reads too would untie them and store it twice. */
const owned = (v: Value | null | undefined) => !v || (v.useCount === 1 && !v.isGraphOutput());

/** Why a Conv's or Gemm's weights cannot be sliced, or undefined when they can. */
function weightProblem(node: Node): string | undefined {
  const w = constantOf(node.inputs[1]);
  if (!w || w.dtype !== 'float32') return 'its weights are not a float32 constant';
  if (!owned(node.inputs[1]) || !owned(node.inputs[2])) return 'its weights or bias are read by other nodes too';
  if (!w.data<'float32'>().every(Number.isFinite)) return 'its weights hold non-finite values';
  return undefined;
}

const BIAS_PROBLEM = 'its bias is not a float32 vector with one value per output';

/**
 * Conv of group 1: a producer of its output channels and a consumer of its
 * input's. Depthwise (group = input channels = output channels): its
 * channels are its input's. Other groupings tie channels in ways this pass
 * does not model.
 */
export function convRule(node: Node, g: ChannelGraph): RuleResult {
  const problem = weightProblem(node);
  if (problem) return { unsupported: problem };
  const w = constantOf(node.inputs[1])!;
  if (w.rank < 3) return { unsupported: 'its weights have no spatial axes' };
  if (readBias(node, w.shape[0]!) === undefined) return { unsupported: BIAS_PROBLEM };
  const group = getInt(node.attrs, 'group', 1);
  const x = g.of(node.inputs[0]);
  if (group === 1) {
    const filters = readFilters(node)!;
    const claimed = [1, 2];
    if (x && x.inner === 1 && x.channels === w.shape[1]) {
      g.consumers.push({ node, input: x, filters, span: filters.size / x.channels });
      claimed.push(0);
    }
    g.producers.push({ node, out: g.add(node.outputs[0]!, filters.count, w.rank), filters });
    return { claimed };
  }
  if (x && group === x.channels && group === w.shape[0] && w.shape[1] === 1) {
    const out = g.add(node.outputs[0]!, group, x.rank);
    g.link(x, out);
    g.depthwise.push({ node, out });
    return { claimed: [0, 1, 2] };
  }
  return { unsupported: `it is a grouped Conv (group ${group}), neither plain nor depthwise` };
}

/** Gemm (alpha = beta = 1, A not transposed): a producer of its output columns and a consumer of A's, in blocks of A's inner size. */
export function gemmRule(node: Node, g: ChannelGraph): RuleResult {
  const problem = weightProblem(node);
  if (problem) return { unsupported: problem };
  const filters = readFilters(node);
  if (!filters) return { unsupported: 'only a Gemm with alpha = beta = 1 and A not transposed is pruned' };
  if (readBias(node, filters.count) === undefined) return { unsupported: BIAS_PROBLEM };
  const claimed = [1, 2];
  const x = g.of(node.inputs[0]);
  if (x && x.rank === 2 && x.channels * x.inner === filters.size) {
    g.consumers.push({ node, input: x, filters, span: x.inner });
    claimed.push(0);
  }
  g.producers.push({ node, out: g.add(node.outputs[0]!, filters.count, 2), filters });
  return { claimed };
}
