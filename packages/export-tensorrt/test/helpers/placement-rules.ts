/**
 * TensorRT's Q/DQ placement rules, checked on an exported QDQ graph by code
 * written apart from the exporter's: each rule returns what breaks it, so a
 * test asserts an empty list and the mutation tests prove every rule can fail.
 */
import { constantOf, getInt, type Graph, type Node, type Tensor, type Value } from '@condense/core';

const WEIGHTED = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);
const isQ = (n: Node | undefined): n is Node => n?.op === 'QuantizeLinear';
const isDQ = (n: Node | undefined): n is Node => n?.op === 'DequantizeLinear';

/** The float value a Q/DQ pair's output stands for, or undefined when `v` is not a pair's output. */
function quantizedFrom(v: Value | null | undefined): Value | undefined {
  const dq = v?.producer();
  const q = isDQ(dq) ? dq.inputs[0]?.producer() : undefined;
  return isQ(q) ? q.inputs[0] ?? undefined : undefined;
}

const pairOf = (v: Value | null | undefined) => {
  const dq = v?.producer();
  return isDQ(dq) ? { dq, q: dq.inputs[0]?.producer() } : undefined;
};

const name = (n: Node) => `${n.op} "${n.name}"`;

/** Zero points: explicit, int8, all 0 (symmetric quantization); scales positive, finite, float32 normals. */
function zeroPointsAndScales(graph: Graph): string[] {
  const out: string[] = [];
  for (const n of graph) {
    if (!isQ(n) && !isDQ(n)) continue;
    const zp = constantOf(n.inputs[2]);
    if (!zp) out.push(`${name(n)} has no constant zero point`);
    else if (zp.dtype !== 'int8') out.push(`${name(n)} zero point is ${zp.dtype}, not int8`);
    else if (zp.toNumbers().some((z) => z !== 0)) out.push(`${name(n)} has a non-zero zero point`);
    const scale = constantOf(n.inputs[1]);
    if (!scale || scale.toNumbers().some((s) => !(s >= 2 ** -126) || !Number.isFinite(s))) out.push(`${name(n)} has a scale that is not a positive normal float32`);
    if (isQ(n) && n.output.type && n.output.type.dtype !== 'int8') out.push(`${name(n)} outputs ${n.output.type.dtype}, not int8`);
  }
  return out;
}

/** Every Q feeds only DequantizeLinear with the same scale and zero point, and every DQ reads a Q. */
function pairsMatch(graph: Graph): string[] {
  const out: string[] = [];
  for (const n of graph) {
    if (isDQ(n) && !isQ(n.inputs[0]?.producer())) out.push(`${name(n)} does not read a QuantizeLinear`);
    if (!isQ(n)) continue;
    for (const { node } of n.output.uses()) {
      if (!isDQ(node)) out.push(`${name(n)} is read by ${name(node)}`);
      else if (node.inputs[1] !== n.inputs[1] || node.inputs[2] !== n.inputs[2] || getInt(node.attrs, 'axis', 1) !== getInt(n.attrs, 'axis', 1)) out.push(`${name(node)} dequantizes with other parameters than ${name(n)}`);
    }
  }
  return out;
}

/** The output-channel axis TensorRT expects for a weight, or undefined for per-tensor. */
function expectedAxis(node: Node, weight: Tensor): number | undefined {
  if (node.op === 'Conv') return 0;
  if (node.op === 'ConvTranspose') return getInt(node.attrs, 'group', 1) === 1 ? 1 : undefined;
  if (node.op === 'Gemm') return getInt(node.attrs, 'transB', 0) === 1 ? 0 : 1;
  return weight.rank === 2 && node.inputs[0]?.type?.shape?.length === 2 ? 1 : undefined;
}

/**
 * Inputs 0 and 1 of every Conv, ConvTranspose, Gemm and MatMul come through a
 * Q/DQ pair: activations with one scale, constant weights per output channel
 * on TensorRT's axis with scale max|w| / 127 per channel. Biases stay float.
 */
function weightedInputs(graph: Graph): string[] {
  const out: string[] = [];
  for (const node of graph) {
    if (!WEIGHTED.has(node.op)) continue;
    for (const index of [0, 1]) {
      const v = node.inputs[index];
      const from = quantizedFrom(v);
      const pair = pairOf(v);
      if (!from || !pair) {
        out.push(`${name(node)} input ${index} is not quantized`);
        continue;
      }
      const scales = constantOf(pair.dq.inputs[1])!;
      const weight = constantOf(from);
      if (!weight) {
        if (scales.rank !== 0) out.push(`${name(node)} activation input ${index} is not quantized per tensor`);
        continue;
      }
      const axis = expectedAxis(node, weight);
      const got = pair.dq.attrs['axis'] ? getInt(pair.dq.attrs, 'axis', 1) : undefined;
      if (axis === undefined ? scales.rank !== 0 : got !== axis || scales.size !== weight.shape[axis]) {
        out.push(`${name(node)} weight is quantized on axis ${scales.rank === 0 ? 'none' : got} with ${scales.size} scales; expected ${axis === undefined ? 'per tensor' : `axis ${axis}`}`);
        continue;
      }
      const expected = channelMaxima(weight, axis).map((m) => Math.fround(m / 127));
      const found = scales.toNumbers();
      if (expected.some((e, c) => e > 0 && found[c] !== e)) out.push(`${name(node)} weight scales are not max|w| / 127 per channel`);
    }
    const bias = node.op === 'MatMul' ? undefined : node.inputs[2];
    if (bias && quantizedFrom(bias)) out.push(`${name(node)} bias is quantized`);
  }
  return out;
}

