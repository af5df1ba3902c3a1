/**
 * Transposed convolutions and resizing imported from tfjs: tfjs-layers'
 * Conv2DTranspose and UpSampling2D saved with tf.io, GraphModels with
 * Conv2DBackpropInput / ResizeBilinear / ResizeNearestNeighbor (exported from
 * ONNX by the adapter, or hand-written), each run as ONNX in onnxruntime-node
 * and compared with tfjs's own predict().
 */
import { CondenseError, Graph, Tensor, attr, createModel, type Attr, type Model } from '@condense/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTfjsModel, importTfjs, type TfjsModelJson } from '../src/index.js';
import { maxAbs, maxAbsDiff, noise } from './helpers/data.js';
import { GraphDefWriter, attr as tfAttr } from './helpers/graph-def.js';
import { runOnnx } from './helpers/onnx.js';
import { loadGraphModel, predict, saveToMemory, tfl, useBackend } from './helpers/tfjs.js';

const TOLERANCE = 1e-5;

beforeAll(() => useBackend('wasm'));

const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const f32 = (shape: number[], values: ArrayLike<number>) => Tensor.from('float32', shape, Float32Array.from(values));
/** Largest difference relative to the outputs' size (at least 1), as export-upsample.test.ts measures. */
const relative = (a: Float32Array, b: Float32Array) => maxAbsDiff(a, b) / Math.max(1, maxAbs(b));

function error(run: () => unknown): CondenseError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(CondenseError);
    return e as CondenseError;
  }
  throw new Error('the model was imported');
}

