/** What the tfjs export refuses, reported before anything is written. */
import { Graph, Tensor, attr } from '@condense/core';
import { describe, expect, it } from 'vitest';
import { checkTfjs, exportTfjs, tfjsExporter } from '../src/index.js';

function graphWith(build: (g: Graph, x: ReturnType<Graph['input']>) => void): Graph {
  const g = new Graph({ opset: { '': 13 } });
  const x = g.input('x', { dtype: 'float32', shape: [1, 4, 8, 8] });
  build(g, x);
  return g;
}

describe('checkTfjs', () => {
  it('passes a plain conv model', () => {
    const g = graphWith((g, x) => {
      g.outputs = [g.add('Conv', [x, g.constant('w', Tensor.from('float32', [2, 4, 3, 3], new Float32Array(72)))], { pads: attr.ints([1, 1, 1, 1]) }).output];
    });
    expect(checkTfjs(g)).toEqual([]);
  });

  it('names every node it cannot express, with the reason, and export refuses with all of them', () => {
    const g = graphWith((g, x) => {
      const grouped = g.add('Conv', [x, g.constant('w', Tensor.from('float32', [4, 2, 3, 3], new Float32Array(72)))], { group: attr.int(2) }, { name: 'grouped' }).output;
      const resized = g.add('Resize', [grouped, null, g.constant('scales', Tensor.from('float32', [4], [1, 1, 2, 2]))], { mode: attr.string('cubic') }, { name: 'upsample' }).output;
      const half = g.add('Cast', [resized], { to: attr.int(10) }, { name: 'to_half' }).output;
      g.outputs = [g.add('Cast', [half], { to: attr.int(1) }, { name: 'back' }).output];
    });
    const problems = checkTfjs(g);
    expect(problems.map((p) => [p.op, p.node])).toEqual([['Conv', 'grouped'], ['Resize', 'upsample'], ['Cast', 'to_half'], ['Cast', 'back']]);
    expect(problems[0]!.reason).toMatch(/grouped convolution \(group 2\)/);
    expect(problems[1]!.reason).toMatch(/cubic resizing has no tfjs op/);
    expect(problems[2]!.reason).toMatch(/float16/);
    expect(() => exportTfjs(g)).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED_OP', message: expect.stringContaining('upsample') }));
    expect(tfjsExporter.check(g).every((d) => d.severity === 'error' && d.node)).toBe(true);
  });

  it('rejects unknown options', () => {
    const g = graphWith((g, x) => (g.outputs = [g.add('Relu', [x]).output]));
    expect(() => exportTfjs(g, { weights: 'int3' as never })).toThrow(expect.objectContaining({ code: 'E_BAD_OPTION' }));
    expect(() => exportTfjs(g, { weightsFile: '../elsewhere.bin' })).toThrow(expect.objectContaining({ code: 'E_BAD_OPTION' }));
  });

  it('exports model.json and one shard, as files', async () => {
    const g = graphWith((g, x) => (g.outputs = [g.add('Relu', [x], {}, { outputs: ['y'] }).output]));
    const files = await tfjsExporter.export(g, { weightsFile: 'weights.bin' });
    expect(files.map((f) => f.name)).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(new TextDecoder().decode(files[0]!.bytes));
    expect(json.format).toBe('graph-model');
    expect(Object.keys(json.signature.outputs)).toEqual(['y']);
    // NHWC at the boundary: [1, 4, 8, 8] NCHW is fed as [1, 8, 8, 4].
    expect(json.signature.inputs.x.tensorShape.dim.map((d: { size: string }) => Number(d.size))).toEqual([1, 8, 8, 4]);
  });
});
