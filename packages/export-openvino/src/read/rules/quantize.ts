import { Tensor, attr, type Attr } from '@condense/core';
import type { OvLayer } from '../../ir/model.js';
import type { RaiseContext } from '../context.js';
import type { RaiseRule } from './rule.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32 `steps` units in the last place away from `x` (x > 0). */
function ulpStep(x: number, steps: number): number {
  f32[0] = x;
  u32[0] = u32[0]! + steps;
  return f32[0]!;
}

/**
 * The scale and zero point of the integer grid a FakeQuantize range
 * [low, high] with `levels` levels stands for. The writer stores
 * low = (0 - z)·s and high = (levels-1 - z)·s rounded to float32, so the
 * scale is (high - low) / (levels - 1) up to rounding: of the float32 values
 * next to it, the one that reproduces both ends exactly is taken, which gives
 * back the scale condense calibrated, bit for bit.
 */
export function gridOf(low: number, high: number, levels: number): { scale: number; zeroPoint: number; exact: boolean } | undefined {
  if (!(high > low) || low > 0 || high < 0) return undefined;
  const estimate = Math.fround((high - low) / (levels - 1));
  let fallback: { scale: number; zeroPoint: number; exact: boolean } | undefined;
  for (const steps of [0, -1, 1, -2, 2, -3, 3]) {
    const scale = ulpStep(estimate, steps);
    const zeroPoint = Math.round(-low / scale);
    if (zeroPoint < 0 || zeroPoint > levels - 1) continue;
    if (Math.fround((0 - zeroPoint) * scale) === low && Math.fround((levels - 1 - zeroPoint) * scale) === high) return { scale, zeroPoint, exact: true };
    fallback ??= { scale, zeroPoint, exact: false };
  }
  return fallback;
}

/**
 * FakeQuantize with equal input and output ranges that contain 0, and 256
 * (or 16) levels: QuantizeLinear → DequantizeLinear with a uint8 (uint4) zero
 * point, per tensor or per axis.
 */
const fakeQuantize: RaiseRule = (layer: OvLayer, ctx: RaiseContext) => {
  const levels = ctx.attrs(layer).int('levels');
  const dtype = levels === 256 ? 'uint8' : levels === 16 ? 'uint4' : undefined;
  if (!dtype) throw ctx.fail(layer, `levels ${levels} has no ONNX integer type (256 and 16 do)`);
  const ranges = [1, 2, 3, 4].map((i) => ctx.static(layer, i));
  const tensors = ranges.map((r) => (r?.kind === 'tensor' ? r.tensor : undefined));
  const [inLow, inHigh, outLow, outHigh] = tensors;
  if (!inLow || !inHigh || !outLow || !outHigh) throw ctx.fail(layer, 'the ranges must be constants');
  const same = (a: Tensor, b: Tensor) => a.shape.join() === b.shape.join() && a.toNumbers().join() === b.toNumbers().join();
  if (!same(inLow, outLow) || !same(inHigh, outHigh)) throw ctx.fail(layer, 'input and output ranges differ; only fake quantization to the same grid maps to QuantizeLinear/DequantizeLinear');
  if (inLow.shape.join() !== inHigh.shape.join()) throw ctx.fail(layer, 'input_low and input_high have different shapes');
  const lows = inLow.toNumbers();
  const highs = inHigh.toNumbers();
  const grids = lows.map((lo, c) => gridOf(lo, highs[c]!, levels));
  if (grids.some((g) => !g)) throw ctx.fail(layer, 'a range does not contain 0, so it has no integer zero point');
  const rank = layer.inputs[0]!.dims.length;
  const full = [...new Array<number>(Math.max(rank - inLow.rank, 0)).fill(1), ...inLow.shape];
  const varying = full.flatMap((d, i) => (d !== 1 ? [i] : []));
  if (varying.length > 1) throw ctx.fail(layer, 'ranges varying along more than one axis are not supported');
  const shape = varying.length ? [lows.length] : [];
  const attrs: Record<string, Attr> = varying.length ? { axis: attr.int(varying[0]!) } : {};
  const scale = ctx.graph.constant(`${layer.name}_scale`, Tensor.from('float32', shape, grids.map((g) => g!.scale)));
  const zeroPoint = ctx.graph.constant(`${layer.name}_zero_point`, Tensor.from(dtype, shape, grids.map((g) => g!.zeroPoint)));
  const q = ctx.node('QuantizeLinear', [ctx.input(layer, 0), scale, zeroPoint], attrs, `${layer.name}_quantized`);
  ctx.raise(layer, 'DequantizeLinear', [q, scale, zeroPoint], attrs);
};

export const QUANTIZE_RAISE: Record<string, RaiseRule> = { FakeQuantize: fakeQuantize };
