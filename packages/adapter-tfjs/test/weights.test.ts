/**
 * Each stored form of a weight, checked bit for bit: y = x + w with x = 0 in
 * tfjs must give exactly the w onnxruntime computes from the IR (int8 with one
 * scale or a scale per channel, float16 through Cast, a clustered codebook, an
 * evenly spaced codebook, plain float32).
 */
import { Graph, Tensor, attr, createModel, float16BitsToNumber, float32ToFloat16Bits, type Value } from '@condense/core';
import { encodeModelBytes } from '@condense/onnx';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTfjsModel } from '../src/index.js';
import { noise } from './helpers/data.js';
import { loadGraphModel, tf, useBackend } from './helpers/tfjs.js';

beforeAll(() => useBackend('wasm'));

const N = 4 * 64;

function weightsGraph(): Graph {
  const g = new Graph({ opset: { '': 13 } });
  const x = g.input('x', { dtype: 'float32', shape: [4, 64] });
  const out = (name: string, w: Value) => g.add('Add', [x, w], {}, { outputs: [name] }).output;
  const q = Int8Array.from(noise(N, 1), (v) => Math.round(v * 127));
  const dq = (name: string, scale: number[], axis: number) =>
    g.add('DequantizeLinear', [g.constant(`${name}_q`, Tensor.from('int8', [4, 64], q)), g.constant(`${name}_s`, Tensor.from('float32', [scale.length], scale)), g.constant(`${name}_z`, Tensor.from('int8', [scale.length], new Int8Array(scale.length)))], scale.length > 1 ? { axis: attr.int(axis) } : {}).output;
  const half = Uint16Array.from(noise(N, 2), (v) => float32ToFloat16Bits(v * 3));
  const book = (name: string, values: number[]) => g.add('Gather', [g.constant(`${name}_book`, Tensor.from('float32', [values.length], values)), g.constant(`${name}_idx`, Tensor.from('int32', [4, 64], Int32Array.from(noise(N, 3), (v) => Math.floor(((v + 1) / 2) * values.length))))], { axis: attr.int(0) }).output;
  g.outputs = [
    out('per_tensor_int8', dq('pt', [0.0123], 0)),
    out('per_channel_int8', dq('pc', [0.01, 0.0037, 0.12, 1e-4], 0)),
    out('float16', g.add('Cast', [g.constant('h', Tensor.fromBytes('float16', [4, 64], new Uint8Array(half.buffer)))], { to: attr.int(1) }).output),
    out('clustered', book('k', Array.from(noise(16, 4)))),
    out('evenly_spaced', book('e', Array.from({ length: 16 }, (_, i) => Math.fround(-0.3 + i * 0.04)))),
    out('float32', g.constant('f', Tensor.from('float32', [4, 64], noise(N, 5)))),
  ];
  return g;
}

describe('weights stored exactly', () => {
  it('every form decodes in tfjs to the very floats onnxruntime computes', async () => {
    const g = weightsGraph();
    const session = await ort.InferenceSession.create(encodeModelBytes(createModel(g)), { logSeverityLevel: 3 });
    const zeros = new Float32Array(N);
    const expected = await session.run({ x: new ort.Tensor('float32', zeros, [4, 64]) });
    await session.release();
    const exported = buildTfjsModel(g);
    const model = await loadGraphModel(exported.modelJson, exported.weights);
    const names = g.outputs.map((v) => v.name);
    const results = model.execute({ x: tf.zeros([4, 64]) }, names) as ReturnType<typeof tf.zeros>[];
    for (const [i, name] of names.entries()) {
      const got = Array.from(await results[i]!.data());
      expect(got, name).toEqual(Array.from(expected[name]!.data as Float32Array));
    }
    console.log(`stored: ${exported.stored.map((s) => `${s.value} ${s.encoding} ${s.bytes} B`).join('; ')}`);
    // In output order: one scale (a uint8 grid), per-channel scales (uint8 integers and a Mul), halves, a 16-value codebook, an evenly spaced one (a grid), floats.
    const encodingOf = (output: string) => exported.stored.find((s) => g.value(output)!.producer()!.inputs[1]!.name === s.value)!.encoding;
    expect(names.map(encodingOf)).toEqual(['uint8', 'int-scaled8', 'float16', 'codebook8', 'uint8', 'float32']);
  });

  it('float16 values that are exact halves are stored as float16 even in float32 graphs', () => {
    const g = new Graph({ opset: { '': 13 } });
    const x = g.input('x', { dtype: 'float32', shape: [64] });
    const halves = Array.from(noise(64, 7), (v) => float16BitsToNumber(float32ToFloat16Bits(v)));
    g.outputs = [g.add('Mul', [x, g.constant('w', Tensor.from('float32', [64], halves))]).output];
    expect(buildTfjsModel(g).stored.map((s) => s.encoding)).toEqual(['float16']);
  });
});
