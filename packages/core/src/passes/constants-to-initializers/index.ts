import { getFloat, getFloats, getString } from '../../ir/attr.js';
import type { Node } from '../../ir/node.js';
import { Tensor } from '../../tensor/tensor.js';
import { definePass } from '../framework/define-pass.js';
import { replaceWithConstant } from '../shared/replace.js';

/** The tensor a Constant node makes, from whichever value_* attribute it uses. */
export function constantNodeTensor(node: Node): Tensor | undefined {
  const a = node.attrs;
  if (a['value']?.type === 'tensor') return a['value'].value;
  if (a['value_float']) return Tensor.from('float32', [], [getFloat(a, 'value_float')!]);
  if (a['value_floats']) return Tensor.from('float32', [getFloats(a, 'value_floats')!.length], getFloats(a, 'value_floats')!);
  if (a['value_int']?.type === 'int') return Tensor.from('int64', [], [a['value_int'].value]);
  if (a['value_ints']?.type === 'ints') return Tensor.from('int64', [a['value_ints'].value.length], a['value_ints'].value);
  if (a['value_string']) return Tensor.fromStrings([], [getString(a, 'value_string')!]);
  if (a['value_strings']?.type === 'strings') return Tensor.fromStrings([a['value_strings'].value.length], a['value_strings'].value);
  return undefined;
}

/** The constants-to-initializers pass: Constant nodes become initializers, so later passes and runtimes see the weights. */
export const constantsToInitializers = definePass({
  name: 'constants-to-initializers',
  description: 'Turns Constant nodes into initializers, so weights are visible to every later pass and to runtimes.',
  run(graph, ctx) {
    let moved = 0;
    for (const node of graph) {
      if (node.op !== 'Constant' || node.domain !== '') continue;
      const t = constantNodeTensor(node);
      if (t && replaceWithConstant(graph, node, node.output, t)) moved++;
    }
    ctx.report('moved', moved);
    return moved > 0;
  },
});
