import { Tensor, attr, getInt, type Attr, type Graph, type Model, type Value } from '@condense/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationTensors, insertTensorrtQdq, measureAmax } from '../src/index.js';
import { copyModel } from '../src/prepare.js';
import { LAYERS_INPUT, layersModel } from './helpers/graphs.js';
import { PLACEMENT_RULES, placementViolations } from './helpers/placement-rules.js';
import { noise, noiseSamples, run, runtime, sqnr } from './helpers/runtime.js';

const nodeNamed = (graph: Graph, name: string) => [...graph].find((n) => n.name === name)!;
const dequantizedBy = (graph: Graph, name: string, input: number) => nodeNamed(graph, name).inputs[input]!.producer()!;

describe('Q/DQ placement on every layer kind', () => {
  let float: Model;
  let amax: Map<string, number>;
  const quantized = (residualAdds: 'fuse' | 'both') => {
    const model = copyModel(float);
    const summary = insertTensorrtQdq(model.graph, amax, { residualAdds });
    return { model, summary };
  };

  beforeAll(async () => {
    float = layersModel();
    amax = await measureAmax(runtime, float.graph, activationTensors(float.graph), noiseSamples('x', LAYERS_INPUT.shape, 4), 8);
  });

  it('follows every placement rule, residual Adds fused (the default) or quantized on both inputs', () => {
    for (const mode of ['fuse', 'both'] as const) {
      const { model, summary } = quantized(mode);
      expect(model.graph.validate().filter((d) => d.severity === 'error')).toEqual([]);
      expect(placementViolations(model.graph, mode)).toEqual([]);
      expect(summary.floatLayers).toEqual([]);
      // Weights of conv1-5, deconv, two Gemms and a MatMul.
      expect(summary.weights).toBe(9);
    }
  });

  it('puts per-channel scales on the output axis of each op', () => {
    const { graph } = quantized('fuse').model;
    const axisOf = (layer: string) => getInt(dequantizedBy(graph, layer, 1).attrs, 'axis', -1);
    expect(Object.fromEntries(['conv1', 'deconv', 'gemm-b', 'gemm-bt', 'matmul'].map((l) => [l, axisOf(l)]))).toEqual({ conv1: 0, deconv: 1, 'gemm-b': 1, 'gemm-bt': 0, matmul: 1 });
    // A MatMul of two activations quantizes both, per tensor.
    for (const input of [0, 1]) expect(dequantizedBy(graph, 'matmul-activations', input).inputs[1]!.const!.rank).toBe(0);
  });

  it('quantizes the skip input of a residual Add and leaves the convolution input for TensorRT to fuse', () => {
    const { graph } = quantized('fuse').model;
    const residual = nodeNamed(graph, 'residual');
    expect(residual.inputs.map((v) => v!.producer()!.op)).toEqual(['DequantizeLinear', 'Conv']);
    // With a convolution on both inputs the Add joins the later one; the other is quantized.
    const twoConv = nodeNamed(graph, 'two-conv-add');
    expect(twoConv.inputs.map((v) => v!.producer()!.op)).toEqual(['DequantizeLinear', 'Conv']);
    expect(twoConv.inputs[1]!.producer()!.name).toBe('shortcut');
    const both = quantized('both').model.graph;
    expect(nodeNamed(both, 'residual').inputs.map((v) => v!.producer()!.op)).toEqual(['DequantizeLinear', 'DequantizeLinear']);
  });

  it('leaves Relu, BatchNormalization, pools and bias Adds reading float values', () => {
    const { graph } = quantized('fuse').model;
    for (const layer of ['bn1', 'relu1', 'pool', 'relu2', 'relu4', 'gap', 'bias-add']) expect(nodeNamed(graph, layer).inputs[0]!.producer()!.op, layer).not.toBe('DequantizeLinear');
    for (const layer of ['conv1', 'conv2', 'deconv', 'gemm-b', 'gemm-bt']) expect(nodeNamed(graph, layer).inputs[2]!.const, `${layer} bias`).toBeDefined();
  });

  it('runs in onnxruntime close to the float model (SQNR over 25 dB on unseen noise)', async () => {
    const feeds = { x: Tensor.from('float32', LAYERS_INPUT.shape, noise(2 * 3 * 8 * 8, 99)) };
    const exact = await run(float.graph, feeds);
    for (const mode of ['fuse', 'both'] as const) {
      const db = sqnr(exact, await run(quantized(mode).model.graph, feeds));
      console.log(`layers model, residualAdds ${mode}: SQNR ${db.toFixed(1)} dB against float`);
      expect(db).toBeGreaterThan(25);
    }
  });

  describe('the rule checker catches each broken rule', () => {
    const broken = (mutate: (graph: Graph) => void) => {
      const { graph } = quantized('fuse').model;
      mutate(graph);
      return placementViolations(graph, 'fuse');
    };
    /** A Q/DQ pair on `v` read by `node`'s input `index`. */
    const pair = (graph: Graph, v: Value, scale: Tensor, zeroPoint: Tensor, axis?: number) => {
      const attrs: Record<string, Attr> = axis === undefined ? {} : { axis: attr.int(axis) };
      const s = graph.constant('s', scale);
      const z = graph.constant('z', zeroPoint);
      const producer = v.producer();
      const q = graph.add('QuantizeLinear', [v, s, z], attrs, producer ? { after: producer } : { before: graph.firstNode });
      return graph.add('DequantizeLinear', [q.output, s, z], attrs, { after: q }).output;
    };
    const rule = (key: keyof typeof PLACEMENT_RULES) => expect.arrayContaining([expect.stringContaining(key)]);
    const int8 = (v: number) => Tensor.scalar('int8', v);
    const one = Tensor.scalar('float32', 0.1);

    it('a non-zero or uint8 zero point', () => {
      const zp = (dtype: 'int8' | 'uint8', value: number) => (g: Graph) => {
        const dq = dequantizedBy(g, 'conv2', 0);
        const z = g.constant('z', Tensor.scalar(dtype, value));
        dq.replaceInput(2, z);
        dq.inputs[0]!.producer()!.replaceInput(2, z);
      };
      expect(broken(zp('int8', 3))).toEqual(rule('zero points 0, int8, positive scales'));
      expect(broken(zp('uint8', 0))).toEqual(rule('zero points 0, int8, positive scales'));
    });

    it('a Q/DQ pair between a convolution and its Relu', () => {
      expect(broken((g) => nodeNamed(g, 'relu2').replaceInput(0, pair(g, nodeNamed(g, 'conv2').output, one, int8(0))))).toEqual(rule('no Q/DQ before Relu, BatchNormalization or pools'));
    });

    it('an unquantized convolution input', () => {
      expect(broken((g) => nodeNamed(g, 'conv4').replaceInput(0, nodeNamed(g, 'relu3').output))).toEqual(rule('weighted layers: every input quantized, weights per channel on the output axis, biases float'));
    });

    it('per-channel weights on the wrong axis, or per tensor', () => {
      const w = (g: Graph) => nodeNamed(g, 'deconv').inputs[1]!.producer()!.inputs[0]!.producer()!.inputs[0]!;
      const rule3 = rule('weighted layers: every input quantized, weights per channel on the output axis, biases float');
      expect(broken((g) => nodeNamed(g, 'deconv').replaceInput(1, pair(g, w(g), Tensor.from('float32', [8], new Float32Array(8).fill(0.1)), Tensor.from('int8', [8], new Int8Array(8)), 0)))).toEqual(rule3);
      expect(broken((g) => nodeNamed(g, 'deconv').replaceInput(1, pair(g, w(g), one, int8(0))))).toEqual(rule3);
    });

    it('a quantized bias', () => {
      expect(broken((g) => nodeNamed(g, 'conv1').replaceInput(2, pair(g, nodeNamed(g, 'conv1').inputs[2]!, one, int8(0))))).toEqual(
        rule('weighted layers: every input quantized, weights per channel on the output axis, biases float'),
      );
    });

    it('a dequantized value read by another layer, or a DQ with other parameters', () => {
      expect(broken((g) => nodeNamed(g, 'relu3').replaceInput(0, pair(g, nodeNamed(g, 'residual').output, one, int8(0))))).toEqual(rule('dequantized activations read only by weighted layers and residual Adds'));
      expect(broken((g) => dequantizedBy(g, 'conv2', 0).replaceInput(1, g.constant('other', Tensor.scalar('float32', 0.5))))).toEqual(rule('Q feeds DQ with the same parameters'));
    });

    it('a residual Add quantized on its fused input, or float on its skip input', () => {
      const residual = (g: Graph) => nodeNamed(g, 'residual');
      const quantizedConv = broken((g) => residual(g).replaceInput(1, pair(g, residual(g).inputs[1]!, one, int8(0))));
      expect(quantizedConv).toEqual(expect.arrayContaining([expect.stringContaining('residual Adds (fuse)')]));
      const floatSkip = broken((g) => residual(g).replaceInput(0, nodeNamed(g, 'pool').output));
      expect(floatSkip).toEqual(expect.arrayContaining([expect.stringContaining('residual Adds (fuse)')]));
      expect(placementViolations(quantized('fuse').model.graph, 'both')).toEqual(expect.arrayContaining([expect.stringContaining('residual Adds (both)')]));
    });
  });
});
