/**
 * upgrade-opset on models written for old opsets: every operator whose inputs or
 * meaning changed is rewritten, and onnxruntime gives the same outputs for the
 * old model and the upgraded one.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CondenseError, Graph, Tensor, attr, compress, createModel, createRegistry, type Model } from '@condense/core';
import { decodeModel, encodeModelBytes } from '@condense/onnx';
import { describe, expect, it } from 'vitest';
import { compareOutputs } from '../helpers/ort.js';
import { PADDLE_ASSETS, noiseInput, runOnce } from '../helpers/models.js';

const ints = (v: number[]) => attr.ints(v);

async function upgrade(model: Model, opset: number) {
  return compress(model, { passes: [{ pass: 'upgrade-opset', options: { opset } }] }, { registry: createRegistry() });
}

/** Upgrades `model` and checks onnxruntime's outputs against the original's on the same input. */
async function expectSameOutputs(model: Model, opset: number, shape: number[]) {
  const before = encodeModelBytes(model);
  await upgrade(model, opset);
  expect(model.graph.opset['']).toBe(opset);
  const feeds = { x: noiseInput(shape) };
  const cmp = compareOutputs(await runOnce(encodeModelBytes(model), feeds), await runOnce(before, feeds), 1e-5, 1e-6);
  expect(cmp.ok, `max abs difference ${cmp.maxAbs}`).toBe(true);
  return model;
}

const opsOf = (model: Model) => [...model.graph].map((n) => n.op);

describe('upgrade-opset', () => {
  it('opset 9 -> 18: Clip, Pad, Slice attributes become inputs; Upsample becomes Resize; 4-D Softmax keeps its 2-D meaning; Squeeze, Unsqueeze, ReduceMean', async () => {
    const g = new Graph({ opset: { '': 9 } });
    const x = g.input('x', { dtype: 'float32', shape: [1, 3, 8, 8] });
    let y = g.add('Clip', [x], { min: attr.float(0.1), max: attr.float(0.6) }).output;
    y = g.add('Clip', [y], { max: attr.float(0.5) }).output;
    y = g.add('Pad', [y], { pads: ints([0, 0, 1, 2, 0, 0, 1, 2]), value: attr.float(0.25) }).output;
    y = g.add('Slice', [y], { starts: ints([1]), ends: ints([9]), axes: ints([2]) }).output;
    y = g.add('Upsample', [y, g.constant('scales', Tensor.from('float32', [4], [1, 1, 2, 2]))], { mode: attr.string('nearest') }).output;
    y = g.add('Softmax', [y], { axis: attr.int(1) }).output;
    y = g.add('Unsqueeze', [y], { axes: ints([0]) }).output;
    y = g.add('Squeeze', [y], { axes: ints([0]) }).output;
    y = g.add('ReduceMean', [y], { axes: ints([3]), keepdims: attr.int(1) }).output;
    g.outputs = [y];
    const model = await expectSameOutputs(createModel(g, { irVersion: 4 }), 18, [1, 3, 8, 8]);
    expect(opsOf(model)).toContain('Resize');
    expect(opsOf(model)).not.toContain('Upsample');
    expect(model.irVersion).toBeGreaterThanOrEqual(8);
    for (const node of model.graph) expect(Object.keys(node.attrs)).not.toContain('axes');
  });

  it('opset 8 -> 13: linear Upsample, Split sizes, Dropout ratio, a Softmax on the last axis', async () => {
    const g = new Graph({ opset: { '': 8 } });
    const x = g.input('x', { dtype: 'float32', shape: [1, 3, 4, 6] });
    let y = g.add('Upsample', [x], { mode: attr.string('linear'), scales: attr.floats([1, 1, 2, 3]) }).output;
    const split = g.add('Split', [y], { axis: attr.int(1), split: ints([2, 1]) }, { outputs: 2 });
    y = g.add('Add', [g.add('ReduceSum', [split.outputs[0]!], { axes: ints([1]), keepdims: attr.int(1) }).output, split.outputs[1]!]).output;
    y = g.add('Dropout', [y], { ratio: attr.float(0.3) }).output;
    y = g.add('Softmax', [y], { axis: attr.int(3) }).output;
    g.outputs = [y];
    const model = await expectSameOutputs(createModel(g, { irVersion: 3 }), 13, [1, 3, 4, 6]);
    expect(opsOf(model).filter((op) => op === 'Reshape')).toHaveLength(0); // last-axis Softmax needs no reshaping
  });

  it('PaddleOCR cls (opset 9) reaches 13 with identical outputs', async () => {
    const model = decodeModel(readFileSync(path.join(PADDLE_ASSETS, 'ch_ppocr_mobile_v2.0_cls_infer.onnx')));
    const result = await compress(model, { passes: [{ pass: 'upgrade-opset', options: { opset: 13 } }] }, { registry: createRegistry(), inputShapes: { x: [2, 3, 48, 192] } });
    expect(result.passes[0]!.facts['rewritten']).toBeGreaterThan(0);
    await expectSameOutputs(model, 13, [2, 3, 48, 192]);
  });

  it('leaves newer models alone and refuses what it cannot rewrite, naming it', async () => {
    const g = new Graph({ opset: { '': 17 } });
    g.outputs = [g.add('Relu', [g.input('x', { dtype: 'float32', shape: [1] })]).output];
    const result = await upgrade(createModel(g), 13);
    expect(result.passes[0]!.changed).toBe(false);
    expect(g.opset['']).toBe(17);

    const old = new Graph({ opset: { '': 5 } });
    old.outputs = [old.add('Relu', [old.input('x', { dtype: 'float32', shape: [1] })]).output];
    await expect(upgrade(createModel(old), 13)).rejects.toThrow(/Opset 5 is older than 7/);

    const bn = new Graph({ opset: { '': 7 } });
    const c = (n: string) => bn.constant(n, Tensor.from('float32', [2], [1, 1]));
    bn.outputs = [bn.add('BatchNormalization', [bn.input('x', { dtype: 'float32', shape: [1, 2] }), c('s'), c('b'), c('m'), c('v')], { spatial: attr.int(0) }, { name: 'bn' }).output];
    const error = await upgrade(createModel(bn), 13).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CondenseError);
    expect((error as CondenseError).message).toMatch(/BatchNormalization node "bn".*spatial = 0/);
  });
});
