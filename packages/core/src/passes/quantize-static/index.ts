import { attr } from '../../ir/attr.js';
import { constantOf } from '../../ir/constant.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import { Tensor } from '../../tensor/tensor.js';
import { inferShapes } from '../../shape-inference/index.js';
import { getInt } from '../../ir/attr.js';
import { definePass } from '../framework/define-pass.js';
import { quantizeTensor } from '../quantize-weights/index.js';
import { chooseParams, quantRange, roundHalfEven } from '../quantize-weights/math.js';
import { calibrate } from './calibrate.js';
import { measureLayerErrors } from './layer-report.js';
import { ACTIVATION_RANGE, OBSERVER_KINDS } from './observers.js';

/** Ops whose float inputs and outputs are quantized (their integer kernels are what makes int8 fast). */
const QUANTIZED_OPS = new Set(['Conv', 'Gemm', 'MatMul', 'Add']);
/** Activations that the quantized range absorbs: a Q after them with zero point at the range's bottom lets the runtime drop them. */
const ABSORBED = new Set(['Relu', 'Clip']);
const WEIGHT_OPS: Record<string, number> = { Conv: 0, Gemm: 0 };

/** The value to quantize for `v`: the output of a Relu/Clip that is its only reader, so the activation folds into the range. */
function quantizationPoint(v: Value): Value {
  const uses = v.uses();
  if (uses.length === 1 && ABSORBED.has(uses[0]!.node.op) && uses[0]!.index === 0 && !v.isGraphOutput()) return uses[0]!.node.output;
  return v;
}

/** Float activations around the quantized ops, as the points where Q/DQ pairs go. */
function activationPoints(graph: Graph): Value[] {
  const points = new Set<Value>();
  for (const node of graph) {
    if (node.domain !== '' || !QUANTIZED_OPS.has(node.op)) continue;
    const inputs = node.op === 'Add' ? node.inputs : node.inputs.slice(0, 1);
    for (const v of [...inputs, node.outputs[0] ?? null]) {
      if (!v || constantOf(v) || v.type?.dtype !== 'float32') continue;
      const point = node.outputs.includes(v) ? quantizationPoint(v) : v;
      if (!point.isGraphOutput()) points.add(point);
    }
  }
  return [...points];
}

export const quantizeStatic = definePass({
  name: 'quantize-static',
  description: 'Static int8 quantization in QDQ form: calibrates activation ranges on sample data through a runtime, then quantizes activations (uint8, asymmetric) and Conv/Gemm weights (int8, per channel) with int32 biases, in the form onnxruntime fuses into integer kernels.',
  requires: ['runtime', 'samples'],
  options: {
    maxSamples: { type: 'number', integer: true, min: 1, default: 512, description: 'Calibration samples to use (batches are streamed).' },
    observer: { type: 'string', enum: OBSERVER_KINDS, default: 'minmax', description: 'How activation ranges are chosen: minmax, moving-average, percentile, entropy (KL) or mse.' },
    percentile: { type: 'number', min: 50, max: 100, default: 99.999, description: 'Percentile kept by the percentile observer.' },
    averagingConstant: { type: 'number', min: 0, max: 1, default: 0.01, description: 'Weight of each batch in the moving-average observer.' },
    layerReport: { type: 'number', integer: true, min: 0, default: 64, description: 'Samples used to measure each quantized activation\'s SQNR and cosine against float (0: no layer report).' },
  },
  async run(graph, ctx) {
    const opset = graph.root.opset[''] ?? 1;
    if (opset < 13) {
      ctx.warn(`opset ${opset} has no per-channel DequantizeLinear (13+); static quantization skipped.`);
      return false;
    }
    // Quantization points are chosen by element type, so types must be known.
    inferShapes(graph);
    const points = activationPoints(graph);
    if (points.length === 0) return false;
    // The float model's session stays open: calibration runs it, and the layer report compares against it.
    const floatSession = await ctx.runtime!.createSession(graph);
    try {
      const { ranges, samples } = await calibrate(floatSession, graph, points, ctx, ctx.options.observer, {
        percentile: ctx.options.percentile,
        averagingConstant: ctx.options.averagingConstant,
        target: ACTIVATION_RANGE,
      });
      const scales = new Map<Value, number>();
      const compared: Array<{ float: string; quantized: string; op: string }> = [];
      for (const [p, [lo, hi]] of ranges) {
        const { scale, zeroPoint } = chooseParams(lo, hi, ACTIVATION_RANGE, false);
        compared.push({ float: p.name, quantized: insertQdq(graph, p, scale, zeroPoint).name, op: p.producer()?.op ?? 'input' });
        scales.set(p, Math.fround(scale));
      }
      quantizeLayerWeights(graph, scales, ctx);
      // The graph outputs stay float; their error is the whole model's.
      for (const out of graph.outputs) compared.push({ float: out.name, quantized: out.name, op: 'output' });
      ctx.report('samples', samples);
      ctx.report('observer', ctx.options.observer);
      ctx.report('activations', points.length);
      if (ctx.options.layerReport > 0) {
        ctx.report('layers', await measureLayerErrors(ctx.runtime!, floatSession, graph, compared, ctx.samples!, ctx.options.layerReport));
      }
    } finally {
      await floatSession.release();
    }
    return true;
  },
});

