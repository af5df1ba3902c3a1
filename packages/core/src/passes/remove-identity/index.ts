import { definePass } from '../framework/define-pass.js';
import { bypass } from '../shared/replace.js';

/** The remove-identity pass: Identity nodes and inference-time Dropout are removed. */
export const removeIdentity = definePass({
  name: 'remove-identity',
  description: 'Removes Identity nodes and inference-time Dropout (its data output is its input).',
  run(graph, ctx) {
    let removed = 0;
    for (const node of graph) {
      if (node.domain !== '') continue;
      const input = node.inputs[0];
      if (!input) continue;
      const isDropout = node.op === 'Dropout' && !node.inputs[2]; // a training_mode input may switch it on
      if ((node.op === 'Identity' || isDropout) && node.outputs[0] && bypass(graph, node, node.outputs[0], input)) removed++;
    }
    ctx.report('removed', removed);
    return removed > 0;
  },
});
