import { getInt, type DType, type Node, type Value } from '@condense/core';
import { permute } from '../../layout.js';
import type { ExportContext } from '../context.js';
import { tfAttr } from '../graph-def.js';
import type { Rule } from './rule.js';

/** Integer ranges of the quantized types tfjs can carry (as int32). */
const RANGES: Partial<Record<DType, [number, number]>> = { int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535] };

/**
 * A scale or zero point in the stored layout of the value it applies to: one
 * number broadcasts as is; one per channel runs along the stored axis of `axis`.
 */
function broadcastParam(ctx: ExportContext, param: Value, x: Value, axis: number): string {
  const shape = ctx.shape(param) ?? [];
  if (shape.length === 0 || shape.every((d) => d === 1)) return ctx.placed(param, { perm: shape.map((_, i) => i), shape: [] });
  const r = ctx.ref(x);
  const rank = r.perm.length;
  const a = axis < 0 ? axis + rank : axis;
  const logical = Array.from({ length: rank }, (_, i) => (i === a ? shape[0]! : 1));
  return ctx.placed(param, { perm: [0], shape: permute(logical, r.perm) });
}

const axisOf = (node: Node) => getInt(node.attrs, 'axis', 1);

/** Activation quantization, simulated in float32 exactly as ONNX defines it: saturate(round_half_even(x / scale) + zero_point). */
export const quantizeLinear: Rule = {
  check(node, ctx) {
    const out = node.outputs[0]!.type?.dtype ?? 'uint8';
    if (!RANGES[out]) return `QuantizeLinear to ${out}`;
    return ctx.isConstant(node.inputs[1]) && (!node.inputs[2] || ctx.isConstant(node.inputs[2])) ? undefined : 'QuantizeLinear with scales computed at run time';
  },
  emit(node, ctx) {
    const [x, scale, zero] = node.inputs as [Value, Value, Value | null];
    const y = node.outputs[0]!;
    const r = ctx.ref(x);
    const [lo, hi] = RANGES[y.type?.dtype ?? 'uint8']!;
    const divided = ctx.writer.op('RealDiv', `${y.name}/divided`, [r.name, broadcastParam(ctx, scale, x, axisOf(node))]);
    let q = ctx.writer.op('Round', `${y.name}/rounded`, [divided]);
    if (zero) q = ctx.writer.op('AddV2', `${y.name}/shifted`, [q, ctx.writer.op('Cast', `${y.name}/zero_point`, [broadcastParam(ctx, zero, x, axisOf(node))], { DstT: tfAttr.type('float32') })]);
    const clipped = ctx.writer.op('ClipByValue', `${y.name}/saturated`, [q, ctx.float32(`${y.name}/lo`, lo), ctx.float32(`${y.name}/hi`, hi)]);
    ctx.emit(y, 'Cast', [clipped], r.perm, { DstT: tfAttr.type('int32') });
  },
};

/** Activation dequantization: (q - zero_point) * scale in float32. Constant inputs (weights) are stored decoded instead. */
export const dequantizeLinear: Rule = {
  check: (node, ctx) => (ctx.isConstant(node.inputs[1]) && (!node.inputs[2] || ctx.isConstant(node.inputs[2])) ? undefined : 'DequantizeLinear with scales computed at run time'),
  emit(node, ctx) {
    const [q, scale, zero] = node.inputs as [Value, Value, Value | null];
    const y = node.outputs[0]!;
    const r = ctx.ref(q);
    let v = ctx.writer.op('Cast', `${y.name}/float`, [r.name], { DstT: tfAttr.type('float32') });
    if (zero) v = ctx.writer.op('Sub', `${y.name}/centered`, [v, ctx.writer.op('Cast', `${y.name}/zero_point`, [broadcastParam(ctx, zero, q, axisOf(node))], { DstT: tfAttr.type('float32') })]);
    ctx.emit(y, 'Mul', [v, broadcastParam(ctx, scale, q, axisOf(node))], r.perm);
  },
};
