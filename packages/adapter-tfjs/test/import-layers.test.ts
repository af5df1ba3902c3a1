/**
 * LayersModels built with tfjs-layers, saved with tf.io, imported, and run as
 * ONNX in onnxruntime-node: the IR computes what tfjs's predict() computes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { importTfjs } from '../src/index.js';
import { maxAbs, maxAbsDiff, noise } from './helpers/data.js';
import { compressibleCnn, flattenCnn, residualCnn } from './helpers/models.js';
import { runOnnx } from './helpers/onnx.js';
import { predict, saveToMemory, useBackend, type tfl } from './helpers/tfjs.js';

/** Float32 summation order differs between tfjs and onnxruntime; nothing else may. */
const FLOAT_TOLERANCE = 1e-4;

beforeAll(() => useBackend('wasm'));

async function compare(model: tfl.LayersModel, shape: number[], options: Parameters<typeof importTfjs>[1] = {}) {
  const saved = await saveToMemory(model);
  const imported = importTfjs(saved, options);
  const x = noise(shape.reduce((a, b) => a * b, 1), 42);
  const expected = await predict(model, x, shape);
  const nchw = options.inputLayout === 'nchw' ? toNchw(x, shape) : x;
  const actual = await runOnnx(imported, nchw, options.inputLayout === 'nchw' ? [shape[0]!, shape[3]!, shape[1]!, shape[2]!] : shape);
  return { imported, diff: maxAbsDiff(actual, expected), scale: maxAbs(expected) };
}

function toNchw(x: Float32Array, [n, h, w, c]: number[]): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n!; b++) for (let y = 0; y < h!; y++) for (let i = 0; i < w!; i++) for (let k = 0; k < c!; k++) out[((b * c! + k) * h! + y) * w! + i] = x[((b * h! + y) * w! + i) * c! + k]!;
  return out;
}

describe('importing tfjs LayersModels', () => {
  it('conv, batch norm, depthwise conv, residual add, relu6, max pool, global pool, dense softmax: matches predict()', async () => {
    const { imported, diff, scale } = await compare(residualCnn(), [2, 12, 12, 3]);
    console.log(`residual cnn: max |onnxruntime - tfjs| = ${diff.toExponential(2)} (outputs up to ${scale.toFixed(3)}), ${imported.graph.nodeCount} nodes`);
    expect(diff).toBeLessThan(FLOAT_TOLERANCE);
    // NHWC is handled once: the input is transposed a single time, and nothing else is.
    expect([...imported.graph].filter((n) => n.op === 'Transpose').length).toBe(1);
    expect(imported.graph.inputs[0]!.type!.shape).toEqual(['batch', 12, 12, 3]);
  });

  it('flatten after an NHWC feature map keeps tfjs element order', async () => {
    const { diff, scale } = await compare(flattenCnn(), [3, 9, 9, 2]);
    console.log(`flatten cnn: max diff ${diff.toExponential(2)} (outputs up to ${scale.toFixed(3)})`);
    expect(diff).toBeLessThan(FLOAT_TOLERANCE);
  });

  it('inputLayout nchw: an NCHW input and no transpose before the first conv', async () => {
    const { imported, diff } = await compare(compressibleCnn(), [1, 8, 8, 3], { inputLayout: 'nchw' });
    expect(diff).toBeLessThan(FLOAT_TOLERANCE);
    expect(imported.graph.inputs[0]!.type!.shape).toEqual(['batch', 3, 8, 8]);
    expect([...imported.graph].some((n) => n.op === 'Transpose')).toBe(false);
  });
});
