import { constantOf } from '../../ir/constant.js';
import type { Value } from '../../ir/value.js';
import type { Tensor } from '../../tensor/tensor.js';
import { definePass } from '../framework/define-pass.js';
import { quantRange } from '../quantize-weights/math.js';
import { quantizeTensor } from '../quantize-weights/index.js';
import { addDecoded } from './decode.js';
import { dequantizeDct, entropyBits, quantizeDct, sqnrDb } from './dct.js';
import { cropRows, layoutFor, outputAxis, toRows } from './layout.js';

/** Mul's numpy broadcasting (the step table against [kernels, k²]) needs opset 7; Cast from int8 needs 6. */
const MIN_OPSET = 7;
/** The ops whose weight (input 1) may be coded. */
const CODED_OPS = new Set(['Conv', 'Gemm', 'MatMul']);

/** One DCT-quantized weight, as the report's table lists it. */
export interface DctLayer {
  layer: string;
  kernel: string;
  count: number;
  /** Fraction of the stored coefficients that are 0. */
  zeroFraction: number;
  /** SQNR of the decoded weight against the float one. */
  sqnrDb: number;
  /** Empirical entropy of the integer coefficients, bits per weight. */
  entropyBits: number;
  /** The entropy rounded to a linear bit width (2..8), and the SQNR of linear per-channel quantization at that width. */
  linearBits: number;
  linearSqnrDb: number;
}

const round2 = (x: number) => (Number.isFinite(x) ? Math.round(100 * x) / 100 : x);

/** The honest baseline: symmetric per-output-channel linear quantization at `bits` (channels along `axis`), dequantized. */
function linearSqnrDb(w: Tensor, bits: number, axis: number): number {
  const { q, scales } = quantizeTensor(w, axis, quantRange(bits, true, true), true);
  const inner = w.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return sqnrDb(w.data<'float32'>(), q.map((v, i) => v * scales[Math.floor(i / inner) % scales.length]!));
}

/** The dct-quantize pass: Conv kernels (and, with `dense`, 1×1 Conv, Gemm and MatMul weights) stored as int8 DCT coefficients with JPEG-like steps, decoded in the graph. */
export const dctQuantize = definePass({
  name: 'dct-quantize',
  description:
    'Stores square k×k Conv kernels (k > 1) as int8 2-D DCT-II coefficients with a JPEG-like step per frequency, step(u,v) = base·(1 + slope·(u+v)), decoded in the graph by Cast, Mul, MatMul and Reshape (folded at load). ' +
    'With dense, 1×1 Conv, Gemm and MatMul (constant 2-D second input) weights too, as 1-D DCTs of runs of 8 along the input channels (a last partial run padded; [K, N] weights decoded as [N, K] and transposed back). The report compares, per layer, its SQNR with that of linear per-channel quantization at the bit width nearest the coefficients\' empirical entropy (clamped to 2..8).',
  options: {
    quality: { type: 'number', min: 1, max: 100, default: 25, description: "JPEG-style quality: base step = (layer max |DC| / 127) × libjpeg's quality scale (50 → 1, 25 → 2, 10 → 5: lower is coarser), never finer than int8 can hold unclamped." },
    slope: { type: 'number', min: 0, default: 1, description: 'How much faster the step grows with frequency: step(u,v) = base·(1 + slope·(u+v)).' },
    dense: { type: 'boolean', default: false, description: 'Also code 1×1 Conv, Gemm and MatMul (constant 2-D second input) weights, in runs of 8 along their input channels (1-D DCT).' },
    minElements: { type: 'number', integer: true, min: 1, default: 1024, description: 'Weights with fewer elements stay float (tiny layers).' },
  },
  async run(graph, ctx) {
    const o = ctx.options;
    const opset = graph.root.opset[''] ?? 1;
    if (opset < MIN_OPSET) {
      ctx.warn(`opset ${opset} has no broadcasting Mul (added in ${MIN_OPSET}); weights left in float.`);
      return false;
    }
    // A weight shared by several nodes is encoded once per layout (a [K, N] matrix may also feed a Gemm with transB).
    const done = { rows: new Map<Tensor, Value>(), transposed: new Map<Tensor, Value>() };
    const layers: DctLayer[] = [];
    let floatBytes = 0;
    let storedBytes = 0;
    const total = [...graph].filter((n) => n.domain === '' && CODED_OPS.has(n.op)).length;
    let seen = 0;
    for (const node of graph) {
      if (node.domain !== '' || !CODED_OPS.has(node.op)) continue;
      ctx.progress(seen++, total, 'coding weights');
      await ctx.checkpoint();
      const weight = node.inputs[1];
      const w = constantOf(weight);
      if (!weight || !w || w.dtype !== 'float32' || w.size < o.minElements) continue;
      const layout = layoutFor(node, w, o.dense);
      if (!layout) continue;
      const encoded = layout.transposed ? done.transposed : done.rows;
      let decoded = encoded.get(w);
      if (!decoded) {
        if (!w.data<'float32'>().every(Number.isFinite)) {
          ctx.warn(`${weight.name} has non-finite values; left in float.`, { node: node.name });
          continue;
        }
        const rows = toRows(w, layout);
        const dq = quantizeDct(rows, layout.block, o.quality, o.slope);
        if (dq.floored) ctx.info(`${weight.name}: quality ${o.quality} asks for finer steps than int8 holds; using the finest unclamped step.`, { node: node.name });
        decoded = addDecoded(graph, weight.name, dq, layout, w, node, opset);
        encoded.set(w, decoded);
        // Per weight: the coefficients of padding are stored too.
        const entropy = (entropyBits(dq.q) * dq.q.length) / w.size;
        const linearBits = Math.min(8, Math.max(2, Math.round(entropy)));
        layers.push({
          layer: weight.name,
          kernel: layout.block.label,
          count: w.size,
          zeroFraction: round2(dq.q.filter((v) => v === 0).length / dq.q.length),
          sqnrDb: round2(sqnrDb(cropRows(rows, layout), cropRows(dequantizeDct(dq.q, dq.steps, layout.block), layout))),
          entropyBits: round2(entropy),
          linearBits,
          linearSqnrDb: round2(linearSqnrDb(w, linearBits, outputAxis(layout))),
        });
        floatBytes += w.byteLength;
        storedBytes += dq.q.byteLength + dq.steps.byteLength + 4 * dq.steps.length ** 2;
      }
      node.replaceInput(1, decoded);
      // The float weights are gone from the file once nothing else reads them.
      if (weight.useCount === 0 && weight.const && !graph.inputs.includes(weight)) graph.deleteValue(weight);
    }
    ctx.progress(total, total, 'coding weights');
    ctx.report('quantized', layers.length);
    ctx.report('floatBytes', floatBytes);
    ctx.report('storedBytes', storedBytes);
    ctx.report('layers', layers);
    return layers.length > 0;
  },
});
