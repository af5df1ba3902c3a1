import { constantOf } from '../../ir/constant.js';
import { definePass } from '../framework/define-pass.js';
import { AFFINE_HOSTS, foldChannelAffine, hostChannels, perChannelVector } from '../shared/channel-affine.js';
import { bypass, canBypass } from '../shared/replace.js';

/** How each elementwise op maps a per-channel constant k to (scale, shift), and whether the host may be either operand. */
const AFFINE_OPS: Record<string, { map: (k: number) => [number, number]; commutative: boolean }> = {
  Mul: { map: (k) => [k, 0], commutative: true },
  Add: { map: (k) => [1, k], commutative: true },
  Sub: { map: (k) => [1, -k], commutative: false },
  Div: { map: (k) => [1 / k, 0], commutative: false },
};

/** The fold-conv-affine pass: a constant per-channel Mul, Add, Sub or Div after a Conv, ConvTranspose or Gemm folded into its weights and bias. */
export const foldConvAffine = definePass({
  name: 'fold-conv-affine',
  description: 'Folds a constant per-channel Mul, Add, Sub or Div after a Conv, ConvTranspose or Gemm into its weights and bias.',
  run(graph, ctx) {
    let folded = 0;
    for (const node of graph) {
      const rule = AFFINE_OPS[node.op];
      if (!rule || node.domain !== '') continue;
      const side = [0, 1].find((i) => {
        const p = node.inputs[i]?.producer();
        return p && AFFINE_HOSTS.has(p.op) && p.domain === '' && (i === 0 || rule.commutative);
      });
      if (side === undefined) continue;
      const x = node.inputs[side]!;
      const host = x.producer()!;
      const k = constantOf(node.inputs[1 - side]);
      const channels = hostChannels(host);
      // The host's output rank: Gemm is 2-D, a convolution's matches its weights.
      const rank = host.op === 'Gemm' ? 2 : constantOf(host.inputs[1])?.rank;
      if (!k || channels === undefined || rank === undefined || x.useCount !== 1 || x.isGraphOutput() || !canBypass(node, node.output, x)) continue;
      // The constant must not broadcast the output to a bigger shape.
      if (k.rank > rank) continue;
      const vector = perChannelVector(k, rank, channels);
      if (!vector || (node.op === 'Div' && vector.some((v) => v === 0))) continue;
      const scale = new Float64Array(channels);
      const shift = new Float64Array(channels);
      vector.forEach((v, c) => ([scale[c], shift[c]] = rule.map(v)));
      if (foldChannelAffine(graph, host, scale, shift) && bypass(graph, node, node.output, x)) folded++;
    }
    ctx.report('folded', folded);
    return folded > 0;
  },
});
