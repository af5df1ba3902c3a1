import { CondenseError } from '@condense/core';
import { ByteBuffer } from 'flatbuffers';
import * as tfl from '../generated/tflite_generated.js';
import type { TfliteModel, TfliteOperator, TfliteOptions, TfliteTensor } from '../tflite-model.js';

import { invalidTflite, quoted } from './errors.js';
import { checkModel } from './check-model.js';
import { verifyFlatbuffer } from './verify.js';

export { invalidTflite };

const T = tfl.BuiltinOptions;

/**
 * .tflite bytes as plain data (the writer's TfliteModel, read back with the
 * accessors generated from the same schema). One subgraph; constant data are
 * views into `bytes`. Malformed files fail with one CondenseError.
 */
export function parseModel(bytes: Uint8Array): TfliteModel {
  if (bytes.byteLength < 8) throw invalidTflite(`${bytes.byteLength} bytes is too short for a flatbuffer`);
  // Flatbuffer vectors are aligned relative to the buffer's start; typed views need that start aligned in memory too.
  const aligned = bytes.byteOffset % 16 === 0 ? bytes : bytes.slice();
  const bb = new ByteBuffer(aligned);
  if (!tfl.Model.bufferHasIdentifier(bb)) throw invalidTflite('it lacks the "TFL3" file identifier (is it a TFLite flatbuffer?)');
  verifyFlatbuffer(aligned);
  const model = readModel(tfl.Model.getRootAsModel(bb));
  checkModel(model);
  return model;
}

function readModel(model: tfl.Model): TfliteModel {
  if (model.subgraphsLength() !== 1) throw new CondenseError('E_UNSUPPORTED_OP', `The .tflite model has ${model.subgraphsLength()} subgraphs; only single-subgraph models (no control flow) are read.`);
  const graph = model.subgraphs(0)!;
  const codes = Array.from({ length: model.operatorCodesLength() }, (_, i) => model.operatorCodes(i)!);
  const tensors = Array.from({ length: graph.tensorsLength() }, (_, i) => readTensor(model, graph.tensors(i)!, i));
  const operators = Array.from({ length: graph.operatorsLength() }, (_, i): TfliteOperator => {
    const op = graph.operators(i)!;
    const code = codes[op.opcodeIndex()];
    if (!code) throw invalidTflite(`operator ${i} names operator code ${op.opcodeIndex()}, which does not exist`);
    const builtin = Math.max(code.builtinCode(), code.deprecatedBuiltinCode());
    if (builtin === tfl.BuiltinOperator.CUSTOM) throw new CondenseError('E_UNSUPPORTED_OP', `Operator ${i} is the custom op ${quoted(code.customCode() ?? '')}; custom ops have no ONNX equivalent.`);
    const options = readOptions(op);
    const operator: TfliteOperator = { op: builtin, inputs: Array.from(op.inputsArray() ?? []), outputs: Array.from(op.outputsArray() ?? []) };
    if (options) operator.options = options;
    for (const t of [...operator.inputs, ...operator.outputs]) {
      if (t !== -1 && !tensors[t]) throw invalidTflite(`operator ${i} refers to tensor ${t}, which does not exist`);
    }
    return operator;
  });
  return {
    description: model.description() ?? '',
    tensors,
    operators,
    inputs: Array.from(graph.inputsArray() ?? []),
    outputs: Array.from(graph.outputsArray() ?? []),
  };
}

function readTensor(model: tfl.Model, t: tfl.Tensor, index: number): TfliteTensor {
  const tensor: TfliteTensor = { name: t.name() ?? `tensor_${index}`, type: t.type(), shape: Array.from(t.shapeArray() ?? []) };
  const buffer = t.buffer();
  if (buffer !== 0) {
    // The generated accessor does not check the index against the vector's length: a wrong one reads any bytes as a table.
    const b = buffer < model.buffersLength() ? model.buffers(buffer) : null;
    if (!b) throw invalidTflite(`tensor ${quoted(tensor.name)} refers to buffer ${buffer}, which does not exist`);
    if (b.offset() !== 0n) throw new CondenseError('E_UNSUPPORTED_OP', `Tensor ${quoted(tensor.name)} keeps its data outside the flatbuffer (a model over 2 GB); such models are not read.`);
    const data = b.dataArray();
    if (data && data.byteLength > 0) tensor.data = data;
  }
  const q = t.quantization();
  if (q && q.scaleLength() > 0) {
    tensor.quantization = {
      scale: Array.from({ length: q.scaleLength() }, (_, i) => q.scale(i)!),
      zeroPoint: Array.from({ length: q.zeroPointLength() }, (_, i) => Number(q.zeroPoint(i)!)),
      axis: q.quantizedDimension(),
    };
  }
  return tensor;
}

