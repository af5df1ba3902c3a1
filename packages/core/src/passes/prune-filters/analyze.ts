import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import { ChannelGraph } from './channel-graph.js';
import { batchNormRule, concatRule, elementwiseRule, flattenRule, passThroughRule, resizeRule } from './channel-rules.js';
import { convRule, gemmRule, type RuleResult } from './layer-rules.js';

type Rule = (node: Node, g: ChannelGraph) => RuleResult;

const PASS_THROUGH = [
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish', 'Clip', 'Elu', 'Selu', 'Celu', 'Gelu', 'Softplus', 'Softsign', 'Mish',
  'Erf', 'Abs', 'Neg', 'ThresholdedRelu', 'Identity', 'Dropout', 'MaxPool', 'AveragePool', 'LpPool', 'GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool',
];
const ELEMENTWISE = ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Sum', 'Mean', 'PRelu'];

const RULES = new Map<string, Rule>([
  ['Conv', convRule],
  ['Gemm', gemmRule],
  ['BatchNormalization', batchNormRule],
  ['Concat', concatRule],
  ['Flatten', flattenRule],
  ['Resize', resizeRule],
  ['Upsample', resizeRule],
  ...PASS_THROUGH.map((op) => [op, passThroughRule] as const),
  ...ELEMENTWISE.map((op) => [op, elementwiseRule] as const),
]);

const describe = (node: Node) => `${node.op} "${node.name}"`;

/** A Conv or Gemm that cannot have its output channels pruned, and why. */
export interface UnsupportedLayer {
  node: Node;
  reason: string;
}

/**
 * The channel dependencies of `graph` (shapes inferred): walks the nodes in
 * order, letting each op's rule create the channel sets of its outputs and
 * tie them to its inputs'. Whatever reads channels in a way no rule
 * accounts for (an unknown op, Reshape, a graph output, a subgraph) blocks
 * them, and with them every channel tied to them.
 */
export function analyzeChannels(graph: Graph): { channels: ChannelGraph; unsupported: UnsupportedLayer[] } {
  const g = new ChannelGraph();
  const unsupported: UnsupportedLayer[] = [];
  for (const node of graph) {
    const rule = node.domain === '' ? RULES.get(node.op) : undefined;
    const result: RuleResult = rule ? rule(node, g) : { unsupported: `this pass does not prune through ${node.domain ? `${node.domain}.` : ''}${node.op}` };
    const claimed = new Set('claimed' in result ? result.claimed : []);
    const why = 'unsupported' in result ? `: ${result.unsupported}` : '';
    node.inputs.forEach((v, i) => {
      if (!claimed.has(i)) g.block(g.of(v), `${describe(node)} reads them${why}`);
    });
    if ('unsupported' in result) {
      for (const out of node.outputs) g.block(g.of(out), `${describe(node)} produces them${why}`);
      if (node.op === 'Conv' || node.op === 'Gemm') unsupported.push({ node, reason: result.unsupported });
    }
  }
  for (const v of graph.outputs) g.block(g.of(v), `"${v.name}" is a graph output`);
  for (const space of g.spaces) {
    const inner = space.value.uses().find((u) => u.index < 0);
    if (inner) g.block(space, `a subgraph of ${describe(inner.node)} reads them`);
  }
  return { channels: g, unsupported };
}
