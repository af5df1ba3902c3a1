/** Small hand-built QDQ graphs, one per int8 lowering the real models do not reach. */
import type { Model, Value } from '@condense/core';
import type { ExportTfliteOptions } from '../../src/index.js';
import { attr, type GraphBuilder } from './graphs.js';

export interface Int8Case {
  name: string;
  input: number[];
  /** Returns the model's output: the DequantizeLinear of its last quantized tensor. */
  body: (b: GraphBuilder, x: Value) => Value;
  options?: ExportTfliteOptions;
  /** Operators (with the type of their first input) the export must contain. */
  expectOps: string[];
}

/** Conv of `inC` channels with int8 weights (per output channel) and a float bias, rounded to int32 by the export. */
const conv = (b: GraphBuilder, x: Value, inC: number, out: number, k: number, attrs: Record<string, ReturnType<typeof attr.ints>> = {}, group = 1) => {
  return b.op('Conv', [x, b.int8Weight([out, inC / group, k, k]), b.constant([out], -0.5, 0.5)], { ...attrs, group: attr.int(group) });
};

export const INT8_CASES: Int8Case[] = [
  {
    name: 'Conv 3x3 s2 pad 1 (int8 PAD of the zero point) + Relu, MaxPool 3x3 s2 pad 1 requantized to its own scale',
    input: [1, 3, 10, 10],
    body: (b, x) => {
      const y = b.qdq(b.op('Relu', [conv(b, b.qdq(x, -1, 1), 3, 8, 3, { pads: attr.ints([1, 1, 1, 1]), strides: attr.ints([2, 2]) })]), 0, 8);
      return b.qdq(b.op('MaxPool', [y], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) }), 0, 6);
    },
    expectOps: ['PAD:INT8', 'CONV_2D:INT8', 'MAX_POOL_2D:INT8', 'QUANTIZE:INT8'],
  },
  {
    name: 'depthwise Conv, AveragePool (SAME), GlobalAveragePool (int8 MEAN to a new scale)',
    input: [1, 4, 8, 8],
    body: (b, x) => {
      const d = b.qdq(conv(b, b.qdq(x, -1, 1), 4, 8, 3, { pads: attr.ints([1, 1, 1, 1]) }, 4), -4, 4);
      const a = b.qdq(b.op('AveragePool', [d], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) }), -4, 4);
      return b.qdq(b.op('GlobalAveragePool', [a]), -1, 1);
    },
    expectOps: ['DEPTHWISE_CONV_2D:INT8', 'AVERAGE_POOL_2D:INT8', 'MEAN:INT8'],
  },
  {
    name: 'Concat of two branches at different scales (requantized to the output scale), Pad, Transpose',
    input: [1, 3, 6, 6],
    body: (b, x) => {
      const q = b.qdq(x, -1, 1);
      const c = b.qdq(b.op('Concat', [b.qdq(conv(b, q, 3, 4, 1), -3, 3), b.qdq(conv(b, q, 3, 2, 3, { pads: attr.ints([1, 1, 1, 1]) }), -8, 8)], { axis: attr.int(1) }), -6, 6);
      const p = b.qdq(b.op('Pad', [c, b.ints([0, 0, 1, 0, 0, 0, 0, 2])]), -6, 6);
      return b.qdq(b.op('Transpose', [p], { perm: attr.ints([0, 2, 3, 1]) }), -6, 6);
    },
    expectOps: ['CONCATENATION:INT8', 'QUANTIZE:INT8', 'PAD:INT8', 'TRANSPOSE:INT8'],
  },
  {
    name: 'Flatten of an NHWC map into Gemm (columns permuted, no TRANSPOSE), MatMul with weights per channel on axis 1, Add of the two with Relu',
    input: [1, 3, 4, 5],
    body: (b, x) => {
      const f = b.qdq(b.op('Flatten', [b.qdq(conv(b, b.qdq(x, -1, 1), 3, 6, 1), -2, 2)]), -2, 2);
      const g = b.qdq(b.op('Gemm', [f, b.int8Weight([7, 120]), b.constant([7])], { transB: attr.int(1) }), -6, 6);
      const m = b.qdq(b.op('MatMul', [f, b.int8Weight([120, 7], 1)]), -6, 6);
      return b.qdq(b.op('Relu', [b.op('Add', [g, m])]), 0, 10);
    },
    expectOps: ['RESHAPE:INT8', 'FULLY_CONNECTED:INT8', 'ADD:INT8'],
  },
  {
    name: 'Reshape 2-D to 4-D, Resize nearest x2, a standalone Relu on int8, and a float Sigmoid between DEQUANTIZE and QUANTIZE',
    input: [1, 48],
    body: (b, x) => {
      const r = b.qdq(b.op('Reshape', [b.qdq(x, -1, 1), b.ints([1, 3, 4, 4])]), -1, 1);
      const up = b.qdq(b.op('Resize', [r, null, b.floats([1, 1, 2, 2])], { mode: attr.string('nearest'), coordinate_transformation_mode: attr.string('asymmetric'), nearest_mode: attr.string('floor') }), -1, 1);
      const relu = b.qdq(b.op('Relu', [up]), 0, 1);
      return b.qdq(b.op('Sigmoid', [b.op('Mul', [relu, b.scalar(3)])]), 0, 1);
    },
    expectOps: ['RESHAPE:INT8', 'RESIZE_NEAREST_NEIGHBOR:INT8', 'RELU:INT8', 'DEQUANTIZE:INT8', 'LOGISTIC:FLOAT32', 'QUANTIZE:FLOAT32'],
  },
  {
    name: "io 'uint8' and layout 'nchw': uint8 NCHW tensors at both ends, exact shifts to int8 inside",
    input: [1, 3, 6, 6],
    body: (b, x) => b.qdq(b.op('Relu', [conv(b, b.qdq(x, -1, 1), 3, 4, 3, { pads: attr.ints([1, 1, 1, 1]) })]), 0, 8),
    options: { io: 'uint8', layout: 'nchw' },
    expectOps: ['QUANTIZE:UINT8', 'TRANSPOSE:INT8', 'CONV_2D:INT8', 'QUANTIZE:INT8'],
  },
];


/** The scale of a case's output: the DequantizeLinear that ends it. */
export function outputScale(model: Model): number {
  return model.graph.outputs[0]!.producer()!.inputs[1]!.const!.toNumbers()[0]!;
}
