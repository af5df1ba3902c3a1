/**
 * ConvTranspose, Resize and Upsample exported to tfjs (Conv2DBackpropInput,
 * ResizeBilinear, ResizeNearestNeighbor), run by tfjs's loadGraphModel and
 * compared with onnxruntime-node on the same ONNX graph; the forms tfjs
 * cannot compute the same way are refused by name.
 */
import { Graph, Tensor, attr, createModel, type Attr } from '@condense/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTfjsModel, checkTfjs } from '../src/index.js';
import { maxAbs, maxAbsDiff, noise } from './helpers/data.js';
import { runOnnx } from './helpers/onnx.js';
import { loadGraphModel, predict, useBackend } from './helpers/tfjs.js';

beforeAll(() => useBackend('wasm'));

const X_SHAPE = [2, 3, 5, 7];
const x = noise(X_SHAPE.reduce((a, b) => a * b, 1), 21);
const f32 = (shape: number[], values: ArrayLike<number>) => Tensor.from('float32', shape, Float32Array.from(values));

/** tfjs (layout nchw, so both runtimes take the same tensor) against onnxruntime-node on one graph. */
async function compare(g: Graph): Promise<number> {
  const model = createModel(g);
  const exported = buildTfjsModel(model, { layout: 'nchw' });
  const tfjs = await predict(await loadGraphModel(exported.modelJson, exported.weights), x, X_SHAPE);
  const onnx = await runOnnx(model, x, X_SHAPE);
  expect(tfjs.length).toBe(onnx.length);
  return maxAbsDiff(tfjs, onnx) / Math.max(1, maxAbs(onnx));
}

function graph(opset: number, build: (g: Graph, input: ReturnType<Graph['input']>) => ReturnType<Graph['input']>): Graph {
  const g = new Graph({ opset: { '': opset } });
  g.outputs = [build(g, g.input('x', { dtype: 'float32', shape: X_SHAPE }))];
  return g;
}

const resize = (attrs: Record<string, Attr>, scales?: number[], sizes?: number[]) =>
  graph(13, (g, input) => g.add('Resize', [input, null, scales ? g.constant('scales', f32([4], scales)) : null, ...(sizes ? [g.constant('sizes', Tensor.from('int64', [4], sizes.map(BigInt)))] : [])], attrs).output);

describe('ConvTranspose to tfjs', () => {
  it('strided, padded, with output_padding, bias and a Relu after it: matches onnxruntime-node within 1e-5', async () => {
    const g = graph(13, (g, input) => {
      const w = g.constant('w', f32([3, 4, 3, 3], noise(108, 22)));
      const b = g.constant('b', f32([4], noise(4, 23)));
      const y = g.add('ConvTranspose', [input, w, b], { strides: attr.ints([2, 2]), pads: attr.ints([1, 0, 0, 1]), output_padding: attr.ints([1, 0]) }).output;
      return g.add('Relu', [y]).output;
    });
    const diff = await compare(g);
    console.log(`ConvTranspose stride 2, pads [1, 0, 0, 1], output_padding [1, 0]: tfjs vs onnxruntime ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(1e-5);
  });

  it('unstrided, no bias, no padding', async () => {
    const g = graph(13, (g, input) => g.add('ConvTranspose', [input, g.constant('w', f32([3, 2, 2, 3], noise(36, 24)))]).output);
    expect(await compare(g)).toBeLessThanOrEqual(1e-5);
  });

  it('refuses groups, dilations and SAME padding by name', () => {
    const w = (g: Graph, shape: number[]) => g.constant('w', f32(shape, noise(shape.reduce((a, b) => a * b, 1), 25)));
    const cases: Array<[Record<string, Attr>, number[], RegExp]> = [
      [{ group: attr.int(3) }, [3, 1, 3, 3], /grouped transposed convolution/],
      [{ dilations: attr.ints([2, 2]) }, [3, 2, 3, 3], /no dilations/],
      [{ auto_pad: attr.string('SAME_UPPER'), strides: attr.ints([2, 2]) }, [3, 2, 3, 3], /give explicit pads/],
    ];
    for (const [attrs, shape, reason] of cases) {
      const problems = checkTfjs(graph(13, (g, input) => g.add('ConvTranspose', [input, w(g, shape)], attrs).output));
      expect(problems.map((p) => p.reason).join(' ')).toMatch(reason);
    }
  });
});

describe('Resize and Upsample to tfjs', () => {
  const CASES: Array<[string, Graph]> = [
    ['linear, half_pixel, x2 (scales)', resize({ mode: attr.string('linear') }, [1, 1, 2, 2])],
    ['linear, pytorch_half_pixel, to 9x4 (sizes, width shrinks)', resize({ mode: attr.string('linear'), coordinate_transformation_mode: attr.string('pytorch_half_pixel') }, undefined, [2, 3, 9, 4])],
    ['linear, align_corners, to 9x12', resize({ mode: attr.string('linear'), coordinate_transformation_mode: attr.string('align_corners') }, undefined, [2, 3, 9, 12])],
    ['linear, asymmetric, x3', resize({ mode: attr.string('linear'), coordinate_transformation_mode: attr.string('asymmetric') }, [1, 1, 3, 3])],
    ['nearest, asymmetric, floor, x2 (PyTorch upsampling)', resize({ mode: attr.string('nearest'), coordinate_transformation_mode: attr.string('asymmetric'), nearest_mode: attr.string('floor') }, [1, 1, 2, 2])],
    ['nearest, half_pixel, round_prefer_floor, x3 (ONNX defaults)', resize({ mode: attr.string('nearest') }, [1, 1, 3, 3])],
    ['nearest, half_pixel, round_prefer_ceil, to 3x4 (shrinks)', resize({ mode: attr.string('nearest'), nearest_mode: attr.string('round_prefer_ceil') }, undefined, [2, 3, 3, 4])],
    ['Upsample (opset 9), nearest, x2', graph(9, (g, input) => g.add('Upsample', [input, g.constant('scales', f32([4], [1, 1, 2, 2]))], { mode: attr.string('nearest') }).output)],
    ['Upsample (opset 9), linear, x2', graph(9, (g, input) => g.add('Upsample', [input, g.constant('scales', f32([4], [1, 1, 2, 2]))], { mode: attr.string('linear') }).output)],
  ];
  for (const [name, g] of CASES) {
    it(`${name}: matches onnxruntime-node within 1e-5`, async () => {
      const diff = await compare(g);
      console.log(`Resize ${name}: tfjs vs onnxruntime ${diff.toExponential(2)}`);
      expect(diff).toBeLessThanOrEqual(1e-5);
    });
  }

  it('refuses what tfjs computes differently, by name', () => {
    const cases: Array<[Graph, RegExp]> = [
      [resize({ mode: attr.string('cubic') }, [1, 1, 2, 2]), /cubic/],
      [resize({ mode: attr.string('nearest') }, undefined, [2, 3, 3, 4]), /round_prefer_floor at a factor that is not a whole upscale/],
      [resize({ mode: attr.string('linear'), coordinate_transformation_mode: attr.string('tf_crop_and_resize') }, [1, 1, 2, 2]), /tf_crop_and_resize/],
      [resize({ mode: attr.string('linear') }, [1, 1, 1.5, 1.5]), /whole output sizes/],
      [resize({ mode: attr.string('linear') }, [1, 2, 2, 2]), /only height and width/],
    ];
    for (const [g, reason] of cases) expect(checkTfjs(g).map((p) => p.reason).join(' ')).toMatch(reason);
  });
});
