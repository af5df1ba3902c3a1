import { attr, getInt } from '../../ir/attr.js';
import { constantOf } from '../../ir/constant.js';
import type { Value } from '../../ir/value.js';
import type { Node } from '../../ir/node.js';
import { Tensor } from '../../tensor/tensor.js';
import { definePass } from '../framework/define-pass.js';
import { chooseParams, quantRange, quantize } from './math.js';
import { PACKABLE_BITS, addUnpacked } from './packed.js';

/** The axis of a weight's output channels, per op (Conv 0, ConvTranspose 1, Gemm by transB, MatMul the last). */
function channelAxis(node: Node, rank: number): number | undefined {
  switch (node.op) {
    case 'Conv':
      return 0;
    case 'ConvTranspose':
      return 1;
    case 'Gemm':
      return getInt(node.attrs, 'transB', 0) ? 0 : 1;
    case 'MatMul':
      return rank - 1;
    default:
      return undefined;
  }
}

/** First opsets where DequantizeLinear takes per-axis scales (13) and int4 (21). */
const PER_AXIS_OPSET = 13;
const INT4_OPSET = 21;
const BITSHIFT_OPSET = 11;

/** The quantize-weights pass: weight-only quantization to 2- to 8-bit integers with scales, read through DequantizeLinear. */
export const quantizeWeights = definePass({
  name: 'quantize-weights',
  description: 'Stores the float32 weights of Conv, ConvTranspose, Gemm and MatMul as 2- to 8-bit integers with scales, read through DequantizeLinear (weight-only quantization).',
  options: {
    bits: { type: 'number', integer: true, min: 2, max: 8, default: 8, description: 'Bits per weight (4 uses ONNX int4 at opset 21+; 2 and 4 are packed into bytes with an unpacking subgraph below that; other widths take a byte each).' },
    signed: { type: 'boolean', default: true, description: 'int8/int4 (true) or uint8/uint4 (false).' },
    symmetric: { type: 'boolean', default: true, description: 'Zero point 0 and a range symmetric around it.' },
    perChannel: { type: 'boolean', default: true, description: 'One scale per output channel (needs opset 13+; per-tensor otherwise).' },
    minElements: { type: 'number', integer: true, min: 1, default: 1024, description: 'Weights with fewer elements stay float (biases, tiny layers).' },
    ops: { type: 'string[]', default: ['Conv', 'ConvTranspose', 'Gemm', 'MatMul'], description: 'Ops whose weights are quantized.' },
  },
  run(graph, ctx) {
    const o = ctx.options;
    const opset = graph.root.opset[''] ?? 1;
    if (opset < 10) {
      ctx.warn(`opset ${opset} has no DequantizeLinear (added in 10); weights left in float.`);
      return false;
    }
    const perChannel = o.perChannel && opset >= PER_AXIS_OPSET;
    if (o.perChannel && !perChannel) ctx.warn(`opset ${opset} allows only per-tensor scales (per-channel needs ${PER_AXIS_OPSET}); using per-tensor.`);
    const packed4 = o.bits === 4 && opset >= INT4_OPSET;
    // Below int4's opset, 2- and 4-bit values are packed into bytes and unpacked by a foldable subgraph (BitShift: opset 11).
    const packing = !packed4 && PACKABLE_BITS.has(o.bits) && opset >= BITSHIFT_OPSET;
    const dtype = packed4 ? (o.signed ? 'int4' : 'uint4') : o.signed && !packing ? 'int8' : 'uint8';
    // Packed values are unsigned: signed ones are stored shifted up by half the range, zero points too.
    const offset = packing && o.signed ? 2 ** (o.bits - 1) : 0;
    const range = quantRange(o.bits, o.signed, o.symmetric);
    const done = new Map<Tensor, Value>();
    let count = 0;
    let floatBytes = 0;
    let quantBytes = 0;
    const nonFinite: string[] = [];
    for (const node of graph) {
      if (node.domain !== '' || !o.ops.includes(node.op)) continue;
      const weight = node.inputs[1];
      const w = constantOf(weight);
      if (!weight || !w || w.dtype !== 'float32' || w.size < o.minElements) continue;
      const axis = channelAxis(node, w.rank);
      if (axis === undefined) continue;
      // A weight shared by several nodes is quantized once.
      let dequantized = done.get(w);
      if (!dequantized) {
        if (hasNonFinite(w)) nonFinite.push(weight.name);
        const { q, scales, zeroPoints } = quantizeTensor(w, perChannel ? axis : undefined, range, o.symmetric);
        const base = weight.name;
        const scaleShape = perChannel ? [scales.length] : [];
        const qValue = packing
          ? addUnpacked(graph, base, q.map((v) => v + offset), w.shape, o.bits, node)
          : graph.constant(`${base}_quantized`, Tensor.from(dtype, w.shape, q));
        const scaleValue = graph.constant(`${base}_scale`, Tensor.from('float32', scaleShape, scales));
        const zpValue = graph.constant(`${base}_zero_point`, Tensor.from(dtype, scaleShape, zeroPoints.map((z) => z + offset)));
        const dq = graph.add('DequantizeLinear', [qValue, scaleValue, zpValue], perChannel ? { axis: attr.int(axis) } : {}, { name: `${base}_dequantize`, before: node });
        dq.output.type = { dtype: 'float32', shape: [...w.shape] };
        dequantized = dq.output;
        done.set(w, dequantized);
        count++;
        floatBytes += w.byteLength;
        quantBytes += (packing ? Math.ceil((w.size * o.bits) / 8) : qValue.const!.byteLength) + scaleValue.const!.byteLength + zpValue.const!.byteLength;
      }
      node.replaceInput(1, dequantized);
      // The float weights are gone from the file once nothing else reads them.
      if (weight.useCount === 0 && weight.const && !graph.inputs.includes(weight)) graph.deleteValue(weight);
    }
    if (nonFinite.length) ctx.warn(`${nonFinite.join(', ')} held NaN or infinite weights: quantized as the zero point (NaN) and the end of the range (±infinity). Check how the model was produced.`);
    ctx.report('quantized', count);
    ctx.report('floatBytes', floatBytes);
    ctx.report('quantizedBytes', quantBytes);
    if (o.bits < 8 && !packed4 && !packing) ctx.info(`${o.bits}-bit weights are stored one per byte (packing needs 2 or 4 bits and opset ${BITSHIFT_OPSET}+).`);
    return count > 0;
  },
});

