/** check() finds everything export cannot express, before writing; export refuses with the list. */
import { CondenseError, Tensor, attr } from '@condense/core';
import { describe, expect, it } from 'vitest';
import { checkTflite, exportTflite, tfliteExporter } from '../src/index.js';
import { buildModel, type GraphBuilder } from './helpers/graphs.js';
import { FASHION_CNN, load } from './helpers/models.js';

/** Conv, then an LSTM and a made-up op from a custom domain: two problems, nothing written. */
function unsupportedModel() {
  return buildModel([1, 2, 4, 4], (b, x) => {
    const y = b.op('Conv', [x, b.constant([3, 2, 1, 1])]);
    const seq = b.op('Reshape', [y, b.ints([1, 3, 16])]);
    const lstm = b.graph.add('LSTM', [seq, b.constant([1, 8, 16]), b.constant([1, 8, 2])], { hidden_size: attr.int(2) }, { name: 'my_lstm', outputs: 1 }).output;
    return b.graph.add('Sparkle', [lstm], {}, { name: 'glitter', domain: 'com.example' }).output;
  });
}

describe('checkTflite', () => {
  it('passes the Fashion-MNIST CNN', () => {
    expect(checkTflite(load(FASHION_CNN).graph)).toEqual([]);
  });

  it('lists each unsupported node with its op, name and reason', () => {
    const problems = checkTflite(unsupportedModel().graph);
    expect(problems.map((p) => [p.op, p.node])).toEqual([
      ['LSTM', 'my_lstm'],
      ['Sparkle', 'glitter'],
    ]);
    expect(problems[0]).toMatchObject({ severity: 'error', code: 'E_UNSUPPORTED_OP', reason: 'no TFLite builtin mapping for this op' });
    expect(problems[1]!.reason).toContain('com.example');
    expect(problems[0]!.message).toBe('LSTM "my_lstm": no TFLite builtin mapping for this op');
  });

  it('export refuses with every problem in one error and returns nothing', () => {
    let result: Uint8Array | undefined;
    let error: unknown;
    try {
      result = exportTflite(unsupportedModel());
    } catch (e) {
      error = e;
    }
    expect(result).toBeUndefined();
    expect(error).toBeInstanceOf(CondenseError);
    const e = error as CondenseError;
    expect(e.code).toBe('E_UNSUPPORTED_OP');
    expect(e.message).toContain('nothing was written');
    expect(e.message).toContain('LSTM "my_lstm"');
    expect(e.message).toContain('Sparkle "glitter"');
  });

  it('does not report nodes whose results the outputs never read as tensors', () => {
    // The Shape -> Gather -> Concat chain computes a Reshape's target shape, which shape inference already knows.
    const model = buildModel([1, 2, 3, 3], (b, x) => {
      const shape = b.op('Shape', [x]);
      const batch = b.op('Gather', [shape, b.ints([0])], { axis: attr.int(0) });
      const target = b.op('Concat', [batch, b.ints([-1])], { axis: attr.int(0) });
      return b.op('Reshape', [x, target]);
    });
    expect(checkTflite(model.graph)).toEqual([]);
  });

  it('refuses grouped convolution and unpinned dynamic dimensions, saying why', () => {
    const grouped = buildModel([1, 4, 5, 5], (b, x) => b.op('Conv', [x, b.constant([4, 2, 3, 3])], { group: attr.int(2) }));
    expect(checkTflite(grouped.graph)[0]!.reason).toMatch(/grouped convolution \(group 2 of 4 channels\)/);

    const dynamic = buildModel([1, 3, 'height', 'width'] as never, (b, x) => b.op('Relu', [x]));
    const dynamicProblems = checkTflite(dynamic.graph);
    expect(dynamicProblems).toHaveLength(1);
    const [d] = dynamicProblems;
    expect(d).toMatchObject({ code: 'E_SHAPE_INFERENCE', op: '', node: 'x' });
    expect(d!.reason).toContain('inputShapes');
    expect(checkTflite(dynamic.graph, { inputShapes: { x: [1, 3, 8, 8] } })).toEqual([]);
  });

  it('accepts int8 weights through DequantizeLinear and QDQ pairs on activations', () => {
    const model = buildModel([1, 3], (b, x) => {
      const q = b.graph.constant('w_q', Tensor.from('int8', [3, 2], [1, -2, 3, 4, -5, 6]));
      const w = b.op('DequantizeLinear', [q, b.graph.constant('scale', Tensor.scalar('float32', 0.1))]);
      return b.op('Relu', [b.qdq(b.op('MatMul', [b.qdq(x, -1, 1), w]), -1, 1)]);
    });
    expect(checkTflite(model.graph)).toEqual([]);
  });

  it('refuses QDQ forms TFLite has no int8 kernel for, naming the node and the reason', () => {
    let made = 0;
    const s = (b: GraphBuilder, v: number, dtype: 'float32' | 'uint8' | 'uint16' = 'float32') => b.graph.constant(`k${made++}`, Tensor.scalar(dtype, v));
    const model = buildModel([1, 2, 3, 3], (b, x) => {
      // Per-channel scales on an activation.
      const perChannel = b.graph.constant('per_channel', Tensor.from('float32', [2], [0.1, 0.2]));
      const a = b.op('DequantizeLinear', [b.graph.add('QuantizeLinear', [x, perChannel], { axis: attr.int(1) }, { name: 'q_axis' }).output, perChannel], { axis: attr.int(1) });
      // A DequantizeLinear whose scale differs from its QuantizeLinear's.
      const mismatched = b.graph.add('DequantizeLinear', [b.op('QuantizeLinear', [a, s(b, 0.1), s(b, 128, 'uint8')]), s(b, 0.2), s(b, 128, 'uint8')], {}, { name: 'dq_mismatch' }).output;
      // 16-bit activations.
      return b.graph.add('DequantizeLinear', [b.op('QuantizeLinear', [mismatched, s(b, 0.1), s(b, 0, 'uint16')]), s(b, 0.1), s(b, 0, 'uint16')], {}, { name: 'dq16' }).output;
    });
    const found = checkTflite(model.graph).map((p) => `${p.op} ${p.node}: ${p.reason}`);
    expect(found.some((f) => /^QuantizeLinear q_axis: per-channel quantization of a computed tensor/.test(f))).toBe(true);
    expect(found.some((f) => /^DequantizeLinear dq_mismatch: its scale and zero point differ/.test(f))).toBe(true);
    expect(found.some((f) => /uint16/.test(f))).toBe(true);

    const quantizedOutput = buildModel([1, 4], (b, x) => b.op('QuantizeLinear', [x, s(b, 0.1), s(b, 0, 'uint8')]));
    expect(checkTflite(quantizedOutput.graph)[0]!.reason).toMatch(/graph output is a QuantizeLinear result; output its DequantizeLinear instead/);
  });

  it("leaves the caller's graph as it was (types included)", () => {
    const model = buildModel(['batch', 3, 4, 4] as never, (b, x) => b.op('Relu', [b.op('Conv', [x, b.constant([2, 3, 1, 1])])]));
    const before = [...model.graph.values()].map((v) => JSON.stringify(v.type));
    const nodes = [...model.graph].length;
    exportTflite(model);
    expect([...model.graph.values()].map((v) => JSON.stringify(v.type))).toEqual(before);
    expect([...model.graph].length).toBe(nodes);
  });

  it('rejects unknown or bad options before any work', () => {
    const model = load(FASHION_CNN);
    expect(() => exportTflite(model, { layot: 'nchw' } as never)).toThrow(/unknown option "layot"/);
    expect(() => exportTflite(model, { weights: 'int8' } as never)).toThrow(/weights must be "float32" or "float16"/);
    expect(() => exportTflite(model, { io: 'int16' } as never)).toThrow(/io must be "float32", "int8" or "uint8"/);
    expect(() => exportTflite(model, { dynamicRange: 'fast' } as never)).toThrow(/dynamicRange must be "dequantize" or "hybrid"/);
  });

  it('is also available as an exporter object (format, check, export)', async () => {
    const model = load(FASHION_CNN);
    expect(tfliteExporter.format).toBe('tflite');
    expect(tfliteExporter.check(model.graph)).toEqual([]);
    const [artifact] = await tfliteExporter.export(model.graph);
    expect(artifact!.name).toBe('model.tflite');
    expect(new TextDecoder().decode(artifact!.bytes.subarray(4, 8))).toBe('TFL3');
  });
});