/** Conv and Gemm weights to int8 per channel, biases to int32; the float copies are dropped once nothing reads them. */
function quantizeLayerWeights(graph: Graph, scales: Map<Value, number>, ctx: { warn(message: string): void; report(key: string, value: unknown): void }): void {
  let weights = 0;
  const state: WeightState = { scales, clipped: [], replaced: new Set(), weights: new Map() };
  for (const node of [...graph]) {
    if (node.domain === '' && node.op in WEIGHT_OPS && quantizeWeightAndBias(graph, node, state)) weights++;
  }
  if (state.clipped.length) ctx.warn(`int32 biases saturated in ${state.clipped.join(', ')} (weight and input scales too small for the bias); those layers lose accuracy.`);
  // The float weights and biases replaced above are gone from the file once nothing reads them.
  for (const v of state.replaced) if (v.useCount === 0 && !v.isGraphOutput() && !graph.inputs.includes(v)) graph.deleteValue(v);
  ctx.report('weights', weights);
}

/** v -> QuantizeLinear -> DequantizeLinear -> (every former reader of v); returns the dequantized value. */
function insertQdq(graph: Graph, v: Value, scale: number, zeroPoint: number): Value {
  const readers = v.uses();
  const s = graph.constant(`${v.name}_scale`, Tensor.scalar('float32', scale));
  const zp = graph.constant(`${v.name}_zero_point`, Tensor.scalar('uint8', zeroPoint));
  const producer = v.producer();
  // A graph input (no producer) is quantized at the top of the graph, before any reader.
  const at = producer ? { after: producer } : graph.firstNode ? { before: graph.firstNode } : {};
  const q = graph.add('QuantizeLinear', [v, s, zp], {}, { name: `${v.name}_quantize`, ...at });
  const dq = graph.add('DequantizeLinear', [q.output, s, zp], {}, { name: `${v.name}_dequantize`, after: q });
  q.output.type = { dtype: 'uint8', shape: v.type?.shape };
  dq.output.type = v.type && { ...v.type };
  for (const u of readers) {
    if (u.index >= 0) u.node.replaceInput(u.index, dq.output);
  }
  return dq.output;
}

interface WeightState {
  /** Activation scales by quantization point. */
  scales: Map<Value, number>;
  /** Nodes whose int32 bias saturated. */
  clipped: string[];
  /** Float weights and biases that were replaced (removed at the end if unused). */
  replaced: Set<Value>;
  /** Quantized weights by float weight, so a shared weight is stored once. */
  weights: Map<Value, { dq: Value; scales: Float32Array }>;
}

/** Weights to int8 per output channel; bias to int32 with scale input_scale * weight_scale, zero point 0. */
function quantizeWeightAndBias(graph: Graph, node: Node, state: WeightState): boolean {
  const { scales } = state;
  const w = constantOf(node.inputs[1]);
  const inputDq = node.inputs[0]?.producer();
  const inputQ = inputDq?.op === 'DequantizeLinear' ? inputDq.inputs[0]?.producer() : undefined;
  const inputScale = inputQ?.op === 'QuantizeLinear' && inputQ.inputs[0] ? scales.get(inputQ.inputs[0]) : undefined;
  if (!w || w.dtype !== 'float32' || inputScale === undefined) return false;
  // Output channels must be axis 0 of the weights: Conv, and Gemm with transB = 1.
  if (node.op === 'Gemm' && getInt(node.attrs, 'transB', 0) !== 1) return false;
  const weight = node.inputs[1]!;
  let quantized = state.weights.get(weight);
  if (!quantized) {
    const { q, scales: ws, zeroPoints } = quantizeTensor(w, 0, quantRange(8, true, true), true);
    const base = weight.name;
    const wq = graph.constant(`${base}_quantized`, Tensor.from('int8', w.shape, q));
    const wScale = graph.constant(`${base}_scale`, Tensor.from('float32', [ws.length], ws));
    const wZp = graph.constant(`${base}_zero_point`, Tensor.from('int8', [ws.length], zeroPoints));
    // Before every node: a shared weight may be read by an earlier node than this one.
    const wDq = graph.add('DequantizeLinear', [wq, wScale, wZp], { axis: attr.int(0) }, { name: `${base}_dequantize`, before: graph.firstNode! });
    quantized = { dq: wDq.output, scales: ws };
    state.weights.set(weight, quantized);
  }
  const ws = quantized.scales;
  node.replaceInput(1, quantized.dq);
  state.replaced.add(weight);
  const b = constantOf(node.inputs[2]);
  if (b && b.dtype === 'float32' && b.size === ws.length) {
    const bScales = Float32Array.from(ws, (s) => s * inputScale);
    const raw = Array.from(b.data<'float32'>(), (v, c) => roundHalfEven(v / bScales[c]!));
    if (raw.some((v) => v > 2 ** 31 - 1 || v < -(2 ** 31))) state.clipped.push(node.name);
    const bq = raw.map((v) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, v)));
    const bName = node.inputs[2]!.name;
    const bDq = graph.add('DequantizeLinear', [
      graph.constant(`${bName}_quantized`, Tensor.from('int32', [bq.length], bq)),
      graph.constant(`${bName}_scale`, Tensor.from('float32', [bq.length], bScales)),
      graph.constant(`${bName}_zero_point`, Tensor.from('int32', [bq.length], new Array<number>(bq.length).fill(0))),
    ], { axis: attr.int(0) }, { name: `${bName}_dequantize`, before: node });
    state.replaced.add(node.inputs[2]!);
    node.replaceInput(2, bDq.output);
  }
  return true;
}
