/**
 * Two real CNNs through every form condense writes, to OpenVINO IR and back:
 * writer → validator (no problems) → reader → ONNX, run in onnxruntime-node
 * next to condense's own ONNX model. The OpenVINO runtime cannot be
 * installed here, so the round trip and the validator are the proof.
 */
import type { Model } from '@condense/core';
import { describe, expect, it } from 'vitest';
import { argmaxRows, constTypes, layerTypes, maxAbsDiff, roundTrip, runOnnx } from './helpers/index.js';
import { FASHION, PADDLE, compressed, type Subject } from './helpers/models.js';
import type { ExportOpenvinoOptions } from '../src/index.js';

interface Case {
  what: string;
  recipe: unknown;
  options: ExportOpenvinoOptions;
  /** condense's ONNX model of the same precision, when it is not the exported one. */
  reference?: unknown;
  calibrate?: boolean;
  tolerance: number;
  /** What the IR must hold to be this form. */
  expectIr: (xml: string) => void;
}

const CASES: Case[] = [
  {
    what: 'float32',
    recipe: { preset: 'cleanup' },
    options: { precision: 'f32' },
    tolerance: 1e-5,
    expectIr: (xml) => expect(Object.keys(constTypes(xml)).filter((t) => t.startsWith('f'))).toEqual(['f32']),
  },
  {
    what: 'float16 weights (compressed to FP16)',
    recipe: { preset: 'cleanup' },
    options: { precision: 'f16' },
    // The same weights rounded by condense's convert-float16: the IR must compute exactly that.
    reference: { preset: 'fp16' },
    tolerance: 1e-6,
    expectIr: (xml) => {
      expect(constTypes(xml)['f16']).toBeGreaterThan(0);
      expect(xml).toContain('<attribute name="decompression" version="0" />');
    },
  },
  {
    what: 'int8 weights (Const i8 → Convert → Multiply)',
    recipe: { preset: 'int8-weights' },
    options: { precision: 'f32' },
    tolerance: 1e-5,
    expectIr: (xml) => expect(constTypes(xml)['i8']).toBeGreaterThan(0),
  },
  {
    what: '4-bit weights (packed by condense, i4 in OpenVINO)',
    recipe: { preset: 'int4-weights' },
    options: { precision: 'f32' },
    tolerance: 1e-5,
    expectIr: (xml) => expect(constTypes(xml)['i4']).toBeGreaterThan(0),
  },
  {
    what: 'palettized weights (Gather over a codebook)',
    recipe: { preset: 'cluster' },
    options: { precision: 'f32' },
    tolerance: 1e-5,
    expectIr: (xml) => {
      expect(layerTypes(xml)['Gather']).toBeGreaterThan(0);
      expect(constTypes(xml)['u4']).toBeGreaterThan(0);
    },
  },
  {
    what: 'static int8 (QDQ → FakeQuantize, levels 256)',
    recipe: { preset: 'int8' },
    options: { precision: 'f32' },
    calibrate: true,
    tolerance: 1e-5,
    expectIr: (xml) => {
      expect(layerTypes(xml)['FakeQuantize']).toBeGreaterThan(0);
      expect(xml).toContain('levels="256"');
      expect(constTypes(xml)['i32']).toBeGreaterThan(0);
    },
  },
];

async function check(subject: Subject, c: Case): Promise<void> {
  const model = await compressed(subject, c.recipe, c.calibrate);
  const reference: Model = c.reference ? await compressed(subject, c.reference) : model;
  const { ir, problems, back } = roundTrip(model, c.options);
  expect(problems.map((p) => p.message)).toEqual([]);
  c.expectIr(ir.xml);
  const feeds = subject.feeds();
  const [want] = await runOnnx(reference, feeds);
  const [got] = await runOnnx(back, feeds);
  const diff = maxAbsDiff(want!, got!);
  console.log(`${subject.name}, ${c.what}: xml ${(ir.xml.length / 1024).toFixed(0)} KiB, bin ${(ir.bin.byteLength / 1024).toFixed(0)} KiB, max |difference| after the round trip ${diff.toExponential(2)}`);
  expect(diff).toBeLessThanOrEqual(c.tolerance);
}

