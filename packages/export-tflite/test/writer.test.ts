/** The .tflite bytes, read back with the accessors generated from the same schema. */
import { ByteBuffer } from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { BuiltinOperator, Model, TensorType } from '../src/generated/tflite_generated.js';
import { exportTflite } from '../src/index.js';
import { isReshapeOnly, composePerm, transposeData, NCHW_TO_NHWC, NHWC_TO_NCHW } from '../src/lower/layout.js';
import { attr, buildModel } from './helpers/graphs.js';
import { FASHION_CNN, load } from './helpers/models.js';

function read(bytes: Uint8Array) {
  const bb = new ByteBuffer(bytes);
  expect(Model.bufferHasIdentifier(bb)).toBe(true);
  return Model.getRootAsModel(bb);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('flatbuffer writer', () => {
  const bytes = exportTflite(load(FASHION_CNN), { weights: 'float16' });
  const model = read(bytes);
  const graph = model.subgraphs(0)!;
  const tensors = range(graph.tensorsLength()).map((i) => graph.tensors(i)!);

  it('writes schema version 3, one subgraph, the empty buffer 0 and the serving_default signature', () => {
    expect(model.version()).toBe(3);
    expect(model.subgraphsLength()).toBe(1);
    expect(model.buffers(0)!.dataLength()).toBe(0);
    const signature = model.signatureDefs(0)!;
    expect(signature.signatureKey()).toBe('serving_default');
    expect(signature.inputs(0)!.name()).toBe('image');
    expect(signature.outputs(0)!.name()).toBe('logits');
    expect(tensors[graph.inputs(0)!]!.shapeArray()).toEqual(Int32Array.from([1, 28, 28, 1]));
  });

  it('aligns every constant buffer to 16 bytes within the file', () => {
    for (const i of range(model.buffersLength()).slice(1)) {
      const data = model.buffers(i)!.dataArray()!;
      expect((data.byteOffset - bytes.byteOffset) % 16).toBe(0);
    }
  });

  it('stores float16 weights read through DEQUANTIZE (version 3), and keeps both op code fields', () => {
    const codes = range(model.operatorCodesLength()).map((i) => model.operatorCodes(i)!);
    for (const c of codes) expect(c.deprecatedBuiltinCode()).toBe(c.builtinCode());
    const dequantize = codes.find((c) => c.builtinCode() === BuiltinOperator.DEQUANTIZE)!;
    expect(dequantize.version()).toBe(3);
    const halves = tensors.filter((t) => t.type() === TensorType.FLOAT16);
    // Four convs, one depthwise, two Gemms: weight and bias each.
    expect(halves).toHaveLength(14);
    for (const t of halves) expect(t.name()).toMatch(/\/float16$/);
  });
});

describe('layout helpers', () => {
  it('transposeData agrees with index arithmetic', () => {
    const shape = [2, 3, 4, 5];
    const data = Float32Array.from(range(120));
    const out = transposeData(data, shape, NCHW_TO_NHWC);
    for (const [n, c, h, w] of [[1, 2, 3, 4], [0, 1, 2, 0], [1, 0, 0, 3]] as const) {
      expect(out[((n * 4 + h) * 5 + w) * 3 + c]).toBe(data[((n * 3 + c) * 4 + h) * 5 + w]);
    }
    expect(transposeData(out, [2, 4, 5, 3], NHWC_TO_NCHW)).toEqual(data);
  });

  it('composePerm and isReshapeOnly', () => {
    expect(composePerm(NCHW_TO_NHWC, NHWC_TO_NCHW)).toEqual([0, 1, 2, 3]);
    expect(isReshapeOnly([1, 8, 1, 1], NCHW_TO_NHWC)).toBe(true);
    expect(isReshapeOnly([1, 1, 5, 5], NCHW_TO_NHWC)).toBe(true);
    expect(isReshapeOnly([1, 2, 5, 5], NCHW_TO_NHWC)).toBe(false);
  });
});

describe('int8 tensors', () => {
  /** Conv on int8 kernels (QDQ around it), then a depthwise Conv left in float reading int8 weights through DEQUANTIZE. */
  const model = buildModel([1, 3, 5, 5], (b, x) => {
    const y = b.qdq(b.op('Conv', [b.qdq(x, -1, 1), b.int8Weight([4, 3, 1, 1]), b.constant([4])]), -4, 4);
    return b.op('Conv', [y, b.int8Weight([4, 1, 3, 3]), b.constant([4])], { group: attr.int(4) });
  });
  const bytes = exportTflite(model);
  const file = read(bytes);
  const graph = file.subgraphs(0)!;
  const ops = range(graph.operatorsLength()).map((i) => graph.operators(i)!);
  const codeOf = (op: (typeof ops)[number]) => file.operatorCodes(op.opcodeIndex())!;
  const tensor = (i: number) => graph.tensors(i)!;

  it('writes per-channel int8 filters (zero points 0, quantized_dimension 0) and int32 biases at input x filter scale: CONV_2D version 3', () => {
    const conv = ops.find((op) => codeOf(op).builtinCode() === BuiltinOperator.CONV_2D)!;
    expect(codeOf(conv).version()).toBe(3);
    const [input, filter, bias] = [0, 1, 2].map((i) => tensor(conv.inputs(i)!));
    expect([input, filter, bias].map((t) => TensorType[t!.type()])).toEqual(['INT8', 'INT8', 'INT32']);
    const fq = filter!.quantization()!;
    expect(fq.scaleLength()).toBe(4);
    expect(fq.quantizedDimension()).toBe(0);
    expect(range(4).map((i) => Number(fq.zeroPoint(i)))).toEqual([0, 0, 0, 0]);
    const inScale = input!.quantization()!.scale(0)!;
    expect(input!.quantization()!.zeroPoint(0)).toBe(BigInt(Math.round(1 / (2 / 255)) - 128));
    for (const c of range(4)) expect(bias!.quantization()!.scale(c)).toBe(Math.fround(inScale * fq.scale(c)!));
  });

  it('reads int8 weights of a float op through DEQUANTIZE, per channel along the depthwise output axis (version 5)', () => {
    const depthwise = ops.find((op) => codeOf(op).builtinCode() === BuiltinOperator.DEPTHWISE_CONV_2D)!;
    expect(TensorType[tensor(depthwise.inputs(0)!).type()]).toBe('FLOAT32');
    const dequantize = ops.find((op) => codeOf(op).builtinCode() === BuiltinOperator.DEQUANTIZE && op.outputs(0) === depthwise.inputs(1));
    expect(codeOf(dequantize!).version()).toBe(5);
    const stored = tensor(dequantize!.inputs(0)!);
    expect(Array.from(stored.shapeArray()!)).toEqual([1, 3, 3, 4]);
    expect(stored.quantization()!.quantizedDimension()).toBe(3);
  });
});
