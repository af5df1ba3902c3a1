import { CondenseError, Graph, Tensor, compress, createRegistry, type Diagnostic, type Model } from '@condense/core';
import { encodeModelBytes } from '@condense/onnx';
import { describe, expect, it } from 'vitest';
import { checkTensorrt, exportTensorrt, insertTensorrtQdq, tensorrtExporter } from '../src/index.js';
import { LAYERS_INPUT, layersModel } from './helpers/graphs.js';
import { noiseSamples, runtime } from './helpers/runtime.js';

const calibrated = () => ({ runtime, samples: noiseSamples('x', LAYERS_INPUT.shape, 1), maxSamples: 2 });
const codes = (found: Diagnostic[]) => found.map((d) => `${d.severity} ${d.code}`);

/** The layers model plus a node of `op` in `domain` reading constants. */
function withNode(op: string, domain: string, inputs: Tensor[]): Model {
  const model = layersModel();
  const g = model.graph;
  if (domain) g.opset[domain] = 1;
  g.add(op, inputs.map((t, i) => g.constant(`extra${i}`, t)), {}, { domain, name: 'extra' });
  return model;
}

async function expectRefusal(model: Model, options: object, pattern: RegExp): Promise<void> {
  const error = await exportTensorrt(model.graph, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CondenseError);
  expect((error as CondenseError).code).toMatch(/^E_UNSUPPORTED_(OP|DTYPE)$/);
  expect((error as CondenseError).message).toMatch(/nothing was written/);
  expect((error as CondenseError).message).toMatch(pattern);
}

describe('checkTensorrt and what export refuses', () => {
  it('finds nothing wrong with a float32 CNN', () => {
    expect(checkTensorrt(layersModel().graph, calibrated())).toEqual([]);
    expect(tensorrtExporter.format).toBe('tensorrt');
    expect(tensorrtExporter.check(layersModel().graph)).toEqual([]);
  });

  it('refuses custom-domain ops (TensorRT needs a plugin) and ONNX integer ops (TensorRT rejects them)', async () => {
    const custom = withNode('MyOp', 'com.example', [Tensor.scalar('float32', 1)]);
    expect(codes(checkTensorrt(custom.graph))).toEqual(['error E_UNSUPPORTED_OP']);
    await expectRefusal(custom, {}, /domain "com.example" need a TensorRT plugin/);
    const integer = withNode('MatMulInteger', '', [Tensor.from('uint8', [2, 4], new Uint8Array(8)), Tensor.from('int8', [4, 3], new Int8Array(12))]);
    await expectRefusal(integer, {}, /MatMulInteger "extra": TensorRT rejects ONNX integer operators/);
  });

  it('refuses to calibrate a model that is quantized or float16 already, but exports it as model.onnx', async () => {
    const quantized = layersModel();
    insertTensorrtQdq(quantized.graph, new Map([...quantized.graph.values()].map((v) => [v.name, 1])));
    await expectRefusal(quantized, calibrated(), /quantized already/);
    expect(codes(checkTensorrt(quantized.graph))).toEqual([]);
    const half = layersModel();
    await compress(half, [{ pass: 'convert-float16', options: { activations: true } }], { registry: createRegistry() });
    await expectRefusal(half, calibrated(), /float16; calibrate the float32 model/);
    expect((await exportTensorrt(half.graph)).map((a) => a.name)).toEqual(['model.onnx', 'build-engine.sh']);
  });

  it('warns about layers that stay float and inputs trtexec needs shapes for', () => {
    const g = new Graph({ opset: { '': 13 } });
    const x = g.input('x', { dtype: 'float32', shape: [1, 3, 'H', 'W'] });
    const w = g.input('w', { dtype: 'float32', shape: [4, 3, 3, 3] });
    g.outputs = [g.add('Conv', [x, w], {}, { name: 'dynamic-weights' }).output];
    const found = checkTensorrt(g, { runtime, samples: noiseSamples('x', [1, 3, 8, 8], 1) });
    expect(codes(found)).toEqual(['warning W_DYNAMIC_SHAPE', 'warning W_LAYER_FLOAT']);
    expect(found[1]!.message).toMatch(/Conv "dynamic-weights": stays float in model.qdq.onnx: its weights are computed at run time/);
    expect(codes(checkTensorrt(g, { inputShapes: { x: [1, 3, 8, 8] } }))).toEqual([]);
  });

  it('checks options once, before any work', async () => {
    const graph = layersModel().graph;
    const bad = (options: object, pattern: RegExp) => expect(() => checkTensorrt(graph, options)).toThrow(pattern);
    bad({ precison: 'float16' }, /unknown option "precison"/);
    bad({ samples: noiseSamples('x', LAYERS_INPUT.shape, 1) }, /need a runtime/);
    bad({ precision: 'int8' }, /"precision" must be one of 'float32', 'float16'/);
    bad({ tensorrtVersion: '8.6' }, /"tensorrtVersion" must look like "8.6.1"/);
    bad({ calibrator: 'Percentile' }, /"calibrator" must be one of/);
    bad({ maxSamples: 0 }, /"maxSamples" must be a whole number/);
    await expect(exportTensorrt(graph, { residualAdds: 'none' } as object)).rejects.toThrow(/"residualAdds" must be one of 'fuse', 'both'/);
  });

  it('never changes the caller\'s graph', async () => {
    const model = layersModel();
    const before = encodeModelBytes(model);
    await exportTensorrt(model.graph, { ...calibrated(), precision: 'float16' });
    expect(Buffer.from(encodeModelBytes(model)).equals(Buffer.from(before))).toBe(true);
  });
});