export function hasNonFinite(w: Tensor): boolean {
  return w.data<'float32'>().some((v) => !Number.isFinite(v));
}

/** Quantizes a float tensor per channel along `axis` (or per tensor when undefined). */
export function quantizeTensor(w: Tensor, axis: number | undefined, range: ReturnType<typeof quantRange>, symmetric: boolean) {
  const data = w.data<'float32'>();
  const channels = axis === undefined ? 1 : w.shape[axis]!;
  const inner = axis === undefined ? data.length : w.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => (axis === undefined ? 0 : Math.floor(i / inner) % channels);
  const lo = new Float64Array(channels).fill(Infinity);
  const hi = new Float64Array(channels).fill(-Infinity);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) continue;
    const c = channelOf(i);
    if (v < lo[c]!) lo[c] = v;
    if (v > hi[c]!) hi[c] = v;
  }
  const scales = new Float32Array(channels);
  const zeroPoints = new Array<number>(channels);
  for (let c = 0; c < channels; c++) {
    const p = chooseParams(lo[c]! === Infinity ? 0 : lo[c]!, hi[c]! === -Infinity ? 0 : hi[c]!, range, symmetric);
    // Quantize with the scale as stored (float32), as the runtime will dequantize with it.
    scales[c] = p.scale;
    zeroPoints[c] = p.zeroPoint;
  }
  const q = new Array<number>(data.length);
  for (let i = 0; i < data.length; i++) {
    const c = channelOf(i);
    const v = data[i]!;
    q[i] = Number.isNaN(v) ? zeroPoints[c]! : quantize(Math.max(-3.4e38, Math.min(3.4e38, v)), scales[c]!, zeroPoints[c]!, range);
  }
  return { q, scales, zeroPoints };
}
