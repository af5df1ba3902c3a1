import { attr, getInt } from '../../ir/attr.js';
import { constantOf } from '../../ir/constant.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import { Tensor } from '../../tensor/tensor.js';
import { hasNonFinite, quantizeTensor } from '../quantize-weights/index.js';
import { quantRange, roundHalfEven } from '../quantize-weights/math.js';

/** Ops whose weights (input 1, output channels on axis 0) are quantized. */
const WEIGHT_OPS = new Set(['Conv', 'Gemm']);

/** A quantized op: its inputs in float and quantized, so it can be switched back to float. */
export interface QuantizedLayer {
  node: Node;
  float: ReadonlyArray<Value | null>;
  quantized: ReadonlyArray<Value | null>;
}

/** Puts a layer's float (true) or quantized (false) inputs in place. */
export function setLayerFloat(layer: QuantizedLayer, float: boolean): void {
  const inputs = float ? layer.float : layer.quantized;
  inputs.forEach((v, i) => {
    if (layer.node.inputs[i] !== v) layer.node.replaceInput(i, v);
  });
}

/** Conv and Gemm weights to int8 per channel, biases to int32; the float copies are dropped once nothing reads them. */
export function quantizeLayerWeights(
  graph: Graph,
  scales: Map<Value, number>,
  ctx: { warn(message: string): void; report(key: string, value: unknown): void },
  selected: (node: Node) => boolean,
): Map<Node, ReadonlyArray<Value | null>> {
  const state: WeightState = { scales, clipped: [], floatBiases: [], nonFinite: [], weights: new Map() };
  // Each quantized layer's inputs as they were (float weights and bias).
  const before = new Map<Node, ReadonlyArray<Value | null>>();
  for (const node of [...graph]) {
    if (node.domain !== '' || !WEIGHT_OPS.has(node.op) || !selected(node)) continue;
    const inputs = [...node.inputs];
    if (quantizeWeightAndBias(graph, node, state)) before.set(node, inputs);
  }
  if (state.clipped.length) ctx.warn(`int32 biases saturated in ${state.clipped.join(', ')} (weight and input scales too small for the bias); those layers lose accuracy.`);
  if (state.floatBiases.length) ctx.warn(`The biases of ${state.floatBiases.join(', ')} stay float: input scale × weight scale is below what float32 holds (a zero scale would make NaNs).`);
  if (state.nonFinite.length) ctx.warn(`${state.nonFinite.join(', ')} held NaN or infinite weights: quantized as 0 (NaN) and ±127 (±infinity). Check how the model was produced.`);
  ctx.report('weights', before.size);
  return before;
}

/** Deletes the float weights and biases that no layer reads any more (those kept in float still do). */
export function dropFloatCopies(graph: Graph, layers: QuantizedLayer[]): void {
  const copies = new Set(layers.flatMap((l) => l.float));
  for (const v of copies) if (v?.const && v.useCount === 0 && !v.isGraphOutput() && !graph.inputs.includes(v)) graph.deleteValue(v);
}

interface WeightState {
  /** Activation scales by quantization point. */
  scales: Map<Value, number>;
  /** Nodes whose int32 bias saturated. */
  clipped: string[];
  /** Nodes whose bias scale underflows float32, so their bias is left float. */
  floatBiases: string[];
  /** Weights holding NaN or infinities. */
  nonFinite: string[];
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
    if (hasNonFinite(w)) state.nonFinite.push(weight.name);
    const { q, scales: ws } = quantizeTensor(w, 0, quantRange(8, true, true), true);
    const base = weight.name;
    const wq = graph.constant(`${base}_quantized`, Tensor.from('int8', w.shape, q));
    const wScale = graph.constant(`${base}_scale`, Tensor.from('float32', [ws.length], ws));
    // Symmetric weights have zero points 0, DequantizeLinear's default, so none is stored (nor for the int32 bias).
    // Before every node: a shared weight may be read by an earlier node than this one.
    const wDq = graph.add('DequantizeLinear', [wq, wScale], { axis: attr.int(0) }, { name: `${base}_dequantize`, before: graph.firstNode! });
    quantized = { dq: wDq.output, scales: ws };
    state.weights.set(weight, quantized);
  }
  const ws = quantized.scales;
  node.replaceInput(1, quantized.dq);
  const b = constantOf(node.inputs[2]);
  if (!b || b.dtype !== 'float32' || b.size !== ws.length) return true;
  const bScales = Float32Array.from(ws, (s) => s * inputScale);
  if (bScales.some((s) => s === 0)) {
    state.floatBiases.push(node.name);
    return true;
  }
  const raw = Array.from(b.data<'float32'>(), (v, c) => roundHalfEven(v / bScales[c]!));
  if (raw.some((v) => v > 2 ** 31 - 1 || v < -(2 ** 31))) state.clipped.push(node.name);
  const bq = raw.map((v) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, v)));
  const bName = node.inputs[2]!.name;
  const bDq = graph.add('DequantizeLinear', [
    graph.constant(`${bName}_quantized`, Tensor.from('int32', [bq.length], bq)),
    graph.constant(`${bName}_scale`, Tensor.from('float32', [bq.length], bScales)),
  ], { axis: attr.int(0) }, { name: `${bName}_dequantize`, before: node });
  node.replaceInput(2, bDq.output);
  return true;
}
