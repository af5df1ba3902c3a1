import { byteLengthOf, elementCount } from '@condense/core';
import { BuiltinOperator, TensorType } from '../generated/tflite_generated.js';
import type { TfliteModel, TfliteOperator, TfliteTensor } from '../tflite-model.js';
import { DTYPES } from './dtypes.js';
import { invalidTflite, quoted } from './errors.js';

/**
 * Checks what the flatbuffer reads back as before the graph is built from it:
 * indices in range, one writer per tensor, dimensions that are sizes, constant
 * data exactly as long as type x shape, quantization parameters that mean
 * something, and window options (strides, dilations, filter sizes) that are
 * positive. Throws E_MODEL_INVALID naming the first problem.
 */
export function checkModel(model: TfliteModel): void {
  const { tensors } = model;
  const exists = (t: number) => Number.isInteger(t) && t >= 0 && t < tensors.length;
  for (const [what, list] of [['input', model.inputs], ['output', model.outputs]] as const) {
    for (const t of list) if (!exists(t)) throw invalidTflite(`the graph ${what} ${t} is not a tensor index (the model has ${tensors.length} tensors)`);
  }
  tensors.forEach(checkTensor);
  const written = new Set<number>(model.inputs);
  model.operators.forEach((op, i) => {
    const where = `operator ${i} (${BuiltinOperator[op.op] ?? op.op})`;
    for (const t of op.outputs) {
      if (!exists(t)) throw invalidTflite(`${where} writes tensor ${t}, which does not exist`);
      if (written.has(t)) throw invalidTflite(`${where} writes tensor ${quoted(tensors[t]!.name)}, which a graph input or an earlier operator already holds`);
      if (tensors[t]!.data) throw invalidTflite(`${where} writes tensor ${quoted(tensors[t]!.name)}, which is a constant`);
      written.add(t);
    }
    checkOptions(op, where);
  });
}

function checkTensor(t: TfliteTensor): void {
  const name = quoted(t.name);
  for (const d of t.shape) if (d < 0) throw invalidTflite(`tensor ${name} has dimension ${d}; dimensions are sizes`);
  const count = elementCount(t.shape);
  if (!Number.isSafeInteger(count)) throw invalidTflite(`tensor ${name} declares more elements than any model holds`);
  const dtype = DTYPES[t.type];
  if (t.data && dtype && t.data.byteLength !== byteLengthOf(dtype, count)) {
    throw invalidTflite(`tensor ${name} (${TensorType[t.type]}, ${count} elements) needs ${byteLengthOf(dtype, count)} bytes of data but its buffer holds ${t.data.byteLength}`);
  }
  const q = t.quantization;
  if (!q) return;
  if (q.scale.some((s) => !Number.isFinite(s) || s <= 0)) throw invalidTflite(`tensor ${name} has a quantization scale that is not a positive number`);
  if (q.zeroPoint.length !== q.scale.length) throw invalidTflite(`tensor ${name} has ${q.scale.length} quantization scales but ${q.zeroPoint.length} zero points`);
  const [lo, hi] = ZERO_POINT_RANGE[t.type] ?? [-(2 ** 31), 2 ** 31 - 1];
  if (q.zeroPoint.some((z) => !Number.isSafeInteger(z) || z < lo || z > hi)) throw invalidTflite(`tensor ${name} has a zero point outside ${TensorType[t.type] ?? 'its type'}'s range`);
  if (q.scale.length > 1 && (q.axis < 0 || q.axis >= t.shape.length || t.shape[q.axis] !== q.scale.length)) {
    throw invalidTflite(`tensor ${name} has ${q.scale.length} scales along axis ${q.axis}, which is not an axis of that size`);
  }
}

const ZERO_POINT_RANGE: Partial<Record<TensorType, [number, number]>> = {
  [TensorType.INT8]: [-128, 127],
  [TensorType.UINT8]: [0, 255],
  [TensorType.INT16]: [-32768, 32767],
};

/** Window sizes and steps must be at least 1: a zero stride or filter has no output size. */
function checkOptions(op: TfliteOperator, where: string): void {
  const o = op.options;
  if (!o) return;
  const positive: Array<[string, number]> = [];
  if ('strideH' in o) positive.push(['stride_h', o.strideH], ['stride_w', o.strideW]);
  if ('dilationH' in o) positive.push(['dilation_h', o.dilationH], ['dilation_w', o.dilationW]);
  if (o.kind === 'pool2d') positive.push(['filter_height', o.filterH], ['filter_width', o.filterW]);
  if (o.kind === 'depthwiseConv2d') positive.push(['depth_multiplier', o.depthMultiplier]);
  for (const [field, v] of positive) if (!(v >= 1)) throw invalidTflite(`${where} has ${field} ${v}; it must be at least 1`);
  if (o.kind === 'softmax' && !Number.isFinite(o.beta)) throw invalidTflite(`${where} has softmax beta ${o.beta}`);
  if (o.kind === 'leakyRelu' && !Number.isFinite(o.alpha)) throw invalidTflite(`${where} has leaky relu alpha ${o.alpha}`);
}
