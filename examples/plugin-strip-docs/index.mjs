// A complete condense plugin: one pass, made with definePass, exported as `passes`.
// docs/writing-a-pass.md walks through it line by line.
import { definePass } from '@condense/core';

export const stripDocStrings = definePass({
  name: 'strip-doc-strings',
  description: 'Removes doc strings from the model, its graphs, nodes and values (and metadata unless keepMetadata).',
  options: {
    keepMetadata: { type: 'boolean', default: true, description: 'Keep the model\'s key/value metadata.' },
  },
  run(graph, ctx) {
    let removed = 0;
    const clear = (thing) => {
      if (thing.docString) {
        removed += thing.docString.length;
        thing.docString = '';
      }
    };
    const visit = (g) => {
      clear(g);
      for (const v of g.values()) clear(v);
      for (const node of g) {
        clear(node);
        node.subgraphs().forEach(visit);
      }
    };
    clear(ctx.model);
    visit(graph);
    if (!ctx.options.keepMetadata && ctx.model.metadata.length) {
      ctx.report('metadataEntries', ctx.model.metadata.length);
      ctx.model.metadata = [];
      removed++;
    }
    ctx.report('charactersRemoved', removed);
    return removed > 0;
  },
});

export const passes = [stripDocStrings];
