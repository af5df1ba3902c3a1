import { describe, expect, it } from 'vitest';
import { Graph, Tensor, attr, compress, createModel, createRegistry, type Attr, type Value } from '../src/index.js';

/** Folds one node on constant inputs and returns the constant that replaced its output. */
async function fold(op: string, inputs: Array<Tensor | null>, attrs: Record<string, Attr> = {}): Promise<Tensor | undefined> {
  const g = new Graph({ opset: { '': 17 } });
  const values = inputs.map((t, i) => (t ? g.constant(`in${i}`, t) : null));
  const out = g.add(op, values, attrs).output;
  const sink = g.input('sink', { dtype: out.type?.dtype ?? 'float32', shape: [] });
  g.outputs = [g.add('Identity', [sink]).output];
  g.add('Relu', [out], {}, { name: 'keep' }); // a use (Relu is not folded), so folding replaces the output rather than leaving it
  await compress(createModel(g), { passes: ['fold-constants'] }, { registry: createRegistry() });
  const keep = [...g].find((n) => n.name === 'keep')!;
  return (keep.inputs[0] as Value).const;
}

const i64 = (shape: number[], v: number[]) => Tensor.from('int64', shape, v.map(BigInt));
const f32 = (shape: number[], v: number[]) => Tensor.from('float32', shape, v);

describe('fold-constants kernels', () => {
  it('integer Div truncates toward zero; float math rounds to float32', async () => {
    expect((await fold('Div', [i64([3], [7, -7, 9]), i64([1], [2])]))!.toNumbers()).toEqual([3, -3, 4]);
    expect((await fold('Add', [f32([2], [0.1, 1e8]), f32([], [0.2])]))!.data()).toEqual(new Float32Array([0.1 + 0.2, 1e8 + 0.2]));
  });

  it('broadcasts [2,1] with [3]', async () => {
    const t = (await fold('Mul', [f32([2, 1], [1, 2]), f32([3], [1, 10, 100])]))!;
    expect(t.shape).toEqual([2, 3]);
    expect(t.toNumbers()).toEqual([1, 10, 100, 2, 20, 200]);
  });

  it('Slice with negative steps and clamped ends; Gather with negative indices', async () => {
    const s = await fold('Slice', [i64([5], [0, 1, 2, 3, 4]), i64([1], [-1]), i64([1], [-9999]), i64([1], [0]), i64([1], [-2])]);
    expect(s!.toNumbers()).toEqual([4, 2, 0]);
    const g = await fold('Gather', [f32([2, 3], [1, 2, 3, 4, 5, 6]), i64([2], [-1, 0])], { axis: attr.int(1) });
    expect(g!.shape).toEqual([2, 2]);
    expect(g!.toNumbers()).toEqual([3, 1, 6, 4]);
  });

  it('Transpose, Concat and Cast', async () => {
    expect((await fold('Transpose', [f32([2, 3], [1, 2, 3, 4, 5, 6])]))!.toNumbers()).toEqual([1, 4, 2, 5, 3, 6]);
    expect((await fold('Concat', [i64([1, 2], [1, 2]), i64([1, 1], [3])], { axis: attr.int(1) }))!.toNumbers()).toEqual([1, 2, 3]);
    const c = (await fold('Cast', [f32([3], [1.7, -1.7, 0])], { to: attr.int(7) }))!;
    expect(c.dtype).toBe('int64');
    expect(c.toNumbers()).toEqual([1, -1, 0]);
  });

  it('declines ops and dtypes it does not compute', async () => {
    expect(await fold('Softmax', [f32([2], [1, 2])])).toBeUndefined();
    expect(await fold('Add', [Tensor.from('float16', [1], new Uint16Array([0x3c00])), Tensor.from('float16', [1], new Uint16Array([0x3c00]))])).toBeUndefined();
  });
});