describe('importing tfjs-layers Conv2DTranspose and UpSampling2D', () => {
  const INPUT = [2, 5, 6, 3];

  function sequential(...layers: tfl.layers.Layer[]): tfl.LayersModel {
    const model = tfl.sequential();
    layers.forEach((l) => model.add(l));
    return model;
  }
  const first = { batchInputShape: [null, INPUT[1]!, INPUT[2]!, INPUT[3]!] };
  const transpose = (kernelSize: number | [number, number], strides: number | [number, number], padding: 'same' | 'valid', extra: object = {}) =>
    tfl.layers.conv2dTranspose({ filters: 4, kernelSize, strides, padding, biasInitializer: 'randomNormal', ...extra });

  async function compare(model: tfl.LayersModel): Promise<{ diff: number; imported: Model }> {
    const saved = await saveToMemory(model);
    const imported = importTfjs(saved);
    const x = noise(count(INPUT), 7);
    const expected = await predict(model, x, INPUT);
    const actual = await runOnnx(imported, x, INPUT);
    return { diff: relative(actual, expected), imported };
  }

  const CASES: Array<[string, () => tfl.LayersModel]> = [
    ['Conv2DTranspose 3x3, stride 1, same', () => sequential(transpose(3, 1, 'same', first))],
    ['Conv2DTranspose 3x3, stride 1, valid', () => sequential(transpose(3, 1, 'valid', first))],
    ['Conv2DTranspose 3x3, stride 2, same, relu', () => sequential(transpose(3, 2, 'same', { ...first, activation: 'relu' }))],
    ['Conv2DTranspose 3x3, stride 2, valid', () => sequential(transpose(3, 2, 'valid', first))],
    ['Conv2DTranspose 4x4, stride 2, same (even kernel)', () => sequential(transpose(4, 2, 'same', first))],
    ['Conv2DTranspose 1x2, strides 3x2, same, no bias (kernel below stride)', () => sequential(transpose([1, 2], [3, 2], 'same', { ...first, useBias: false }))],
    ['Conv2DTranspose 2x2, stride 3, valid (kernel below stride)', () => sequential(transpose(2, 3, 'valid', first))],
    ['UpSampling2D nearest 2x2', () => sequential(tfl.layers.upSampling2d({ ...first, size: [2, 2] }))],
    ['UpSampling2D nearest 3x2', () => sequential(tfl.layers.upSampling2d({ ...first, size: [3, 2], interpolation: 'nearest' }))],
    ['UpSampling2D bilinear 2x2', () => sequential(tfl.layers.upSampling2d({ ...first, size: [2, 2], interpolation: 'bilinear' }))],
    ['UpSampling2D bilinear 3x4', () => sequential(tfl.layers.upSampling2d({ ...first, size: [3, 4], interpolation: 'bilinear' }))],
    ['decoder: conv, bilinear upsampling, transposed conv, nearest upsampling', () => sequential(
      tfl.layers.conv2d({ ...first, filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }),
      transpose(3, 2, 'same', { activation: 'relu' }),
      tfl.layers.upSampling2d({ size: [2, 2] }),
    )],
  ];
  for (const [name, build] of CASES) {
    it(`${name}: matches predict() within 1e-5`, async () => {
      const { diff } = await compare(build());
      console.log(`layers ${name}: onnxruntime vs tfjs ${diff.toExponential(2)}`);
      expect(diff).toBeLessThanOrEqual(TOLERANCE);
    });
  }

  it('refuses hostile configs by layer name: negative strides, a kernel that does not fit kernel_size, an unknown interpolation', async () => {
    const saved = await saveToMemory(sequential(transpose(3, 2, 'same', first), tfl.layers.upSampling2d({ size: [2, 2] })));
    const layerConfigs = (json: TfjsModelJson) => ((json.modelTopology as { config: { layers: Array<{ class_name: string; config: Record<string, unknown> }> } }).config.layers);
    const mutate = (change: (layers: ReturnType<typeof layerConfigs>) => void) => {
      const json = structuredClone(saved.modelJson);
      change(layerConfigs(json));
      return () => importTfjs({ modelJson: json, weights: saved.weights });
    };
    const convName = String(layerConfigs(saved.modelJson)[0]!.config['name']);
    const upName = String(layerConfigs(saved.modelJson)[1]!.config['name']);
    let e = error(mutate((l) => (l[0]!.config['strides'] = [-2, -2])));
    expect(e.code).toBe('E_MODEL_INVALID');
    expect(e.message).toContain(`"${convName}"`);
    expect(e.message).toMatch(/strides/);
    e = error(mutate((l) => (l[0]!.config['kernel_size'] = [5, 5])));
    expect(e.code).toBe('E_MODEL_INVALID');
    expect(e.message).toContain(`"${convName}"`);
    e = error(mutate((l) => (l[1]!.config['size'] = [0, 2])));
    expect(e.code).toBe('E_MODEL_INVALID');
    expect(e.message).toContain(`"${upName}"`);
    e = error(mutate((l) => (l[1]!.config['interpolation'] = 'bicubic')));
    expect(e.code).toBe('E_UNSUPPORTED_OP');
    expect(e.message).toContain(`"${upName}"`);
  });
});

