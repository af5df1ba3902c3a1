import { Tensor, getInt, type Node } from '@condense/core';
import type { StaticResolver } from '../statics.js';
import { dimsOf, rankOf, type LowerRule } from './rule.js';

const RANGES: Record<string, [number, number]> = { uint8: [0, 255], int8: [-128, 127], uint4: [0, 15], int4: [-8, 7] };

interface QdqPair {
  scale: number[];
  zeroPoint: number[];
  range: [number, number];
  axis: number;
}

/**
 * The parameters of DequantizeLinear(QuantizeLinear(x, s, z), s, z): the pair
 * condense's quantize-static puts on activations, which OpenVINO expresses as
 * one FakeQuantize. Undefined when `dq` reads anything else.
 */
export function qdqPair(dq: Node, statics: StaticResolver): QdqPair | undefined {
  const q = dq.inputs[0]?.producer();
  if (dq.op !== 'DequantizeLinear' || q?.op !== 'QuantizeLinear' || q.domain !== '') return undefined;
  const [qs, qz, ds, dz] = [q.inputs[1], q.inputs[2], dq.inputs[1], dq.inputs[2]].map((v) => statics.tensor(v));
  if (!qs || !ds || qs.dtype !== 'float32') return undefined;
  const same = (a: Tensor | undefined, b: Tensor | undefined) => (a === undefined ? b === undefined || b.toNumbers().every((v) => v === 0) : b !== undefined && a.toNumbers().join() === b.toNumbers().join());
  if (!same(qs, ds) || !same(qz, dz) || getInt(q.attrs, 'axis', 1) !== getInt(dq.attrs, 'axis', 1) || getInt(q.attrs, 'block_size', 0) || getInt(dq.attrs, 'block_size', 0)) return undefined;
  const dtype = qz?.dtype ?? 'uint8';
  const range = RANGES[dtype];
  if (!range || getInt(q.attrs, 'saturate', 1) !== 1) return undefined;
  const scale = qs.toNumbers();
  return { scale, zeroPoint: qz?.toNumbers() ?? scale.map(() => 0), range, axis: getInt(q.attrs, 'axis', 1) };
}

/** A QuantizeLinear is written by the DequantizeLinear that reads it (as FakeQuantize), so every reader must be one. */
const quantizeLinear: LowerRule = {
  check: (node, statics) => {
    const out = node.output;
    const uses = out.uses();
    if (out.isGraphOutput() || !uses.length || uses.some((u) => !qdqPair(u.node, statics))) return 'only QuantizeLinear followed by a DequantizeLinear with the same scale and zero point (a fake-quantization pair) is supported';
    return undefined;
  },
  reads: () => [0],
  lower: () => {},
};

/** DequantizeLinear of a run-time QuantizeLinear: FakeQuantize with levels 2^bits over the pair's range. */
const dequantizeLinear: LowerRule = {
  check: (node, statics) => {
    const pair = qdqPair(node, statics);
    if (!pair) return 'DequantizeLinear of a run-time tensor is supported only right after QuantizeLinear with the same parameters';
    return pair.scale.length > 1 && rankOf(node.output) === undefined ? 'per-axis fake quantization needs the input rank' : undefined;
  },
  reads: () => [0],
  lower: (node, ctx) => {
    const pair = qdqPair(node, ctx.statics)!;
    const q = node.inputs[0]!.producer()!;
    const dims = dimsOf(node.output) ?? [];
    const axis = (pair.axis + dims.length) % Math.max(dims.length, 1);
    const shape = pair.scale.length > 1 ? dims.map((_, i) => (i === axis ? pair.scale.length : 1)) : [];
    // The grid's ends in float32, as the integer ends times the scale: what DequantizeLinear returns for them.
    const low = Tensor.from('float32', shape, pair.scale.map((s, c) => Math.fround((pair.range[0] - pair.zeroPoint[c]!) * s)));
    const high = Tensor.from('float32', shape, pair.scale.map((s, c) => Math.fround((pair.range[1] - pair.zeroPoint[c]!) * s)));
    const lowPort = ctx.builder.constant(low, `${q.name}/low`);
    const highPort = ctx.builder.constant(high, `${q.name}/high`);
    const levels = pair.range[1] - pair.range[0] + 1;
    const x = ctx.value(q.inputs[0]!);
    ctx.define(node.output, ctx.add('FakeQuantize', { levels, auto_broadcast: 'numpy' }, [x, lowPort, highPort, lowPort, highPort], node.name));
  },
};

export const QUANTIZE_RULES: Record<string, LowerRule> = { QuantizeLinear: quantizeLinear, DequantizeLinear: dequantizeLinear };
