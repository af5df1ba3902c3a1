import { constantOf, dtypeFromCode, getInt, type Node, type Value } from '@condense/core';

/**
 * Per-tensor int8 quantization of an activation in TFLite's terms:
 * real = scale * (q - zeroPoint), q in [-128, 127]. ONNX's uint8 activations
 * (what condense's quantize-static emits) map onto the same grid shifted by
 * 128: saturate(round(x / s) + z) - 128 = saturate(round(x / s) + z - 128).
 */
export interface ActivationParams {
  scale: number;
  zeroPoint: number;
}

export const isQuantize = (node: Node | undefined): node is Node & { op: 'QuantizeLinear' } => node?.op === 'QuantizeLinear' && node.domain === '';
export const isDequantize = (node: Node | undefined): node is Node & { op: 'DequantizeLinear' } => node?.op === 'DequantizeLinear' && node.domain === '';

/** The element type a QuantizeLinear writes: its zero point's, else output_dtype (opset 21), else uint8. */
function quantizedType(q: Node): string | undefined {
  const zero = q.inputs[2];
  if (zero) return constantOf(zero)?.dtype ?? zero.type?.dtype;
  const code = getInt(q.attrs, 'output_dtype', 0);
  return code ? dtypeFromCode(code) : 'uint8';
}

/**
 * The int8 parameters of a QuantizeLinear or DequantizeLinear on a computed
 * tensor, or why it has none TFLite can use: the scale and zero point must be
 * one constant each (per tensor), the type 8-bit.
 */
export function activationParams(node: Node): ActivationParams | string {
  const [, s, z] = node.inputs;
  const scale = constantOf(s);
  const zero = z ? constantOf(z) : undefined;
  if (!scale || scale.dtype !== 'float32' || (z && !zero)) return 'its scale and zero point must be constants (float32 scale)';
  if (scale.size !== 1 || (zero && zero.size !== 1)) return 'per-channel quantization of a computed tensor has no TFLite int8 kernel; activations need one scale and zero point';
  const dtype = isQuantize(node) ? quantizedType(node) : constantOf(node.inputs[0])?.dtype ?? node.inputs[0]?.type?.dtype;
  if (dtype !== 'uint8' && dtype !== 'int8') return `${dtype ?? 'unknown'} quantization is not exported; activations must be int8 or uint8`;
  const s0 = scale.toNumbers()[0]!;
  if (!(s0 > 0) || !Number.isFinite(s0)) return `the scale ${s0} is not a positive number`;
  const z0 = zero ? zero.toNumbers()[0]! : 0;
  return { scale: s0, zeroPoint: dtype === 'uint8' ? z0 - 128 : z0 };
}

export function sameParams(a: ActivationParams, b: ActivationParams): boolean {
  return a.scale === b.scale && a.zeroPoint === b.zeroPoint;
}

/**
 * When `v` = DequantizeLinear(QuantizeLinear(x)) with the same parameters,
 * the int8 parameters of the tensor it reads: TFLite holds one int8 tensor
 * for the pair, and integer kernels read it directly.
 */
export function quantizedView(v: Value | null | undefined): ActivationParams | undefined {
  const dq = v?.producer();
  if (!isDequantize(dq)) return undefined;
  const q = dq.inputs[0]?.producer();
  if (!isQuantize(q) || constantOf(q.inputs[0])) return undefined;
  const read = activationParams(dq);
  const written = activationParams(q);
  return typeof read !== 'string' && typeof written !== 'string' && sameParams(read, written) ? read : undefined;
}

/**
 * The QuantizeLinear nodes that are the only readers of `v`, when they all
 * quantize alike: an integer kernel writing `v` can write their int8 tensor
 * instead, and they vanish. Undefined when anything else reads `v`.
 */
export function quantizersOf(v: Value): { nodes: Node[]; params: ActivationParams } | undefined {
  if (v.isGraphOutput()) return undefined;
  const uses = v.uses();
  if (uses.length === 0 || uses.some((u) => !isQuantize(u.node) || u.index !== 0)) return undefined;
  const nodes = [...new Set(uses.map((u) => u.node))];
  const all = nodes.map(activationParams);
  const first = all[0]!;
  if (typeof first === 'string' || all.some((p) => typeof p === 'string' || !sameParams(p, first))) return undefined;
  return { nodes, params: first };
}
