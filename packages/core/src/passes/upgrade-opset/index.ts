import { CondenseError } from '../../errors.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import { inferShapes } from '../../shape-inference/index.js';
import { definePass } from '../framework/define-pass.js';
import { ADAPTERS } from './adapters.js';

/** The oldest opset whose operators this pass knows the later history of. */
const OLDEST = 7;
/** The ONNX IR version each opset needs at least (from the ONNX versioning table). */
const IR_FOR_OPSET: Array<[number, number]> = [[23, 11], [21, 10], [19, 9], [15, 8], [13, 7], [11, 6], [10, 5], [9, 4], [7, 3]];

function* allNodes(graph: Graph): Generator<Node> {
  for (const node of [...graph]) {
    yield node;
    for (const sub of node.subgraphs()) yield* allNodes(sub);
  }
}

/** The upgrade-opset pass: the default-domain opset raised to `opset` (default 13), rewriting operators whose inputs or meaning changed; never lowers it. */
export const upgradeOpset = definePass({
  name: 'upgrade-opset',
  description: 'Raises the default-domain opset to at least `opset`, rewriting the operators whose inputs or meaning changed on the way (Clip, Pad, Slice, Softmax, Squeeze, Upsample ...); never lowers it.',
  options: {
    opset: { type: 'number', integer: true, min: 7, max: 23, default: 13, description: 'The opset to reach (models already at or above it are left alone).' },
  },
  run(graph, ctx) {
    const from = graph.root.opset[''] ?? 1;
    const to = ctx.options.opset;
    if (from >= to) return false;
    if (from < OLDEST) {
      throw new CondenseError('E_UNSUPPORTED_OP', `Opset ${from} is older than ${OLDEST}, the oldest this upgrade knows; re-export the model at opset ${OLDEST} or later.`);
    }
    // Softmax's rewrite needs ranks, so types must be known.
    inferShapes(graph);
    const steps = ADAPTERS.filter((a) => a.version > from && a.version <= to).sort((a, b) => a.version - b.version);
    // Collected first: the rewrites add nodes, which must not be visited again.
    const planned: Array<[Node, typeof steps]> = [];
    for (const node of allNodes(graph)) {
      if (node.domain !== '') continue;
      const mine = steps.filter((s) => s.op === node.op);
      if (mine.length) planned.push([node, mine]);
    }
    let rewritten = 0;
    for (const [node, mine] of planned) {
      const owner = node.graph!;
      for (const step of mine) {
        if (!node.graph) break; // replaced by an earlier step
        const why = step.apply(owner, node);
        if (why) {
          throw new CondenseError('E_UNSUPPORTED_OP', `Cannot upgrade ${node.op} node "${node.name}" to opset ${step.version}: ${why}.`, { context: { node: node.name } });
        }
      }
      rewritten++;
    }
    graph.root.opset[''] = to;
    const ir = IR_FOR_OPSET.find(([opset]) => to >= opset)?.[1] ?? 3;
    ctx.model.irVersion = Math.max(ctx.model.irVersion, ir);
    ctx.report('from', from);
    ctx.report('to', to);
    ctx.report('rewritten', rewritten);
    return true;
  },
});
