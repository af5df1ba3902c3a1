/**
 * The loader's answers to hostile or broken files found by the fuzzer
 * (tests/reliability/fuzz-onnx.test.ts), each reduced to the smallest case:
 * every one ends in a valid model or a CondenseError with a clear message.
 */
import { CondenseError, Graph, Tensor, attr, createModel, inferShapes } from '@condense/core';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../src/read/model.js';
import { encodeModel, encodeModelBytes } from '../src/write/encode.js';
import { AttrKind, AttributeProtoSchema, GraphProtoSchema, ModelProtoSchema, NodeProtoSchema, TensorShapeProto_DimensionSchema, ValueInfoProtoSchema, create, fromBinary, toBinary, type ModelProto } from '../src/proto.js';

/** x -> Relu -> Neg -> y, with a weight so tensors are read too. */
function chain(): Uint8Array {
  const g = new Graph({ opset: { '': 17 } });
  const x = g.input('x', { dtype: 'float32', shape: [1, 4] });
  const r = g.add('Relu', [g.add('Add', [x, g.constant('w', Tensor.from('float32', [4], [1, 2, 3, 4]))], {}, { name: 'add' }).output], {}, { name: 'relu' }).output;
  g.outputs = [g.add('Neg', [r], {}, { name: 'neg' }).output];
  return encodeModelBytes(createModel(g));
}

/** The chain with `edit` applied to its message tree. */
function edited(edit: (m: ModelProto) => void): Uint8Array {
  const m = fromBinary(ModelProtoSchema, chain());
  edit(m);
  return toBinary(ModelProtoSchema, m);
}

function rejection(bytes: Uint8Array): CondenseError {
  try {
    decodeModel(bytes, { fileName: 'm.onnx' });
  } catch (e) {
    expect(e).toBeInstanceOf(CondenseError);
    return e as CondenseError;
  }
  throw new Error('the model was accepted');
}

describe('graph structure', () => {
  it('refuses a cycle, naming the nodes on it (it used to load, and the first pass was blamed)', () => {
    const e = rejection(edited((m) => (m.graph!.node[0]!.input[0] = m.graph!.node[2]!.output[0]!)));
    expect(e.code).toBe('E_MODEL_INVALID');
    expect(e.message).toMatch(/Graph "main" has a cycle: "relu" \(Relu\) -> "neg" \(Neg\) -> "add" \(Add\) -> back to the first/);
  });

  it('puts nodes stored out of order into topological order', () => {
    const model = decodeModel(edited((m) => m.graph!.node.reverse()));
    expect([...model.graph].map((n) => n.name)).toEqual(['add', 'relu', 'neg']);
    expect(model.graph.validate()).toEqual([]);
  });

  it('refuses a subgraph reading a value produced after its node (the capture makes a cycle)', () => {
    const e = rejection(
      edited((m) => {
        const body = create(GraphProtoSchema, { name: 'body', node: [create(NodeProtoSchema, { opType: 'Identity', input: ['neg_output_0'], output: ['inner'] })], output: [create(ValueInfoProtoSchema, { name: 'inner' })] });
        m.graph!.node[0]!.attribute.push(create(AttributeProtoSchema, { name: 'body', type: AttrKind.GRAPH, g: body }));
      }),
    );
    expect(e.code).toBe('E_MODEL_INVALID');
    expect(e.message).toMatch(/cycle/);
  });

  it('refuses subgraphs nested past the decoder depth limit with a message that says so', () => {
    const e = rejection(
      edited((m) => {
        let g = create(GraphProtoSchema, { name: 'leaf' });
        for (let i = 0; i < 40; i++) g = create(GraphProtoSchema, { name: `level${i}`, node: [create(NodeProtoSchema, { opType: 'If', attribute: [create(AttributeProtoSchema, { name: 'then_branch', type: AttrKind.GRAPH, g })] })] });
        m.graph!.node[0]!.attribute.push(create(AttributeProtoSchema, { name: 'body', type: AttrKind.GRAPH, g }));
      }),
    );
    expect(e.code).toBe('E_ONNX_PARSE');
    expect(e.message).toMatch(/nests messages more than 100 deep/);
  });
});

