import { Builder } from 'flatbuffers';
import * as tfl from '../generated/tflite_generated.js';
import type { TfliteModel, TfliteOperator, TfliteTensor } from '../tflite-model.js';
import { opVersion } from './op-version.js';
import { writeOptions } from './write-options.js';

const SCHEMA_VERSION = 3;
const FILE_IDENTIFIER = 'TFL3';
/** Constant data starts on 16-byte boundaries, as the format asks, so kernels can use it in place. */
const BUFFER_ALIGNMENT = 16;
const SIGNATURE_KEY = 'serving_default';

type Offset = number;

/** Serializes a model into .tflite bytes (one subgraph, one signature). */
export function writeModel(model: TfliteModel): Uint8Array {
  const dataBytes = model.tensors.reduce((n, t) => n + (t.data?.byteLength ?? 0) + BUFFER_ALIGNMENT, 0);
  const b = new Builder(dataBytes + 4096 + 256 * (model.tensors.length + model.operators.length));

  // Buffer 0 is the empty buffer of every tensor computed at run time.
  const buffers: Offset[] = [emptyBuffer(b)];
  const tensors = model.tensors.map((t) => {
    let buffer = 0;
    if (t.data) {
      buffer = buffers.length;
      buffers.push(dataBuffer(b, t.data));
    }
    return writeTensor(b, t, buffer);
  });

  const codes = new Map<string, { index: number; op: tfl.BuiltinOperator; version: number }>();
  const operators = model.operators.map((op) => {
    const version = opVersion(op, model.tensors);
    const key = `${op.op}:${version}`;
    let code = codes.get(key);
    if (!code) codes.set(key, (code = { index: codes.size, op: op.op, version }));
    return writeOperator(b, op, code.index);
  });

  const name = b.createString('main');
  const subgraph = tfl.SubGraph.createSubGraph(
    b,
    tfl.SubGraph.createTensorsVector(b, tensors),
    tfl.SubGraph.createInputsVector(b, model.inputs),
    tfl.SubGraph.createOutputsVector(b, model.outputs),
    tfl.SubGraph.createOperatorsVector(b, operators),
    name,
  );
  const signature = writeSignature(b, model);
  const description = b.createString(model.description);
  const opcodes = tfl.Model.createOperatorCodesVector(
    b,
    [...codes.values()].map((c) => writeOperatorCode(b, c.op, c.version)),
  );
  const subgraphs = tfl.Model.createSubgraphsVector(b, [subgraph]);
  const bufferVector = tfl.Model.createBuffersVector(b, buffers);
  const signatures = tfl.Model.createSignatureDefsVector(b, [signature]);

  // Children first: a flatbuffer table cannot be built while another is open.
  tfl.Model.startModel(b);
  tfl.Model.addVersion(b, SCHEMA_VERSION);
  tfl.Model.addOperatorCodes(b, opcodes);
  tfl.Model.addSubgraphs(b, subgraphs);
  tfl.Model.addDescription(b, description);
  tfl.Model.addBuffers(b, bufferVector);
  tfl.Model.addSignatureDefs(b, signatures);
  b.finish(tfl.Model.endModel(b), FILE_IDENTIFIER);
  const bytes = b.asUint8Array();
  // The builder fills its buffer from the end, so the model may start anywhere in it: copy it to
  // offset 0 when needed, so the 16-byte alignment of the constant buffers holds in memory too.
  return bytes.byteOffset % BUFFER_ALIGNMENT === 0 ? bytes : bytes.slice();
}

function emptyBuffer(b: Builder): Offset {
  tfl.Buffer.startBuffer(b);
  return tfl.Buffer.endBuffer(b);
}

function dataBuffer(b: Builder, data: Uint8Array): Offset {
  // One bulk copy instead of the generated per-byte vector builder: weights are megabytes.
  b.startVector(1, data.byteLength, BUFFER_ALIGNMENT);
  b.pad(data.byteLength);
  const bytes = b.dataBuffer().bytes();
  bytes.set(data, bytes.byteLength - b.offset());
  const vector = b.endVector();
  tfl.Buffer.startBuffer(b);
  tfl.Buffer.addData(b, vector);
  return tfl.Buffer.endBuffer(b);
}

function writeTensor(b: Builder, t: TfliteTensor, buffer: number): Offset {
  const shape = tfl.Tensor.createShapeVector(b, t.shape);
  const name = b.createString(t.name);
  let quantization = 0;
  if (t.quantization) {
    const q = t.quantization;
    const scale = tfl.QuantizationParameters.createScaleVector(b, q.scale);
    const zeroPoint = tfl.QuantizationParameters.createZeroPointVector(b, q.zeroPoint.map((z) => BigInt(z)));
    tfl.QuantizationParameters.startQuantizationParameters(b);
    tfl.QuantizationParameters.addScale(b, scale);
    tfl.QuantizationParameters.addZeroPoint(b, zeroPoint);
    tfl.QuantizationParameters.addQuantizedDimension(b, q.axis);
    quantization = tfl.QuantizationParameters.endQuantizationParameters(b);
  }
  tfl.Tensor.startTensor(b);
  tfl.Tensor.addShape(b, shape);
  tfl.Tensor.addType(b, t.type);
  tfl.Tensor.addBuffer(b, buffer);
  tfl.Tensor.addName(b, name);
  if (quantization) tfl.Tensor.addQuantization(b, quantization);
  return tfl.Tensor.endTensor(b);
}

function writeOperator(b: Builder, op: TfliteOperator, opcodeIndex: number): Offset {
  const inputs = tfl.Operator.createInputsVector(b, op.inputs);
  const outputs = tfl.Operator.createOutputsVector(b, op.outputs);
  const options = writeOptions(b, op);
  tfl.Operator.startOperator(b);
  tfl.Operator.addOpcodeIndex(b, opcodeIndex);
  tfl.Operator.addInputs(b, inputs);
  tfl.Operator.addOutputs(b, outputs);
  if (options) {
    tfl.Operator.addBuiltinOptionsType(b, options.type);
    tfl.Operator.addBuiltinOptions(b, options.offset);
  }
  return tfl.Operator.endOperator(b);
}

function writeOperatorCode(b: Builder, op: tfl.BuiltinOperator, version: number): Offset {
  tfl.OperatorCode.startOperatorCode(b);
  // Readers older than the extended field read only the byte; codes past it point them at builtin_code.
  tfl.OperatorCode.addDeprecatedBuiltinCode(b, Math.min(op, tfl.BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES));
  tfl.OperatorCode.addVersion(b, version);
  tfl.OperatorCode.addBuiltinCode(b, op);
  return tfl.OperatorCode.endOperatorCode(b);
}

function writeSignature(b: Builder, model: TfliteModel): Offset {
  const maps = (indices: number[]) =>
    indices.map((index) => tfl.TensorMap.createTensorMap(b, b.createString(model.tensors[index]!.name), index));
  const inputs = tfl.SignatureDef.createInputsVector(b, maps(model.inputs));
  const outputs = tfl.SignatureDef.createOutputsVector(b, maps(model.outputs));
  const key = b.createString(SIGNATURE_KEY);
  return tfl.SignatureDef.createSignatureDef(b, inputs, outputs, key, 0);
}
