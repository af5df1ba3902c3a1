import { constantOf } from '../../ir/constant.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import { Tensor } from '../../tensor/tensor.js';
import { inferShapes } from '../../shape-inference/index.js';
import { definePass } from '../framework/define-pass.js';
import { chooseParams } from '../quantize-weights/math.js';
import { correctBiases } from './bias-correction.js';
import { calibrate } from './calibrate.js';
import { measureLayerErrors } from './layer-report.js';
import { applyMixedPrecision } from './mixed-precision.js';
import { toQOperator } from './qoperator.js';
import { dropFloatCopies, quantizeLayerWeights, type QuantizedLayer } from './weights.js';
import { ACTIVATION_RANGE, OBSERVER_KINDS } from './observers.js';

/** Ops whose float inputs and outputs are quantized by default (their integer kernels are what makes int8 fast). */
const QUANTIZED_OPS = ['Conv', 'Gemm', 'MatMul', 'Add'];

/** Which nodes to quantize: by op type, minus nodes named in `exclude`. */
interface Selection {
  ops: ReadonlySet<string>;
  exclude: ReadonlySet<string>;
}
/** Activations that the quantized range absorbs: a Q after them with zero point at the range's bottom lets the runtime drop them. */
const ABSORBED = new Set(['Relu', 'Clip']);

/** The value to quantize for `v`: the output of a Relu/Clip that is its only reader, so the activation folds into the range. */
function quantizationPoint(v: Value): Value {
  const uses = v.uses();
  if (uses.length === 1 && ABSORBED.has(uses[0]!.node.op) && uses[0]!.index === 0 && !v.isGraphOutput()) return uses[0]!.node.output;
  return v;
}

function isQuantizedOp(node: Node, selection: Selection): boolean {
  if (node.domain !== '' || !selection.ops.has(node.op) || selection.exclude.has(node.name)) return false;
  // An Add with a constant operand is a bias, not a residual join: an integer kernel gains nothing there.
  return node.op !== 'Add' || node.inputs.every((v) => v && !constantOf(v));
}

/**
 * Ops that move or select values without computing new ones: a quantized
 * value passes through them unchanged (onnxruntime propagates Q/DQ across them).
 */
const PASS_THROUGH = new Set(['MaxPool', 'Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze', 'Concat', 'Split', 'Slice', 'Gather', 'Pad', 'Resize', 'Identity', ...ABSORBED]);

/**
 * Whether a quantized op reads `v`, directly or through pass-through ops. A
 * quantized op's output is worth quantizing only then: that is where an
 * integer kernel can take it. An output read only by float computation (a
 * hard-swish, a squeeze-excitation gate, the logits' softmax) would gain no
 * kernel and add one more rounding to the network's error.
 */
function feedsQuantizedOp(v: Value, selection: Selection, seen = new Set<Value>()): boolean {
  if (seen.has(v)) return false;
  seen.add(v);
  return v.uses().some(({ node, index }) => index >= 0 && (isQuantizedOp(node, selection) || (node.domain === '' && PASS_THROUGH.has(node.op) && node.outputs.some((o) => o && feedsQuantizedOp(o, selection, seen)))));
}

/** Float activations around the quantized ops, as the points where Q/DQ pairs go. */
function activationPoints(graph: Graph, selection: Selection): Value[] {
  const points = new Set<Value>();
  for (const node of graph) {
    if (!isQuantizedOp(node, selection)) continue;
    const inputs = node.op === 'Add' ? node.inputs : node.inputs.slice(0, 1);
    for (const v of inputs) if (v && !constantOf(v) && v.type?.dtype === 'float32' && !v.isGraphOutput()) points.add(v);
    const out = node.outputs[0];
    if (!out || out.type?.dtype !== 'float32') continue;
    const point = quantizationPoint(out);
    if (!point.isGraphOutput() && feedsQuantizedOp(point, selection)) points.add(point);
  }
  return [...points];
}

