import { getInt } from '../../ir/attr.js';
import { constantOf } from '../../ir/constant.js';
import type { Node } from '../../ir/node.js';
import { inferShapes } from '../../shape-inference/index.js';
import { Tensor } from '../../tensor/tensor.js';
import { definePass } from '../framework/define-pass.js';
import { replaceWithConstant } from '../shared/replace.js';
import { FOLDABLE_OPS, evaluate } from './kernels.js';

/** Folding may not grow the model much: a result may be at most this many bytes beyond its inputs. */
const GROWTH_ALLOWANCE = 64 * 1024;

function numericShape(shape: ReadonlyArray<number | string> | undefined): number[] | undefined {
  return shape && shape.every((d) => typeof d === 'number') ? (shape as number[]) : undefined;
}

/** Shape of a tensor whose shape is fully known, as the constant Shape would return. */
function foldShape(node: Node): Tensor | undefined {
  const dims = numericShape(node.inputs[0]?.type?.shape);
  if (!dims) return undefined;
  const rank = dims.length;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const picked = dims.slice(clamp(getInt(node.attrs, 'start', 0)), clamp(getInt(node.attrs, 'end', rank)));
  return Tensor.from('int64', [picked.length], picked.map(BigInt));
}

/** The fold-constants pass: nodes whose inputs are all constant (and Shape of known shapes) replaced by their result. */
export const foldConstants = definePass({
  name: 'fold-constants',
  description: `Evaluates nodes whose inputs are all constant (${[...FOLDABLE_OPS].sort().join(', ')}) and Shape of fully known shapes, replacing them by their result.`,
  run(graph, ctx) {
    try {
      inferShapes(graph);
    } catch (e) {
      ctx.warn(`shape inference failed (${(e as Error).message}); folding without shapes.`);
    }
    const byOp: Record<string, number> = {};
    for (const node of graph) {
      if (node.domain !== '' || node.subgraphs().length || node.outputs.length !== 1 || !node.outputs[0]) continue;
      let result: Tensor | undefined;
      if (node.op === 'Shape') result = foldShape(node);
      else if (FOLDABLE_OPS.has(node.op)) {
        const inputs = node.inputs.map((v) => (v ? constantOf(v) : undefined));
        if (node.inputs.some((v, i) => v && !inputs[i])) continue;
        const inputBytes = inputs.reduce((n, t) => n + (t?.byteLength ?? 0), 0);
        result = evaluate(node, inputs, numericShape(node.output.type?.shape));
        if (result && result.byteLength > inputBytes + GROWTH_ALLOWANCE) result = undefined;
      }
      if (result && replaceWithConstant(graph, node, node.output, result)) byOp[node.op] = (byOp[node.op] ?? 0) + 1;
    }
    const folded = Object.values(byOp).reduce((a, b) => a + b, 0);
    ctx.report('folded', folded);
    ctx.report('byOp', byOp);
    return folded > 0;
  },
});
