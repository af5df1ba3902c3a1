/** quantize-static on small graphs built to hit its edge cases. */
import { Graph, Tensor, attr, compress, createModel, createRegistry, summarizeModel, type SampleSource } from '@condense/core';
import { cpuRuntime } from '@condense/adapter-cpu';
import { describe, expect, it } from 'vitest';

const samples = (n: number): SampleSource => ({
  async *[Symbol.asyncIterator]() {
    for (let i = 0; i < n; i++) yield { x: Tensor.from('float32', [2, 4], Float32Array.from({ length: 8 }, (_, k) => Math.sin(i + k))) };
  },
});

/** x -> Gemm(W, transB) -> Relu -> Gemm(W shared, transB) -> y */
function twoGemms(transB: number) {
  const g = new Graph({ opset: { '': 17 } });
  const x = g.input('x', { dtype: 'float32', shape: [2, 4] });
  const w = g.constant('W', Tensor.from('float32', [4, 4], Float32Array.from({ length: 16 }, (_, k) => ((k * 7) % 5) / 5 - 0.4)));
  const b = g.constant('b', Tensor.from('float32', [4], [0.1, -0.1, 0.2, 0]));
  const h = g.add('Relu', [g.add('Gemm', [x, w, b], { transB: attr.int(transB) }).output]).output;
  g.outputs = [g.add('Gemm', [h, w, b], { transB: attr.int(transB) }).output];
  return createModel(g);
}

const run = (model: ReturnType<typeof twoGemms>, n: number) => compress(model, { passes: ['quantize-static'] }, { registry: createRegistry(), runtime: cpuRuntime(), samples: samples(n) });

describe('quantize-static edge cases', () => {
  it('refuses to calibrate on no samples', async () => {
    await expect(run(twoGemms(1), 0)).rejects.toThrow(/calibration data held no samples/);
  });

  it('stores a shared weight once and drops the float weights', async () => {
    const model = twoGemms(1);
    await run(model, 4);
    const names = model.graph.constants().map((v) => v.name);
    expect(names.filter((n) => n.startsWith('W_quantized'))).toEqual(['W_quantized']);
    expect(names).not.toContain('W');
    expect(summarizeModel(model).byDType['int8']?.parameters).toBe(16); // one weight copy; symmetric zero points (0) are not stored
  });

  it('leaves Gemm weights without transB in float rather than quantizing the wrong axis', async () => {
    const model = twoGemms(0);
    await run(model, 4);
    expect(model.graph.constants().some((v) => v.name === 'W')).toBe(true);
    expect(model.graph.constants().some((v) => v.name.startsWith('W_quantized'))).toBe(false);
  });
});