/** The builtin options the writer writes, as TfliteOptions; operators without options get undefined. */
function readOptions(op: tfl.Operator): TfliteOptions | undefined {
  const window = (o: { padding(): tfl.Padding; strideH(): number; strideW(): number }) => ({ padding: o.padding(), strideH: o.strideH(), strideW: o.strideW() });
  switch (op.builtinOptionsType()) {
    case T.Conv2DOptions: {
      const o = op.builtinOptions(new tfl.Conv2DOptions()) as tfl.Conv2DOptions;
      return { kind: 'conv2d', ...window(o), dilationH: o.dilationHFactor(), dilationW: o.dilationWFactor(), activation: o.fusedActivationFunction() };
    }
    case T.DepthwiseConv2DOptions: {
      const o = op.builtinOptions(new tfl.DepthwiseConv2DOptions()) as tfl.DepthwiseConv2DOptions;
      return { kind: 'depthwiseConv2d', ...window(o), depthMultiplier: o.depthMultiplier(), dilationH: o.dilationHFactor(), dilationW: o.dilationWFactor(), activation: o.fusedActivationFunction() };
    }
    case T.TransposeConvOptions: {
      const o = op.builtinOptions(new tfl.TransposeConvOptions()) as tfl.TransposeConvOptions;
      return { kind: 'transposeConv', ...window(o), activation: o.fusedActivationFunction() };
    }
    case T.Pool2DOptions: {
      const o = op.builtinOptions(new tfl.Pool2DOptions()) as tfl.Pool2DOptions;
      return { kind: 'pool2d', ...window(o), filterH: o.filterHeight(), filterW: o.filterWidth(), activation: o.fusedActivationFunction() };
    }
    case T.FullyConnectedOptions: {
      const o = op.builtinOptions(new tfl.FullyConnectedOptions()) as tfl.FullyConnectedOptions;
      if (o.weightsFormat() !== tfl.FullyConnectedOptionsWeightsFormat.DEFAULT) throw new CondenseError('E_UNSUPPORTED_OP', 'FULLY_CONNECTED with shuffled weights is not read.');
      return { kind: 'fullyConnected', activation: o.fusedActivationFunction(), keepNumDims: o.keepNumDims(), asymmetricQuantizeInputs: o.asymmetricQuantizeInputs() };
    }
    case T.AddOptions:
      return { kind: 'arithmetic', activation: (op.builtinOptions(new tfl.AddOptions()) as tfl.AddOptions).fusedActivationFunction() };
    case T.SubOptions:
      return { kind: 'arithmetic', activation: (op.builtinOptions(new tfl.SubOptions()) as tfl.SubOptions).fusedActivationFunction() };
    case T.MulOptions:
      return { kind: 'arithmetic', activation: (op.builtinOptions(new tfl.MulOptions()) as tfl.MulOptions).fusedActivationFunction() };
    case T.DivOptions:
      return { kind: 'arithmetic', activation: (op.builtinOptions(new tfl.DivOptions()) as tfl.DivOptions).fusedActivationFunction() };
    case T.ConcatenationOptions: {
      const o = op.builtinOptions(new tfl.ConcatenationOptions()) as tfl.ConcatenationOptions;
      return { kind: 'concatenation', axis: o.axis(), activation: o.fusedActivationFunction() };
    }
    case T.SoftmaxOptions:
      return { kind: 'softmax', beta: (op.builtinOptions(new tfl.SoftmaxOptions()) as tfl.SoftmaxOptions).beta() };
    case T.ReshapeOptions:
      return { kind: 'reshape', newShape: Array.from((op.builtinOptions(new tfl.ReshapeOptions()) as tfl.ReshapeOptions).newShapeArray() ?? []) };
    case T.ReducerOptions:
      return { kind: 'reducer', keepDims: (op.builtinOptions(new tfl.ReducerOptions()) as tfl.ReducerOptions).keepDims() };
    case T.ResizeBilinearOptions: {
      const o = op.builtinOptions(new tfl.ResizeBilinearOptions()) as tfl.ResizeBilinearOptions;
      return { kind: 'resize', alignCorners: o.alignCorners(), halfPixelCenters: o.halfPixelCenters() };
    }
    case T.ResizeNearestNeighborOptions: {
      const o = op.builtinOptions(new tfl.ResizeNearestNeighborOptions()) as tfl.ResizeNearestNeighborOptions;
      return { kind: 'resize', alignCorners: o.alignCorners(), halfPixelCenters: o.halfPixelCenters() };
    }
    case T.LeakyReluOptions:
      return { kind: 'leakyRelu', alpha: (op.builtinOptions(new tfl.LeakyReluOptions()) as tfl.LeakyReluOptions).alpha() };
    default:
      return undefined;
  }
}
