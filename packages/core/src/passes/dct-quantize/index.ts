import { attr } from '../../ir/attr.js';
import { constantOf } from '../../ir/constant.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import { Tensor } from '../../tensor/tensor.js';
import { definePass } from '../framework/define-pass.js';
import { quantRange } from '../quantize-weights/math.js';
import { quantizeTensor } from '../quantize-weights/index.js';
import { block1d, block2d, dequantizeDct, entropyBits, quantizeDct, sqnrDb, type DctBlock, type DctQuantized } from './dct.js';
import { getInt } from '../../ir/attr.js';

/** Length of the 1-D blocks along input channels (1×1 Conv, Gemm): JPEG's 8. */
const RUN = 8;

/**
 * How a weight is coded, or undefined to leave it: k×k Conv kernels as 2-D
 * blocks; 1×1 Conv and Gemm (transB) weights, whose input channels are
 * contiguous, as runs of 8 along them.
 */
function blockFor(node: Node, w: Tensor): DctBlock | undefined {
  if (node.op === 'Conv' && w.rank === 4) {
    const [, inputs, kh, kw] = w.shape as [number, number, number, number];
    if (kh > 1 && kh === kw) return block2d(kh);
    if (kh === 1 && kw === 1 && inputs % RUN === 0) return block1d(RUN);
  }
  if (node.op === 'Gemm' && w.rank === 2 && getInt(node.attrs, 'transB', 0) === 1 && w.shape[1]! % RUN === 0) return block1d(RUN);
  return undefined;
}

/** Mul's numpy broadcasting (the step table against [kernels, k²]) needs opset 7; Cast from int8 needs 6. */
const MIN_OPSET = 7;
/** ONNX TensorProto.DataType FLOAT. */
const FLOAT = 1;

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

/** The honest baseline: symmetric per-output-channel linear quantization at `bits`, dequantized. */
function linearSqnrDb(w: Tensor, bits: number): number {
  const { q, scales } = quantizeTensor(w, 0, quantRange(bits, true, true), true);
  const inner = w.size / w.shape[0]!;
  return sqnrDb(w.data<'float32'>(), q.map((v, i) => v * scales[Math.floor(i / inner)]!));
}

/**
 * Adds Cast(Q) · steps, MatMul B, Reshape before `before`: the weight in its
 * original shape. Every input is constant, so runtimes fold it at load while the
 * file keeps int8 coefficients, k² steps and the k²×k² basis.
 */
function addDecoded(graph: Graph, base: string, dq: DctQuantized, block: DctBlock, shape: readonly number[], before: Node): Value {
  const n = block.n;
  const kernels = dq.q.length / n;
  const name = (s: string) => graph.uniqueName(`${base}_dct_${s}`);
  const typed = (v: Value, s: readonly number[]) => ((v.type = { dtype: 'float32', shape: [...s] }), v);
  const q = graph.constant(name('coefficients'), Tensor.from('int8', [kernels, n], dq.q));
  const steps = graph.constant(name('steps'), Tensor.from('float32', [n], dq.steps));
  const basis = graph.constant(name('basis'), Tensor.from('float32', [n, n], Float32Array.from(block.basis)));
  const target = graph.constant(name('shape'), Tensor.from('int64', [shape.length], shape.map(BigInt)));
  const cast = typed(graph.add('Cast', [q], { to: attr.int(FLOAT) }, { name: name('cast'), before }).output, [kernels, n]);
  const scaled = typed(graph.add('Mul', [cast, steps], {}, { name: name('dequantize'), before }).output, [kernels, n]);
  const spatial = typed(graph.add('MatMul', [scaled, basis], {}, { name: name('inverse'), before }).output, [kernels, n]);
  return typed(graph.add('Reshape', [spatial, target], {}, { name: name('reshape'), before }).output, shape);
}

