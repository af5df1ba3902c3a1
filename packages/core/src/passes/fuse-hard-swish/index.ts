import { getFloat } from '../../ir/attr.js';
import { definePass } from '../framework/define-pass.js';

/** HardSwish(x) = x * HardSigmoid(x) with alpha 1/6 and beta 0.5; exported models round alpha. */
const ALPHA = 1 / 6;
const TOLERANCE = 1e-4;
const FIRST_OPSET = 14;

/** The fuse-hard-swish pass: x * HardSigmoid(x) fused into one HardSwish node at opset 14+. */
export const fuseHardSwish = definePass({
  name: 'fuse-hard-swish',
  description: 'Recognises x * HardSigmoid(x) (alpha 1/6, beta 0.5) as one HardSwish node where the opset has it (14+).',
  run(graph, ctx) {
    const opset = graph.root.opset[''] ?? 1;
    if (opset < FIRST_OPSET) {
      ctx.info(`opset ${opset} has no HardSwish (added in ${FIRST_OPSET}); nothing fused.`);
      return false;
    }
    let fused = 0;
    for (const hs of graph) {
      if (hs.op !== 'HardSigmoid' || hs.domain !== '') continue;
      if (Math.abs(getFloat(hs.attrs, 'alpha', 0.2) - ALPHA) > TOLERANCE || Math.abs(getFloat(hs.attrs, 'beta', 0.5) - 0.5) > TOLERANCE) continue;
      const x = hs.inputs[0];
      const gate = hs.output;
      const uses = gate.uses();
      if (!x || uses.length !== 1 || gate.isGraphOutput()) continue;
      const mul = uses[0]!.node;
      if (mul.op !== 'Mul' || mul.domain !== '' || mul.inputs[1 - uses[0]!.index] !== x) continue;
      const out = mul.output;
      const swish = graph.add('HardSwish', [x], {}, { name: `${mul.name || 'hard_swish'}_hardswish`, after: mul });
      swish.output.type = out.type;
      out.replaceAllUsesWith(swish.output, { replaceGraphOutputs: true });
      graph.remove([mul, hs]);
      // Keep the value's name so fetches by name and graph outputs still find it.
      const name = out.name;
      graph.rename(swish.output, name);
      fused++;
    }
    ctx.report('fused', fused);
    return fused > 0;
  },
});
