import { definePass } from '../framework/define-pass.js';

/** The remove-dead-code pass: nodes whose outputs nothing uses and constants no node reads are removed. */
export const removeDeadCode = definePass({
  name: 'remove-dead-code',
  description: 'Removes nodes whose outputs nothing uses and constants no node reads (graph inputs stay: they are the interface).',
  run(graph, ctx) {
    let nodes = 0;
    // Walk backwards so a chain of dead nodes goes in one sweep.
    for (const node of [...graph].reverse()) {
      const live = node.outputs.some((o) => o && (o.useCount > 0 || o.isGraphOutput()));
      if (!live) {
        graph.remove([node]);
        nodes++;
      }
    }
    let constants = 0;
    for (const v of graph.constants()) {
      if (v.useCount === 0 && !v.isGraphOutput() && !graph.inputs.includes(v)) {
        graph.deleteValue(v);
        constants++;
      }
    }
    ctx.report('nodesRemoved', nodes);
    ctx.report('constantsRemoved', constants);
    return nodes + constants > 0;
  },
});