export const dctQuantize = definePass({
  name: 'dct-quantize',
  description:
    'Stores square k×k Conv kernels (k > 1) as int8 2-D DCT-II coefficients with a JPEG-like step per frequency, step(u,v) = base·(1 + slope·(u+v)), decoded in the graph by Cast, Mul, MatMul and Reshape (folded at load). ' +
    'With dense, 1×1 Conv and Gemm (transB) weights too, as 1-D DCTs of runs of 8 along the input channels. The report compares, per layer, its SQNR with that of linear per-channel quantization at the bit width nearest the coefficients\' empirical entropy (clamped to 2..8).',
  options: {
    quality: { type: 'number', min: 1, max: 100, default: 25, description: "JPEG-style quality: base step = (layer max |DC| / 127) × libjpeg's quality scale (50 → 1, 25 → 2, 10 → 5: lower is coarser), never finer than int8 can hold unclamped." },
    slope: { type: 'number', min: 0, default: 1, description: 'How much faster the step grows with frequency: step(u,v) = base·(1 + slope·(u+v)).' },
    dense: { type: 'boolean', default: false, description: 'Also code 1×1 Conv and Gemm (transB) weights, in runs of 8 along their input channels (1-D DCT).' },
    minElements: { type: 'number', integer: true, min: 1, default: 1024, description: 'Weights with fewer elements stay float (tiny layers).' },
  },
  run(graph, ctx) {
    const o = ctx.options;
    const opset = graph.root.opset[''] ?? 1;
    if (opset < MIN_OPSET) {
      ctx.warn(`opset ${opset} has no broadcasting Mul (added in ${MIN_OPSET}); weights left in float.`);
      return false;
    }
    const done = new Map<Tensor, Value>();
    const layers: DctLayer[] = [];
    let floatBytes = 0;
    let storedBytes = 0;
    for (const node of graph) {
      if (node.domain !== '' || (node.op !== 'Conv' && node.op !== 'Gemm')) continue;
      const weight = node.inputs[1];
      const w = constantOf(weight);
      if (!weight || !w || w.dtype !== 'float32' || w.size < o.minElements) continue;
      const block = blockFor(node, w);
      // Runs along input channels only when asked for.
      if (!block || (block.label === `1x${RUN}` && !o.dense)) continue;
      // A weight shared by several nodes is encoded once.
      let decoded = done.get(w);
      if (!decoded) {
        const data = w.data<'float32'>();
        if (!data.every(Number.isFinite)) {
          ctx.warn(`${weight.name} has non-finite values; left in float.`, { node: node.name });
          continue;
        }
        const dq = quantizeDct(data, block, o.quality, o.slope);
        if (dq.floored) ctx.info(`${weight.name}: quality ${o.quality} asks for finer steps than int8 holds; using the finest unclamped step.`, { node: node.name });
        decoded = addDecoded(graph, weight.name, dq, block, w.shape, node);
        done.set(w, decoded);
        const entropy = entropyBits(dq.q);
        const linearBits = Math.min(8, Math.max(2, Math.round(entropy)));
        layers.push({
          layer: weight.name,
          kernel: block.label,
          count: w.size,
          zeroFraction: round2(dq.q.filter((v) => v === 0).length / dq.q.length),
          sqnrDb: round2(sqnrDb(data, dequantizeDct(dq.q, dq.steps, block))),
          entropyBits: round2(entropy),
          linearBits,
          linearSqnrDb: round2(linearSqnrDb(w, linearBits)),
        });
        floatBytes += w.byteLength;
        storedBytes += dq.q.byteLength + dq.steps.byteLength + 4 * dq.steps.length ** 2;
      }
      node.replaceInput(1, decoded);
      // The float weights are gone from the file once nothing else reads them.
      if (weight.useCount === 0 && weight.const && !graph.inputs.includes(weight)) graph.deleteValue(weight);
    }
    ctx.report('quantized', layers.length);
    ctx.report('floatBytes', floatBytes);
    ctx.report('storedBytes', storedBytes);
    ctx.report('layers', layers);
    return layers.length > 0;
  },
});
