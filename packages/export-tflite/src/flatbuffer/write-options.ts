import type { Builder } from 'flatbuffers';
import * as tfl from '../generated/tflite_generated.js';
import type { TfliteOperator } from '../tflite-model.js';

type Op = tfl.BuiltinOperator;
const Op = tfl.BuiltinOperator;

/** Operators whose options table has no fields: written empty, as TFLite's converter does. */
const EMPTY_OPTIONS = new Map<Op, [tfl.BuiltinOptions, (b: Builder) => number]>([
  [Op.PAD, [tfl.BuiltinOptions.PadOptions, tfl.PadOptions.createPadOptions]],
  [Op.TRANSPOSE, [tfl.BuiltinOptions.TransposeOptions, tfl.TransposeOptions.createTransposeOptions]],
  [Op.DEQUANTIZE, [tfl.BuiltinOptions.DequantizeOptions, tfl.DequantizeOptions.createDequantizeOptions]],
  [Op.QUANTIZE, [tfl.BuiltinOptions.QuantizeOptions, tfl.QuantizeOptions.createQuantizeOptions]],
  [Op.HARD_SWISH, [tfl.BuiltinOptions.HardSwishOptions, tfl.HardSwishOptions.createHardSwishOptions]],
  [Op.MAXIMUM, [tfl.BuiltinOptions.MaximumMinimumOptions, tfl.MaximumMinimumOptions.createMaximumMinimumOptions]],
  [Op.MINIMUM, [tfl.BuiltinOptions.MaximumMinimumOptions, tfl.MaximumMinimumOptions.createMaximumMinimumOptions]],
]);

/** The builtin options table of an operator, or undefined for operators without one (RELU, LOGISTIC...). */
export function writeOptions(b: Builder, op: TfliteOperator): { type: tfl.BuiltinOptions; offset: number } | undefined {
  const o = op.options;
  if (!o) {
    const empty = EMPTY_OPTIONS.get(op.op);
    return empty && { type: empty[0], offset: empty[1](b) };
  }
  const T = tfl.BuiltinOptions;
  switch (o.kind) {
    case 'conv2d':
      return {
        type: T.Conv2DOptions,
        offset: tfl.Conv2DOptions.createConv2DOptions(b, o.padding, o.strideW, o.strideH, o.activation, o.dilationW, o.dilationH, tfl.TensorType.FLOAT32),
      };
    case 'depthwiseConv2d':
      return {
        type: T.DepthwiseConv2DOptions,
        offset: tfl.DepthwiseConv2DOptions.createDepthwiseConv2DOptions(b, o.padding, o.strideW, o.strideH, o.depthMultiplier, o.activation, o.dilationW, o.dilationH),
      };
    case 'transposeConv':
      return {
        type: T.TransposeConvOptions,
        offset: tfl.TransposeConvOptions.createTransposeConvOptions(b, o.padding, o.strideW, o.strideH, o.activation, tfl.TensorType.FLOAT32),
      };
    case 'pool2d':
      return { type: T.Pool2DOptions, offset: tfl.Pool2DOptions.createPool2DOptions(b, o.padding, o.strideW, o.strideH, o.filterW, o.filterH, o.activation) };
    case 'fullyConnected':
      return {
        type: T.FullyConnectedOptions,
        offset: tfl.FullyConnectedOptions.createFullyConnectedOptions(
          b,
          o.activation,
          tfl.FullyConnectedOptionsWeightsFormat.DEFAULT,
          o.keepNumDims,
          o.asymmetricQuantizeInputs,
          tfl.TensorType.FLOAT32,
        ),
      };
    case 'arithmetic':
      return arithmetic(b, op.op, o.activation);
    case 'concatenation':
      return { type: T.ConcatenationOptions, offset: tfl.ConcatenationOptions.createConcatenationOptions(b, o.axis, o.activation) };
    case 'softmax':
      return { type: T.SoftmaxOptions, offset: tfl.SoftmaxOptions.createSoftmaxOptions(b, o.beta) };
    case 'reshape':
      return { type: T.ReshapeOptions, offset: tfl.ReshapeOptions.createReshapeOptions(b, tfl.ReshapeOptions.createNewShapeVector(b, o.newShape)) };
    case 'reducer':
      return { type: T.ReducerOptions, offset: tfl.ReducerOptions.createReducerOptions(b, o.keepDims) };
    case 'resize':
      return op.op === Op.RESIZE_BILINEAR
        ? { type: T.ResizeBilinearOptions, offset: tfl.ResizeBilinearOptions.createResizeBilinearOptions(b, o.alignCorners, o.halfPixelCenters) }
        : {
            type: T.ResizeNearestNeighborOptions,
            offset: tfl.ResizeNearestNeighborOptions.createResizeNearestNeighborOptions(b, o.alignCorners, o.halfPixelCenters),
          };
    case 'leakyRelu':
      return { type: T.LeakyReluOptions, offset: tfl.LeakyReluOptions.createLeakyReluOptions(b, o.alpha) };
  }
}

function arithmetic(b: Builder, op: Op, activation: tfl.ActivationFunctionType): { type: tfl.BuiltinOptions; offset: number } {
  const T = tfl.BuiltinOptions;
  switch (op) {
    case Op.ADD:
      return { type: T.AddOptions, offset: tfl.AddOptions.createAddOptions(b, activation, true) };
    case Op.SUB:
      return { type: T.SubOptions, offset: tfl.SubOptions.createSubOptions(b, activation, true) };
    case Op.MUL:
      return { type: T.MulOptions, offset: tfl.MulOptions.createMulOptions(b, activation) };
    default:
      return { type: T.DivOptions, offset: tfl.DivOptions.createDivOptions(b, activation) };
  }
}