for (const subject of [FASHION, PADDLE]) {
  describe(`${subject.name} through OpenVINO IR and back`, () => {
    for (const c of CASES) it(c.what, () => check(subject, c));

    it('int8 weights at f16 decompress in f16: close to the f32-scale model, predictions unchanged', async () => {
      const model = await compressed(subject, { preset: 'int8-weights' });
      const { ir, problems, back } = roundTrip(model, { precision: 'f16' });
      expect(problems).toEqual([]);
      // i8 → Convert(f16) → Multiply(f16 scale) → Convert(f32), read back as DequantizeLinear with float16 scales.
      expect(ir.xml).toContain('destination_type="f16"');
      const scales = [...back.graph].filter((n) => n.op === 'DequantizeLinear').map((n) => n.inputs[1]!.const!.dtype);
      expect(new Set(scales)).toEqual(new Set(['float16']));
      const feeds = subject.feeds();
      const [want] = await runOnnx(model, feeds);
      const [got] = await runOnnx(back, feeds);
      const diff = maxAbsDiff(want!, got!);
      const range = Math.max(...want!.map(Math.abs));
      console.log(`${subject.name}, int8 weights at f16: max |difference| ${diff.toExponential(2)} (outputs up to ${range.toFixed(2)}; scales and biases rounded to f16)`);
      expect(diff).toBeLessThanOrEqual(1e-2 * Math.max(range, 1));
      const columns = want!.length / Object.values(feeds)[0]!.shape[0]!;
      expect(argmaxRows(got!, columns)).toEqual(argmaxRows(want!, columns));
    });
  });
}

describe('other weight layouts (Fashion-MNIST CNN)', () => {
  it('asymmetric uint8 weights keep their zero points (Subtract) and round-trip exactly', async () => {
    const model = await compressed(FASHION, { preset: 'cleanup', passes: [{ pass: 'upgrade-opset', options: { opset: 13 } }, { pass: 'quantize-weights', options: { signed: false, symmetric: false } }] });
    const { ir, problems, back } = roundTrip(model);
    expect(problems).toEqual([]);
    expect(constTypes(ir.xml)['u8']).toBeGreaterThan(0);
    expect(layerTypes(ir.xml)['Subtract']).toBeGreaterThan(0);
    const zeroPoints = [...back.graph].filter((n) => n.op === 'DequantizeLinear').map((n) => n.inputs[2]?.const?.dtype);
    expect(zeroPoints.every((d) => d === 'uint8')).toBe(true);
    const feeds = FASHION.feeds();
    expect(maxAbsDiff((await runOnnx(model, feeds))[0]!, (await runOnnx(back, feeds))[0]!)).toBeLessThanOrEqual(1e-5);
  });

  it('per-group codebooks: indices offset into the joined codebook (u8) round-trip exactly', async () => {
    const model = await compressed(FASHION, { preset: 'cleanup', passes: [{ pass: 'cluster-weights', options: { bits: 4, groupSize: 8 } }] });
    const { ir, problems, back } = roundTrip(model);
    expect(problems).toEqual([]);
    expect(constTypes(ir.xml)['u8']).toBeGreaterThan(0);
    const feeds = FASHION.feeds();
    expect(maxAbsDiff((await runOnnx(model, feeds))[0]!, (await runOnnx(back, feeds))[0]!)).toBeLessThanOrEqual(1e-5);
  });

  it('keeps the batch dimension dynamic (-1) unless pinned', async () => {
    const model = await compressed(FASHION, { preset: 'cleanup' });
    expect(roundTrip(model).ir.xml).toContain('<data shape="?, 1, 28, 28" element_type="f32" />');
    expect(roundTrip(model, { inputShapes: { image: [2, 1, 28, 28] } }).ir.xml).toContain('<data shape="2, 1, 28, 28" element_type="f32" />');
  });
});