describe('numbers out of range', () => {
  it('refuses an opset version past 2^53 (it loaded, then saving threw a protobuf range error)', () => {
    const e = rejection(edited((m) => (m.opsetImport[0]!.version = 2n ** 63n - 1n)));
    expect(e.code).toBe('E_ONNX_PARSE');
    expect(e.message).toMatch(/imports opset 9223372036854775807 of domain "ai.onnx", which is not a valid version/);
  });

  it('refuses IR and model versions past 2^53', () => {
    expect(rejection(edited((m) => (m.irVersion = 2n ** 62n))).message).toMatch(/IR version 4611686018427387904, which is out of range/);
    expect(rejection(edited((m) => (m.modelVersion = -(2n ** 63n)))).message).toMatch(/model version .* out of range/);
  });

  it('refuses a declared dimension past 2^53 and reads a negative one as unknown', () => {
    const setDim = (value: bigint) => (m: ModelProto) => {
      const shape = (m.graph!.input[0]!.type!.value.value as { shape: { dim: unknown[] } }).shape;
      shape.dim[1] = create(TensorShapeProto_DimensionSchema, { value: { case: 'dimValue', value } });
    };
    const e = rejection(edited(setDim(2n ** 63n - 1n)));
    expect(e.code).toBe('E_ONNX_PARSE');
    expect(e.message).toMatch(/Value "x" declares dimension 9223372036854775807, which is out of range/);
    const model = decodeModel(edited(setDim(-1n)));
    expect(model.graph.inputs[0]!.type!.shape![1]).toMatch(/^unk__/);
  });

  it('says which attribute gives an impossible shape (a zero stride made Infinity, which saving turned into a RangeError)', () => {
    const g = new Graph({ opset: { '': 17 } });
    const x = g.input('x', { dtype: 'float32', shape: [1, 1, 8, 8] });
    g.outputs = [g.add('Conv', [x, g.constant('w', Tensor.from('float32', [1, 1, 3, 3], new Float32Array(9)))], { strides: attr.ints([0, 0]) }, { name: 'conv' }).output];
    const model = decodeModel(encodeModelBytes(createModel(g)));
    expect(() => inferShapes(model.graph)).toThrow(/node "conv" \(Conv\): it computes a dimension of Infinity/);
  });

  it('sizes Slice and ConstantOfShape from declared dimensions of 2^40 without allocating them (a RangeError, or the heap exhausted, before)', () => {
    const g = new Graph({ opset: { '': 17 } });
    const x = g.input('x', { dtype: 'float32', shape: [1, 2 ** 40] });
    const dims = g.input('dims', { dtype: 'int64', shape: [2 ** 40] });
    const i64 = (name: string, v: number) => g.constant(name, Tensor.from('int64', [1], [BigInt(v)]));
    const half = g.add('Slice', [x, i64('start', 0), i64('end', 2 ** 53 - 1), i64('axis', 1), i64('step', 2)], {}, { name: 'slice' }).output;
    const filled = g.add('ConstantOfShape', [dims], {}, { name: 'fill' }).output;
    g.outputs = [half, filled];
    const model = decodeModel(encodeModelBytes(createModel(g)));
    inferShapes(model.graph);
    expect(model.graph.outputs.map((v) => v.type?.shape)).toEqual([[1, 2 ** 39], undefined]);
  });

  it('refuses to write a dimension that is not a size, with a CondenseError', () => {
    const g = new Graph({ opset: { '': 17 } });
    const x = g.input('x', { dtype: 'float32', shape: [1, 4] });
    const y = g.add('Relu', [x]).output;
    y.type = { dtype: 'float32', shape: [1, Infinity] };
    g.outputs = [g.add('Neg', [y]).output];
    expect(() => encodeModel(createModel(g))).toThrow(/Value "Relu_output_0" has no valid size for dimension 1/);
  });
});

describe('hostile names', () => {
  it('quotes names briefly, with control characters escaped', () => {
    const long = `${'n'.repeat(100_000)}\u0000\u202e`;
    const e = rejection(edited((m) => (m.graph!.node[1]!.input[0] = long)));
    expect(e.code).toBe('E_MODEL_INVALID');
    expect(e.message.length).toBeLessThan(300);
    expect(e.message).toMatch(/reads "n{77}\.\.\."/);
  });

  it('summarises a shape of hundreds of dimensions (a bit flip made the dims field swallow the file)', () => {
    const e = rejection(edited((m) => m.graph!.initializer[0]!.dims.push(...Array.from({ length: 300 }, () => 2n))));
    expect(e.code).toBe('E_MODEL_INVALID');
    expect(e.message).toMatch(/Tensor "w" declares shape \[4, 2, 2, 2, 2, 2, 2, 2, \.\.\. \(301 dimensions\)\] .* but holds 16 bytes\./);
    expect(e.message.length).toBeLessThan(300);
  });

  it('keeps attributes named like Object.prototype members (__proto__, constructor)', () => {
    const bytes = edited((m) => {
      for (const name of ['__proto__', 'constructor']) m.graph!.node[1]!.attribute.push(create(AttributeProtoSchema, { name, type: AttrKind.INT, i: 7n }));
    });
    const relu = [...decodeModel(bytes).graph].find((n) => n.name === 'relu')!;
    expect(Object.keys(relu.attrs).sort()).toEqual(['__proto__', 'constructor']);
    const again = [...decodeModel(encodeModelBytes(decodeModel(bytes))).graph].find((n) => n.name === 'relu')!;
    expect(Object.keys(again.attrs).sort()).toEqual(['__proto__', 'constructor']);
  });
});

describe('values other formats hand over', () => {
  it('writes a float attribute beyond float32 as float32 does (infinity), not an encoder error', () => {
    const g = new Graph({ opset: { '': 17 } });
    const x = g.input('x', { dtype: 'float32', shape: [1, 4] });
    g.outputs = [g.add('LeakyRelu', [x], { alpha: attr.float(1e308) }).output];
    const back = decodeModel(encodeModelBytes(createModel(g)));
    expect([...back.graph][0]!.attrs['alpha']).toMatchObject({ type: 'float', value: Infinity });
  });
});
