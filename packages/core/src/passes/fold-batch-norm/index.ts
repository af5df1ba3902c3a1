import { getFloat, getInt } from '../../ir/attr.js';
import { constantOf } from '../../ir/constant.js';
import { definePass } from '../framework/define-pass.js';
import { AFFINE_HOSTS, foldChannelAffine, hostChannels } from '../shared/channel-affine.js';
import { bypass, canBypass } from '../shared/replace.js';

/** The fold-batch-norm pass: an inference BatchNormalization folded into the Conv, ConvTranspose or Gemm before it. */
export const foldBatchNorm = definePass({
  name: 'fold-batch-norm',
  description: 'Folds an inference BatchNormalization into the Conv, ConvTranspose or Gemm before it (weights and bias rescaled).',
  run(graph, ctx) {
    let folded = 0;
    for (const bn of graph) {
      if (bn.op !== 'BatchNormalization' || bn.domain !== '' || getInt(bn.attrs, 'training_mode', 0) !== 0) continue;
      const x = bn.inputs[0];
      const host = x?.producer();
      if (!x || !host || !AFFINE_HOSTS.has(host.op) || host.domain !== '' || x.useCount !== 1 || x.isGraphOutput()) continue;
      // Check the BatchNormalization can go before the host's weights are changed.
      if (!canBypass(bn, bn.output, x)) continue;
      const params = [1, 2, 3, 4].map((i) => constantOf(bn.inputs[i]));
      const channels = hostChannels(host);
      if (params.some((p) => !p || p.dtype !== 'float32' || p.size !== channels)) continue;
      const [gamma, beta, mean, variance] = params.map((p) => p!.toNumbers());
      const eps = getFloat(bn.attrs, 'epsilon', 1e-5);
      const scale = Float64Array.from(gamma!, (g, c) => g / Math.sqrt(variance![c]! + eps));
      const shift = Float64Array.from(beta!, (b, c) => b - mean![c]! * scale[c]!);
      if (foldChannelAffine(graph, host, scale, shift) && bypass(graph, bn, bn.output, x)) folded++;
    }
    ctx.report('folded', folded);
    return folded > 0;
  },
});