/** The quantize-static pass: static int8 quantization of activations and weights, calibrated on samples through a runtime, in QDQ (or QOperator) form (needs a runtime and samples). */
export const quantizeStatic = definePass({
  name: 'quantize-static',
  description: 'Static int8 quantization in QDQ form (or QOperator with format): calibrates activation ranges on sample data through a runtime, then quantizes activations (uint8, asymmetric) and Conv/Gemm weights (int8, per channel) with int32 biases, in the form onnxruntime fuses into integer kernels.',
  requires: ['runtime', 'samples'],
  options: {
    maxSamples: { type: 'number', integer: true, min: 1, default: 512, description: 'Calibration samples to use (batches are streamed).' },
    ops: { type: 'string[]', default: QUANTIZED_OPS, description: 'Op types whose activations are quantized (of Conv, Gemm, MatMul, Add; Conv and Gemm also get int8 weights).' },
    exclude: { type: 'string[]', default: [], description: 'Names of nodes to leave in float.' },
    workers: { type: 'number', integer: true, min: 1, max: 16, default: 1, description: 'Calibration batches run at once, each in its own session.' },
    observer: { type: 'string', enum: OBSERVER_KINDS, default: 'minmax', description: 'How activation ranges are chosen: minmax, moving-average, percentile, entropy (KL) or mse.' },
    percentile: { type: 'number', min: 50, max: 100, default: 99.999, description: 'Percentile kept by the percentile observer.' },
    averagingConstant: { type: 'number', min: 0, max: 1, default: 0.01, description: 'Weight of each batch in the moving-average observer.' },
    maxDrop: { type: 'number', min: 0, max: 100, description: 'Mixed precision: keep the most sensitive layers in float until top-1 disagreement with the float model (in points, on the calibration data) is at most this.' },
    sensitivity: { type: 'boolean', default: false, description: 'Rank every quantized layer by how much output SQNR keeping it in float would gain (reported).' },
    fidelitySamples: { type: 'number', integer: true, min: 1, default: 512, description: 'Samples used to measure fidelity for maxDrop and sensitivity.' },
    format: { type: 'string', enum: ['qdq', 'qoperator'], default: 'qdq', description: 'qdq: QuantizeLinear/DequantizeLinear pairs around float ops (what onnxruntime and TensorRT fuse); qoperator: Conv as QLinearConv (other ops stay QDQ).' },
    biasCorrection: { type: 'boolean', default: false, description: 'Correct each layer\'s int32 bias for the mean shift quantization causes, layer by layer on the calibration data.' },
    biasCorrectionSamples: { type: 'number', integer: true, min: 1, default: 64, description: 'Samples used for bias correction.' },
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
    const selection: Selection = { ops: new Set(ctx.options.ops), exclude: new Set(ctx.options.exclude) };
    const points = activationPoints(graph, selection);
    if (points.length === 0) return false;
    // The float model's session stays open: calibration runs it, and the layer report compares against it.
    const floatSession = await ctx.runtime!.createSession(graph);
    try {
      const { ranges, blind, samples } = await calibrate(floatSession, graph, points, ctx, ctx.options.observer, {
        percentile: ctx.options.percentile,
        averagingConstant: ctx.options.averagingConstant,
        target: ACTIVATION_RANGE,
      });
      if (blind.length) ctx.warn(`Calibration saw no finite value for ${blind.map((p) => `"${p.name}"`).join(', ')} (empty, or NaN/infinite in every sample); they stay float. Check the calibration data and the weights.`);
      const scales = new Map<Value, number>();
      const compared: Array<{ float: string; quantized: string; op: string }> = [];
      const floatOf = new Map<Value, Value>();
      for (const [p, [lo, hi]] of ranges) {
        const { scale, zeroPoint } = chooseParams(lo, hi, ACTIVATION_RANGE, false);
        const dq = insertQdq(graph, p, scale, zeroPoint, selection.exclude);
        floatOf.set(dq, p);
        compared.push({ float: p.name, quantized: dq.name, op: p.producer()?.op ?? 'input' });
        scales.set(p, Math.fround(scale));
      }
      const layers = quantizedLayers(graph, quantizeLayerWeights(graph, scales, ctx, (node) => isQuantizedOp(node, selection)), floatOf);
      // The graph outputs stay float; their error is the whole model's.
      for (const out of graph.outputs) compared.push({ float: out.name, quantized: out.name, op: 'output' });
      ctx.report('samples', samples);
      ctx.report('observer', ctx.options.observer);
      ctx.report('activations', points.length);
      if (ctx.options.biasCorrection) {
        const weighted = layers.map((l) => l.node).filter((n) => n.op === 'Conv' || n.op === 'Gemm');
        ctx.report('biasesCorrected', await correctBiases(ctx.runtime!, floatSession, graph, weighted, ctx.samples!, ctx.options.biasCorrectionSamples, (done, total) => ctx.progress(done, total, 'correcting biases')));
      }
      if (ctx.options.maxDrop !== undefined || ctx.options.sensitivity) await applyMixedPrecision(ctx, floatSession, graph, layers);
      dropFloatCopies(graph, layers);
      if (ctx.options.layerReport > 0) {
        ctx.report('layers', await measureLayerErrors(ctx.runtime!, floatSession, graph, compared, ctx.samples!, ctx.options.layerReport));
      }
      // Measured in QDQ form above (the two forms compute the same integers).
      if (ctx.options.format === 'qoperator') ctx.report('qlinearConvs', toQOperator(graph));
    } finally {
      await floatSession.release();
    }
    return true;
  },
});

/**
 * Every node reading quantized values (the quantized ops, and any other reader
 * of a quantized activation), with the float values it read before: weights
 * from `weights`, activations from `floatOf`.
 */
function quantizedLayers(graph: Graph, weights: Map<Node, ReadonlyArray<Value | null>>, floatOf: Map<Value, Value>): QuantizedLayer[] {
  const layers: QuantizedLayer[] = [];
  for (const node of graph) {
    const quantized = [...node.inputs];
    const float = quantized.map((v, i) => (v && floatOf.get(v)) ?? weights.get(node)?.[i] ?? v);
    if (float.some((v, i) => v !== quantized[i])) layers.push({ node, float, quantized });
  }
  return layers;
}

/** v -> QuantizeLinear -> DequantizeLinear -> (every former reader of v but excluded nodes); returns the dequantized value. */
function insertQdq(graph: Graph, v: Value, scale: number, zeroPoint: number, exclude: ReadonlySet<string>): Value {
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
  // Nodes left in float by name go on reading the float value.
  for (const u of readers) {
    if (u.index >= 0 && !exclude.has(u.node.name)) u.node.replaceInput(u.index, dq.output);
  }
  return dq.output;
}
