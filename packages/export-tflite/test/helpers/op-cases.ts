/** Small float graphs, one per op family: the layouts, paddings and fused activations the real models do not exercise. */
import type { Value } from '@condense/core';
import type { BuiltinOperator } from '../../src/generated/tflite_generated.js';
import type { ExportTfliteOptions } from '../../src/index.js';
import { attr, type GraphBuilder } from './graphs.js';

export interface Case {
  name: string;
  input: number[];
  body: (b: GraphBuilder, x: Value) => Value;
  opset?: number;
  options?: ExportTfliteOptions;
  /** TFLite operators the export must (not) contain, to prove the intended form was taken. */
  expectOps?: Array<keyof typeof BuiltinOperator>;
  avoidOps?: Array<keyof typeof BuiltinOperator>;
}

const conv = (b: GraphBuilder, x: Value, out: number, k: number, attrs: Record<string, ReturnType<typeof attr.ints>> = {}, group = 1) => {
  const inC = x.type!.shape![1] as number;
  return b.op('Conv', [x, b.constant([out, inC / group, k, k]), b.constant([out], -0.1, 0.1)], { ...attrs, group: attr.int(group) });
};

export const FLOAT_CASES: Case[] = [
  {
    name: 'Conv 3x3 pad 1 (SAME) + Relu fused',
    input: [1, 3, 9, 9],
    body: (b, x) => b.op('Relu', [conv(b, x, 8, 3, { pads: attr.ints([1, 1, 1, 1]) })]),
    expectOps: ['CONV_2D'],
    avoidOps: ['RELU', 'PAD'],
  },
  {
    name: "layout 'nchw': a TRANSPOSE at each 4-D boundary, NHWC inside",
    input: [1, 3, 6, 5],
    body: (b, x) => b.op('Relu', [conv(b, x, 4, 3, { pads: attr.ints([1, 1, 1, 1]) })]),
    options: { layout: 'nchw' },
    expectOps: ['TRANSPOSE', 'CONV_2D'],
  },
  {
    name: 'Conv 3x3 stride 2 pad 1 on an even size (explicit PAD), no bias',
    input: [1, 4, 8, 8],
    body: (b, x) => b.op('Conv', [x, b.constant([6, 4, 3, 3])], { pads: attr.ints([1, 1, 1, 1]), strides: attr.ints([2, 2]) }),
    expectOps: ['PAD', 'CONV_2D'],
  },
  {
    name: 'Conv dilated 2, asymmetric pads',
    input: [1, 2, 10, 10],
    body: (b, x) => conv(b, x, 4, 3, { pads: attr.ints([2, 1, 0, 2]), dilations: attr.ints([2, 2]) }),
  },
  {
    name: 'depthwise multiplier 2 + Clip(0, 6) fused',
    input: [1, 4, 7, 7],
    body: (b, x) => b.op('Clip', [conv(b, x, 8, 3, { pads: attr.ints([1, 1, 1, 1]) }, 4), b.scalar(0), b.scalar(6)]),
    expectOps: ['DEPTHWISE_CONV_2D'],
    avoidOps: ['RELU6'],
  },
  {
    name: 'ConvTranspose k4 s2 pad 1 (SAME), then Relu',
    input: [1, 3, 5, 5],
    body: (b, x) => b.op('Relu', [b.op('ConvTranspose', [x, b.constant([3, 4, 4, 4]), b.constant([4], -0.1, 0.1)], { strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) })]),
    expectOps: ['TRANSPOSE_CONV', 'RELU'],
  },
  {
    name: 'ConvTranspose k3 s2 output_padding 1 (VALID), no bias',
    input: [1, 2, 4, 4],
    body: (b, x) => b.op('ConvTranspose', [x, b.constant([2, 3, 3, 3])], { strides: attr.ints([2, 2]), output_padding: attr.ints([1, 1]) }),
    expectOps: ['TRANSPOSE_CONV'],
  },
  {
    name: 'Relu, MaxPool 3x3 s2 pad 1 (zero PAD is exact after Relu)',
    input: [1, 3, 8, 8],
    body: (b, x) => b.op('MaxPool', [b.op('Relu', [x])], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) }),
    expectOps: ['PAD', 'MAX_POOL_2D'],
  },
  {
    name: 'MaxPool 2x2 s2 of mostly negative values, then Relu (fused)',
    input: [1, 3, 6, 6],
    body: (b, x) => b.op('Relu', [b.op('MaxPool', [b.op('Sub', [x, b.scalar(0.6)])], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) })]),
    expectOps: ['MAX_POOL_2D'],
    avoidOps: ['RELU'],
  },
  {
    name: 'Sub, Mul and Div, each followed by Relu or Relu6 (fused)',
    input: [1, 3, 4, 4],
    body: (b, x) => {
      const s = b.op('Relu', [b.op('Sub', [x, b.constant([3, 1, 1])])]);
      const m = b.op('Clip', [b.op('Mul', [s, b.op('Sub', [b.scalar(0.2), x])]), b.scalar(0), b.scalar(6)]);
      return b.op('Relu', [b.op('Div', [b.op('Sub', [m, b.scalar(0.01)]), b.constant([3, 1, 1], 0.5, 2)])]);
    },
    avoidOps: ['RELU', 'RELU6'],
  },
  {
    name: 'AveragePool 3x3 pad 1, pads not counted (SAME)',
    input: [1, 3, 7, 7],
    body: (b, x) => b.op('AveragePool', [x], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) }),
    avoidOps: ['PAD'],
  },
  {
    name: 'AveragePool 3x3 s2 pad 1, pads counted (explicit PAD)',
    input: [1, 3, 8, 8],
    body: (b, x) => b.op('AveragePool', [x], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]), count_include_pad: attr.int(1) }),
    expectOps: ['PAD', 'AVERAGE_POOL_2D'],
  },
  {
    name: 'GlobalAveragePool, Flatten, Gemm (transB 0, alpha, beta), Softmax',
    input: [1, 6, 5, 5],
    body: (b, x) =>
      b.op('Softmax', [b.op('Gemm', [b.op('Flatten', [b.op('GlobalAveragePool', [x])]), b.constant([6, 4]), b.constant([4])], { alpha: attr.float(0.5), beta: attr.float(2) })], { axis: attr.int(1) }),
    expectOps: ['MEAN', 'FULLY_CONNECTED', 'SOFTMAX'],
    avoidOps: ['TRANSPOSE'],
  },
  {
    name: 'Flatten of an NHWC map into Gemm: weight columns permuted, no TRANSPOSE',
    input: [1, 3, 4, 5],
    body: (b, x) => b.op('Gemm', [b.op('Flatten', [conv(b, x, 6, 1)]), b.constant([7, 120]), b.constant([7])], { transB: attr.int(1) }),
    avoidOps: ['TRANSPOSE'],
  },
  {
    name: 'Flatten of an NHWC map to a graph output (ONNX order restored by TRANSPOSE)',
    input: [1, 3, 4, 5],
    body: (b, x) => b.op('Relu', [b.op('Flatten', [conv(b, x, 6, 1)])]),
    expectOps: ['TRANSPOSE'],
  },
  {
    name: 'Concat on channels with Pad (asymmetric, zeros), then Relu (not fused: runtimes skip a fused one)',
    input: [1, 2, 5, 6],
    body: (b, x) => b.op('Relu', [b.op('Concat', [b.op('Pad', [x, b.ints([0, 0, 1, 0, 0, 0, 0, 2])]), conv(b, x, 3, 2, { pads: attr.ints([1, 0, 1, 3]) })], { axis: attr.int(1) })]),
    expectOps: ['CONCATENATION', 'PAD', 'RELU'],
  },
  {
    name: 'Resize nearest x2 (asymmetric, floor)',
    input: [1, 2, 3, 4],
    body: (b, x) => b.op('Resize', [x, null, b.floats([1, 1, 2, 2])], { mode: attr.string('nearest'), coordinate_transformation_mode: attr.string('asymmetric'), nearest_mode: attr.string('floor') }),
    expectOps: ['RESIZE_NEAREST_NEIGHBOR'],
  },
  {
    name: 'Resize nearest x2 (half_pixel, round_prefer_floor: the ONNX default)',
    input: [1, 2, 3, 4],
    body: (b, x) => b.op('Resize', [x, null, b.floats([1, 1, 2, 2])], { mode: attr.string('nearest') }),
    expectOps: ['RESIZE_NEAREST_NEIGHBOR'],
  },
  {
    name: 'Resize bilinear x2 (half_pixel)',
    input: [1, 2, 3, 4],
    body: (b, x) => b.op('Resize', [x, null, b.floats([1, 1, 2, 2])], { mode: attr.string('linear') }),
    expectOps: ['RESIZE_BILINEAR'],
  },
  {
    name: 'Resize bilinear to sizes (align_corners)',
    input: [1, 2, 4, 5],
    body: (b, x) => b.op('Resize', [x, null, null, b.ints([1, 2, 7, 9])], { mode: attr.string('linear'), coordinate_transformation_mode: attr.string('align_corners') }),
    expectOps: ['RESIZE_BILINEAR'],
  },
  {
    name: 'LeakyRelu, Sigmoid, Tanh, HardSwish, HardSigmoid',
    input: [1, 3, 4, 4],
    body: (b, x) => b.op('HardSigmoid', [b.op('HardSwish', [b.op('Tanh', [b.op('Sigmoid', [b.op('LeakyRelu', [b.op('Mul', [x, b.scalar(4)])], { alpha: attr.float(0.2) })])])])], { alpha: attr.float(0.3), beta: attr.float(0.4) }),
    expectOps: ['LEAKY_RELU', 'LOGISTIC', 'TANH', 'HARD_SWISH'],
  },
  {
    name: 'Clip(-0.5, 0.7) as MAXIMUM and MINIMUM; Sub, Div and Max with per-channel constants',
    input: [1, 3, 4, 4],
    body: (b, x) => b.op('Max', [b.op('Div', [b.op('Sub', [b.op('Clip', [x, b.scalar(-0.5), b.scalar(0.7)]), b.constant([3, 1, 1])]), b.constant([3, 1, 1], 0.5, 2)]), b.constant([1, 4])]),
    expectOps: ['MAXIMUM', 'MINIMUM', 'SUB', 'DIV'],
  },
  {
    name: 'Add of two maps with residual + Relu fused; Mul by an SE-style [N, C, 1, 1] gate',
    input: [1, 4, 5, 5],
    body: (b, x) => {
      const y = b.op('Relu', [b.op('Add', [conv(b, x, 4, 3, { pads: attr.ints([1, 1, 1, 1]) }), x])]);
      return b.op('Mul', [y, b.op('Sigmoid', [b.op('GlobalAveragePool', [y])])]);
    },
    avoidOps: ['RELU'],
  },
  {
    name: 'Transpose, ReduceMean over H, W (keepdims 0) and over C (keepdims 1)',
    input: [1, 3, 4, 6],
    body: (b, x) => {
      const t = b.op('Transpose', [x], { perm: attr.ints([0, 2, 1, 3]) });
      const c = b.op('ReduceMean', [t], { axes: attr.ints([1]), keepdims: attr.int(1) });
      return b.op('ReduceMean', [c], { axes: attr.ints([2]), keepdims: attr.int(0) });
    },
    opset: 13,
  },
  {
    name: 'Reshape 2-D to 4-D, then Conv (NCHW order restored, then NHWC)',
    input: [1, 48],
    body: (b, x) => b.op('Conv', [b.op('Reshape', [x, b.ints([1, 3, 4, 4])]), b.constant([2, 3, 1, 1])]),
  },
  {
    name: 'MatMul of a 3-D input (keep_num_dims), BatchNormalization',
    input: [2, 5, 6],
    body: (b, x) => b.op('BatchNormalization', [b.op('MatMul', [x, b.constant([6, 4])]), b.constant([5], 0.5, 1.5), b.constant([5]), b.constant([5]), b.constant([5], 0.5, 1)]),
    expectOps: ['FULLY_CONNECTED'],
  },
];

