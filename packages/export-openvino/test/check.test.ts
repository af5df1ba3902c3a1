/** check() names everything the export cannot write before anything is written; the exporter object wraps it. */
import { isCondenseError } from '@condense/core';
import { describe, expect, it } from 'vitest';
import { checkOpenvino, exportOpenvino, openvinoExporter, readOpenvino, validateOpenvino } from '../src/index.js';
import { attr, buildModel } from './helpers/graphs.js';
import { maxAbsDiff, noise, runOnnx } from './helpers/index.js';

/** One graph with six problems, and ops that are fine around them. */
const troubled = () =>
  buildModel(
    [1, 4, 8, 8],
    (b, x) => {
      const relu = b.op('Relu', [x]);
      const einsum = b.op('Einsum', [relu], { equation: attr.string('nchw->nhwc') });
      const softmax = b.op('Softmax', [relu], { axis: attr.int(1) });
      const clip = b.op('Clip', [softmax, b.op('ReduceMin', [x], { keepdims: attr.int(0) }), null]);
      const pool = b.op('MaxPool', [clip], { kernel_shape: attr.ints([2, 2]), dilations: attr.ints([2, 2]) });
      const resize = b.op('Resize', [pool, b.floats([0, 0, 0, 0, 1, 1, 1, 1]), b.floats([1, 1, 2, 2])], { mode: attr.string('linear'), coordinate_transformation_mode: attr.string('tf_crop_and_resize') });
      return b.op('Add', [b.op('Transpose', [einsum], { perm: attr.ints([0, 3, 1, 2]) }), b.op('Pad', [resize, b.ints([0, 0, 0, 4, 0, 0, 0, 0])], { mode: attr.string('wrap') })]);
    },
    11,
  );

describe('checkOpenvino', () => {
  it('lists every node it cannot write, with op, node and reason (once: not the nodes whose types it leaves unknown)', () => {
    const problems = checkOpenvino(troubled().graph);
    expect(problems.map((p) => `${p.op}: ${p.reason}`)).toEqual([
      'Einsum: no OpenVINO mapping for this op',
      'Softmax: opset 11 Softmax over axis 1 of a rank-4 input flattens the trailing axes; upgrade the opset first',
      'Clip: min and max must be constant scalars (OpenVINO Clamp takes them as attributes)',
      'MaxPool: dilated pooling is not supported',
      'Resize: coordinate_transformation_mode "tf_crop_and_resize" is not supported',
      'Pad: mode "wrap" is not supported',
    ]);
    for (const p of problems) expect(p).toMatchObject({ severity: 'error', code: 'E_UNSUPPORTED_OP', message: `${p.op} "${p.node}": ${p.reason}` });
  });

  it('makes exportOpenvino refuse with all of them and write nothing', () => {
    try {
      exportOpenvino(troubled());
      expect.unreachable();
    } catch (e) {
      expect(isCondenseError(e) && e.code).toBe('E_UNSUPPORTED_OP');
      expect((e as Error).message).toMatch(/^Cannot export to OpenVINO IR; nothing was written\. 6 problems:\n {2}- Einsum "Einsum": no OpenVINO mapping/);
    }
  });

  it('skips what no output needs, and shape arithmetic whose result is known', () => {
    const model = buildModel([2, 3, 4, 4], (b, x) => {
      b.op('Einsum', [x], { equation: attr.string('nchw->nhwc') });
      const shape = b.op('Concat', [b.op('Slice', [b.op('Shape', [x]), b.ints([0]), b.ints([1])]), b.ints([-1])], { axis: attr.int(0) });
      return b.op('Reshape', [x, shape]);
    });
    expect(checkOpenvino(model.graph)).toEqual([]);
  });

  it('refuses unknown options', () => {
    expect(() => checkOpenvino(troubled().graph, { weights: 'f16' } as never)).toThrow(/Unknown OpenVINO export option "weights"/);
    expect(() => exportOpenvino(troubled(), { precision: 'int8' as never })).toThrow(/precision "int8" is not f32 or f16/);
  });

  it('does not modify the graph it exports', () => {
    const model = buildModel([1, 3, 8, 8], (b, x) => b.op('Conv', [x, b.weights([4, 3, 3, 3])], { group: attr.int(1) }));
    const before = [...model.graph].map((n) => `${n.op}:${n.inputs.map((v) => v?.name).join(',')}:${n.outputs.map((v) => JSON.stringify(v?.type)).join(',')}`);
    exportOpenvino(model, { precision: 'f16', inputShapes: { x: [1, 3, 8, 8] } });
    expect([...model.graph].map((n) => `${n.op}:${n.inputs.map((v) => v?.name).join(',')}:${n.outputs.map((v) => JSON.stringify(v?.type)).join(',')}`)).toEqual(before);
  });
});

describe('openvinoExporter', () => {
  it('has the Exporter shape: format, check, export to model.xml + model.bin', async () => {
    const model = buildModel([1, 3, 8, 8], (b, x) => b.op('Relu', [b.op('Conv', [x, b.weights([4, 3, 3, 3]), b.weights([4])])]));
    expect(openvinoExporter.format).toBe('openvino');
    expect(openvinoExporter.check(model.graph)).toEqual([]);
    const artifacts = await openvinoExporter.export(model.graph, { precision: 'f16' });
    expect(artifacts.map((a) => a.name)).toEqual(['model.xml', 'model.bin']);
    const xml = new TextDecoder().decode(artifacts[0]!.bytes);
    expect(xml.startsWith('<?xml version="1.0"?>\n<net name="main" version="11">')).toBe(true);
    expect(validateOpenvino(xml, artifacts[1]!.bytes)).toEqual([]);
  });
});

describe('names', () => {
  it('escapes XML characters and commas in tensor names, and reads them back', async () => {
    const odd = 'in,put "1" <&> é';
    const model = buildModel([1, 4], (b, x) => b.op('Sigmoid', [x]));
    model.graph.rename(model.graph.inputs[0]!, odd);
    model.graph.rename(model.graph.outputs[0]!, 'out, "final"');
    const { xml, bin } = exportOpenvino(model);
    expect(xml).toContain('names="in\\,put &quot;1&quot; &lt;&amp;&gt; é"');
    const back = readOpenvino(xml, bin);
    expect(back.graph.inputs[0]!.name).toBe(odd);
    expect(back.graph.outputs[0]!.name).toBe('out, "final"');
    const data = noise([1, 4], 3);
    const [want] = await runOnnx(model, { [odd]: { data, shape: [1, 4] } });
    const [got] = await runOnnx(back, { [odd]: { data, shape: [1, 4] } });
    expect(maxAbsDiff(want!, got!)).toBe(0);
  });
});