function channelMaxima(w: Tensor, axis: number | undefined): number[] {
  const data = w.data<'float32'>();
  const channels = axis === undefined ? 1 : w.shape[axis]!;
  const inner = axis === undefined ? data.length : w.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const max = new Array<number>(channels).fill(0);
  data.forEach((x, i) => {
    const c = Math.floor(i / inner) % channels;
    max[c] = Math.max(max[c]!, Math.abs(x));
  });
  return max;
}

/**
 * A dequantized activation is read only by a weighted layer or a residual
 * Add: never by a Relu, BatchNormalization or pooling layer (no Q/DQ between
 * a layer and the activation TensorRT fuses into it, none in front of pools).
 */
function dequantizedReaders(graph: Graph): string[] {
  const out: string[] = [];
  for (const n of graph) {
    if (!isDQ(n) || constantOf(quantizedFrom(n.output))) continue;
    for (const { node } of n.output.uses()) {
      const residual = node.op === 'Add' && node.inputs.every((v) => v && !constantOf(quantizedFrom(v) ?? v));
      if (!WEIGHTED.has(node.op) && !residual) out.push(`${name(node)} reads the dequantized "${quantizedFrom(n.output)!.name}"`);
    }
  }
  return out;
}

/** The weighted layer (possibly through a BatchNormalization) that computes `v` for `add` alone, or undefined. */
function fusableLayer(v: Value, add: Node): Node | undefined {
  const from = quantizedFrom(v);
  const float = from ?? v;
  // Read by this Add alone (through its Q/DQ pair when it has one).
  const alone = from ? from.useCount === 1 && pairOf(v)!.q!.output.useCount === 1 && v.useCount === 1 : v.useCount === 1;
  if (!alone || float.isGraphOutput() || !add.inputs.includes(v)) return undefined;
  const p = float.producer();
  if (p && WEIGHTED.has(p.op)) return p;
  const before = p?.op === 'BatchNormalization' ? p.inputs[0]?.producer() : undefined;
  return before && WEIGHTED.has(before.op) && p!.inputs[0]!.useCount === 1 ? p : undefined;
}

/**
 * Residual Adds (both inputs computed): `both` quantizes both inputs; `fuse`
 * leaves float exactly one input that comes straight from a weighted layer
 * (when there is one) and quantizes the other.
 */
function residualAdds(graph: Graph, mode: 'fuse' | 'both'): string[] {
  const out: string[] = [];
  for (const node of graph) {
    if (node.op !== 'Add' || !node.inputs.every((v) => v && !constantOf(quantizedFrom(v) ?? v))) continue;
    const float = node.inputs.filter((v) => !quantizedFrom(v));
    if (mode === 'both') {
      if (float.length) out.push(`${name(node)} has unquantized inputs`);
      continue;
    }
    const fusable = node.inputs.filter((v) => fusableLayer(v!, node));
    const expected = fusable.length ? 1 : 0;
    if (float.length !== expected || !float.every((v) => fusable.includes(v))) {
      out.push(`${name(node)} leaves ${float.length} input(s) float; expected ${expected ? 'the one from a weighted layer' : 'none'}`);
    }
  }
  return out;
}

/** Relu, Clip and BatchNormalization read the float output of the layer before them, never a Q/DQ pair. */
function nothingBeforeFusedActivations(graph: Graph): string[] {
  const out: string[] = [];
  for (const node of graph) {
    if (['Relu', 'Clip', 'BatchNormalization', 'MaxPool', 'AveragePool', 'GlobalAveragePool'].includes(node.op) && quantizedFrom(node.inputs[0])) out.push(`${name(node)} reads a Q/DQ pair`);
  }
  return out;
}

export const PLACEMENT_RULES = {
  'zero points 0, int8, positive scales': zeroPointsAndScales,
  'Q feeds DQ with the same parameters': pairsMatch,
  'weighted layers: every input quantized, weights per channel on the output axis, biases float': weightedInputs,
  'dequantized activations read only by weighted layers and residual Adds': dequantizedReaders,
  'no Q/DQ before Relu, BatchNormalization or pools': nothingBeforeFusedActivations,
} as const;

/** Every rule broken in `graph`, prefixed with the rule's name. */
export function placementViolations(graph: Graph, mode: 'fuse' | 'both' = 'fuse'): string[] {
  const found = Object.entries(PLACEMENT_RULES).flatMap(([rule, check]) => check(graph).map((v) => `${rule}: ${v}`));
  return [...found, ...residualAdds(graph, mode).map((v) => `residual Adds (${mode}): ${v}`)];
}
