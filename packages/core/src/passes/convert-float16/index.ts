import { inferShapes } from '../../shape-inference/index.js';
import { definePass } from '../framework/define-pass.js';
import { convertActivations } from './activations.js';
import { DEFAULT_BLOCK_LIST } from './ops.js';
import { halfNodes } from './plan.js';
import { emptyStats } from './rewrite.js';
import { convertWeights } from './weights.js';

/** The convert-float16 pass: float32 weights stored as float16 behind a Cast, and optionally the float compute run in float16. */
export const convertFloat16 = definePass({
  name: 'convert-float16',
  description: 'Stores float32 weights as float16, read through a Cast to float32 that runtimes fold at load; with activations, runs the float compute in float16 with Casts where float16 meets float32.',
  options: {
    activations: { type: 'boolean', default: false, description: 'Run the float compute path in float16 too (weights only when false: the graph computes in float32 on rounded weights).' },
    keepIo: { type: 'boolean', default: true, description: 'With activations: float32 graph inputs and outputs stay float32, with Casts at the boundary.' },
    blockList: { type: 'string[]', default: DEFAULT_BLOCK_LIST, description: 'Ops that stay float32, weights included (coordinate, index, random and quantization ops by default).' },
  },
  run(graph, ctx) {
    const o = ctx.options;
    const stats = emptyStats();
    let halfOps = 0;
    if (o.activations) {
      // Deciding where Casts go needs every value's type.
      inferShapes(graph);
      const half = halfNodes(graph, o.blockList, true);
      convertActivations(graph, half, o.keepIo, stats);
      inferShapes(graph);
      halfOps = [...half].filter((n) => n.outputs.some((v) => v?.type?.dtype === 'float16')).length;
      const float32Ops = [...graph].filter((n) => n.op !== 'Cast' && n.outputs.some((v) => v?.type?.dtype === 'float32')).length;
      ctx.report('float16Ops', halfOps);
      ctx.report('float32Ops', float32Ops);
    } else {
      convertWeights(graph, halfNodes(graph, o.blockList, false), stats);
    }
    ctx.report('weights', stats.weights);
    ctx.report('float32Bytes', stats.float32Bytes);
    ctx.report('float16Bytes', stats.float16Bytes);
    ctx.report('casts', stats.casts);
    if (stats.clamped) ctx.warn(`${stats.clamped} weight values beyond float16's range were clamped to ±65504.`);
    if (stats.flushed) ctx.info(`${stats.flushed} non-zero weight values below float16's smallest subnormal (6e-8) became zero.`);
    ctx.report('clamped', stats.clamped);
    ctx.report('flushedToZero', stats.flushed);
    return stats.weights + stats.casts + halfOps > 0;
  },
});