describe('importing GraphModels with Conv2DBackpropInput and resizing', () => {
  const X_SHAPE = [2, 3, 5, 7];
  const x = noise(count(X_SHAPE), 21);

  function graph(opset: number, build: (g: Graph, input: ReturnType<Graph['input']>) => ReturnType<Graph['input']>): Graph {
    const g = new Graph({ opset: { '': opset } });
    g.outputs = [build(g, g.input('x', { dtype: 'float32', shape: X_SHAPE }))];
    return g;
  }
  const resizeGraph = (attrs: Record<string, Attr>, scales?: number[], sizes?: number[]) =>
    graph(13, (g, input) => g.add('Resize', [input, null, scales ? g.constant('scales', f32([4], scales)) : null, ...(sizes ? [g.constant('sizes', Tensor.from('int64', [4], sizes.map(BigInt)))] : [])], attrs).output);
  const convTransposeGraph = (attrs: Record<string, Attr>, weight: number[], bias = true) => graph(13, (g, input) => {
    const inputs = [input, g.constant('w', f32(weight, noise(count(weight), 22)))];
    if (bias) inputs.push(g.constant('b', f32([weight[1]!], noise(weight[1]!, 23))));
    return g.add('ConvTranspose', inputs, attrs).output;
  });

  /**
   * ONNX -> tfjs GraphModel (layout nchw, so every runtime takes the same
   * tensor) -> imported IR. The imported IR is compared with tfjs running the
   * GraphModel, and with onnxruntime running the original ONNX (the round trip).
   */
  async function roundTrip(g: Graph): Promise<{ vsTfjs: number; vsOnnx: number; ops: string[] }> {
    const model = createModel(g);
    const exported = buildTfjsModel(model, { layout: 'nchw' });
    const imported = importTfjs({ modelJson: exported.modelJson, weights: exported.weights });
    const tfjs = await predict(await loadGraphModel(exported.modelJson, exported.weights), x, X_SHAPE);
    const back = await runOnnx(imported, x, X_SHAPE);
    const original = await runOnnx(model, x, X_SHAPE);
    return { vsTfjs: relative(back, tfjs), vsOnnx: relative(back, original), ops: [...imported.graph].map((n) => n.op) };
  }

  const CASES: Array<[string, Graph, string]> = [
    ['ConvTranspose stride 2, pads [1, 0, 0, 1], output_padding [1, 0], bias', convTransposeGraph({ strides: attr.ints([2, 2]), pads: attr.ints([1, 0, 0, 1]), output_padding: attr.ints([1, 0]) }, [3, 4, 3, 3]), 'ConvTranspose'],
    ['ConvTranspose stride 1, no padding, no bias', convTransposeGraph({}, [3, 2, 2, 3], false), 'ConvTranspose'],
    ['ConvTranspose strides 3x2, pads [2, 1, 1, 0]', convTransposeGraph({ strides: attr.ints([3, 2]), pads: attr.ints([2, 1, 1, 0]) }, [3, 5, 4, 3]), 'ConvTranspose'],
    ['Resize linear, half_pixel, x2', resizeGraph({ mode: attr.string('linear') }, [1, 1, 2, 2]), 'Resize'],
    ['Resize linear, align_corners, to 9x12', resizeGraph({ mode: attr.string('linear'), coordinate_transformation_mode: attr.string('align_corners') }, undefined, [2, 3, 9, 12]), 'Resize'],
    ['Resize linear, asymmetric, x3', resizeGraph({ mode: attr.string('linear'), coordinate_transformation_mode: attr.string('asymmetric') }, [1, 1, 3, 3]), 'Resize'],
    ['Resize linear, pytorch_half_pixel, to 9x4 (shrinks)', resizeGraph({ mode: attr.string('linear'), coordinate_transformation_mode: attr.string('pytorch_half_pixel') }, undefined, [2, 3, 9, 4]), 'Resize'],
    ['Resize nearest, asymmetric, floor, x2', resizeGraph({ mode: attr.string('nearest'), coordinate_transformation_mode: attr.string('asymmetric'), nearest_mode: attr.string('floor') }, [1, 1, 2, 2]), 'Resize'],
    ['Resize nearest, half_pixel, round_prefer_floor, x3', resizeGraph({ mode: attr.string('nearest') }, [1, 1, 3, 3]), 'Resize'],
    ['Resize nearest, half_pixel, round_prefer_ceil, to 3x4 (shrinks)', resizeGraph({ mode: attr.string('nearest'), nearest_mode: attr.string('round_prefer_ceil') }, undefined, [2, 3, 3, 4]), 'Resize'],
    ['Upsample (opset 9) nearest x2', graph(9, (g, input) => g.add('Upsample', [input, g.constant('scales', f32([4], [1, 1, 2, 2]))], { mode: attr.string('nearest') }).output), 'Resize'],
  ];
  for (const [name, g, op] of CASES) {
    it(`${name}: export, import, run matches tfjs and the original within 1e-5`, async () => {
      const { vsTfjs, vsOnnx, ops } = await roundTrip(g);
      console.log(`graph ${name}: imported vs tfjs ${vsTfjs.toExponential(2)}, vs original ONNX ${vsOnnx.toExponential(2)}`);
      expect(ops).toContain(op);
      expect(vsTfjs).toBeLessThanOrEqual(TOLERANCE);
      expect(vsOnnx).toBeLessThanOrEqual(TOLERANCE);
    });
  }

  /** x [1, 5, 6, 2] -> Conv2DBackpropInput(sizes, filter [3, 3, 4, 2]) with `attrs`; tfjs's loadGraphModel is the reference. */
  function backprop(sizes: number[], attrs: Record<string, ReturnType<typeof tfAttr.s>>, xShape = [1, 5, 6, 2]) {
    const w = new GraphDefWriter();
    const filter = w.weight('filter', [3, 3, 4, 2], noise(72, 31));
    const size = w.weight('input_sizes', [sizes.length], sizes, { kind: 'int32' });
    w.op('Conv2DBackpropInput', 'deconv', [size, filter, w.placeholder('x', xShape)], { data_format: tfAttr.s('NHWC'), dilations: tfAttr.ints([1, 1, 1, 1]), ...attrs });
    return { built: w.build(['deconv']), xShape };
  }

  const HAND: Array<[string, ReturnType<typeof backprop>]> = [
    ['SAME, stride 2, result 10x12', backprop([1, 10, 12, 4], { padding: tfAttr.s('SAME'), strides: tfAttr.ints([1, 2, 2, 1]) })],
    ['SAME, stride 2, odd result 9x11', backprop([1, 9, 11, 4], { padding: tfAttr.s('SAME'), strides: tfAttr.ints([1, 2, 2, 1]) })],
    ['VALID, stride 2, result 12x14 (one more than the full result)', backprop([1, 12, 14, 4], { padding: tfAttr.s('VALID'), strides: tfAttr.ints([1, 2, 2, 1]) })],
    ['VALID, stride 1, result 7x8', backprop([1, 7, 8, 4], { padding: tfAttr.s('VALID'), strides: tfAttr.ints([1, 1, 1, 1]) })],
    ['EXPLICIT [2, 0] x [0, 1], stride 2, result 9x12', backprop([1, 9, 12, 4], { padding: tfAttr.s('EXPLICIT'), strides: tfAttr.ints([1, 2, 2, 1]), explicit_paddings: tfAttr.ints([0, 0, 2, 0, 0, 1, 0, 0]) })],
  ];
  for (const [name, { built, xShape }] of HAND) {
    it(`hand-written Conv2DBackpropInput, ${name}: matches tfjs within 1e-5`, async () => {
      const imported = importTfjs(built);
      const input = noise(count(xShape), 32);
      const expected = await predict(await loadGraphModel(built.modelJson, built.weights), input, xShape);
      const diff = relative(await runOnnx(imported, input, xShape), expected);
      console.log(`graph Conv2DBackpropInput ${name}: imported vs tfjs ${diff.toExponential(2)}`);
      expect(diff).toBeLessThanOrEqual(TOLERANCE);
    });
  }

  it('hand-written ResizeNearestNeighbor with align_corners (which the exporter never writes): matches tfjs', async () => {
    for (const size of [[9, 13], [3, 4], [1, 1]]) {
      const w = new GraphDefWriter();
      w.op('ResizeNearestNeighbor', 'resized', [w.placeholder('x', [2, 5, 7, 3]), w.weight('size', [2], size, { kind: 'int32' })], { align_corners: tfAttr.b(true), half_pixel_centers: tfAttr.b(false) });
      const built = w.build(['resized']);
      const input = noise(2 * 5 * 7 * 3, 33);
      const expected = await predict(await loadGraphModel(built.modelJson, built.weights), input, [2, 5, 7, 3]);
      const diff = relative(await runOnnx(importTfjs(built), input, [2, 5, 7, 3]), expected);
      console.log(`graph ResizeNearestNeighbor align_corners to ${size.join('x')}: imported vs tfjs ${diff.toExponential(2)}`);
      expect(diff).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('hand-written ResizeBilinear with half_pixel_centers on an unknown batch: sizes from the shape at run time, matches tfjs', async () => {
    const w = new GraphDefWriter();
    w.op('ResizeBilinear', 'resized', [w.placeholder('x', [-1, 5, 7, 3]), w.weight('size', [2], [8, 10], { kind: 'int32' })], { align_corners: tfAttr.b(false), half_pixel_centers: tfAttr.b(true) });
    const built = w.build(['resized']);
    const imported = importTfjs(built);
    expect(imported.graph.inputs[0]!.type!.shape![0]).toBe('batch');
    const input = noise(2 * 5 * 7 * 3, 34);
    const expected = await predict(await loadGraphModel(built.modelJson, built.weights), input, [2, 5, 7, 3]);
    const diff = relative(await runOnnx(imported, input, [2, 5, 7, 3]), expected);
    console.log(`graph ResizeBilinear half_pixel_centers, unknown batch, to 8x10: imported vs tfjs ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(TOLERANCE);
  });

  it('refuses hostile nodes with E_MODEL_INVALID naming the node', () => {
    const cases: Array<[ReturnType<typeof backprop>['built'], RegExp]> = [
      [backprop([1, 10, 12, 4], { padding: tfAttr.s('SAME'), strides: tfAttr.ints([1, -2, -2, 1]) }).built, /strides/],
      [backprop([1, 20, 12, 4], { padding: tfAttr.s('SAME'), strides: tfAttr.ints([1, 2, 2, 1]) }).built, /do not match its input/],
      [backprop([1, 10, 12, 3], { padding: tfAttr.s('SAME'), strides: tfAttr.ints([1, 2, 2, 1]) }).built, /3 channels but a filter for 4/],
      [backprop([1, 10, 12], { padding: tfAttr.s('SAME'), strides: tfAttr.ints([1, 2, 2, 1]) }).built, /not four sizes/],
      [backprop([1, 2, 2, 4], { padding: tfAttr.s('VALID'), strides: tfAttr.ints([1, 1, 1, 1]) }).built, /smaller than its 3-wide filter/],
      [backprop([1, 9, 12, 4], { padding: tfAttr.s('EXPLICIT'), strides: tfAttr.ints([1, 2, 2, 1]), explicit_paddings: tfAttr.ints([0, 0, -2, 0, 0, 1, 0, 0]) }).built, /negative explicit_paddings/],
    ];
    for (const [built, reason] of cases) {
      const e = error(() => importTfjs(built));
      expect(e.code).toBe('E_MODEL_INVALID');
      expect(e.message).toContain('"deconv"');
      expect(e.message).toMatch(reason);
    }
    const resize = (size: number[], attrs: Record<string, ReturnType<typeof tfAttr.b>>) => {
      const w = new GraphDefWriter();
      w.op('ResizeBilinear', 'resized', [w.placeholder('x', [1, 4, 4, 2]), w.weight('size', [size.length], size, { kind: 'int32' })], attrs);
      return w.build(['resized']);
    };
    for (const [built, reason] of [
      [resize([8, 8], { align_corners: tfAttr.b(true), half_pixel_centers: tfAttr.b(true) }), /align_corners and half_pixel_centers/],
      [resize([8, -8], {}), /not a height and a width/],
      [resize([8, 8, 8], {}), /not a height and a width/],
    ] as const) {
      const e = error(() => importTfjs(built));
      expect(e.code).toBe('E_MODEL_INVALID');
      expect(e.message).toContain('"resized"');
      expect(e.message).toMatch(reason);
    }
  });
});
