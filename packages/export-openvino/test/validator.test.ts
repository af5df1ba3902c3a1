/** Hand-broken IRs: the validator must name the layer and what is wrong, and the reader must refuse them. */
import { isCondenseError } from '@condense/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportOpenvino, readOpenvino, validateOpenvino, type OpenvinoIr } from '../src/index.js';
import { parseOvXml } from '../src/ir/parse.js';
import { serializeOvModel } from '../src/ir/serialize.js';
import type { OvModel } from '../src/ir/model.js';
import { compressed, FASHION } from './helpers/models.js';

let ir: OpenvinoIr;

beforeAll(async () => {
  ir = exportOpenvino(await compressed(FASHION, { preset: 'int8-weights' }));
});

/** The IR with one change made to its parsed form. */
function edited(change: (m: OvModel) => void): string {
  const m = parseOvXml(ir.xml);
  change(m);
  return serializeOvModel(m);
}

const layer = (m: OvModel, type: string, nth = 0) => m.layers.filter((l) => l.type === type)[nth]!;
const messages = (xml: string, bin = ir.bin) => validateOpenvino(xml, bin).map((p) => p.message);

describe('validateOpenvino', () => {
  it('finds nothing wrong in what the writer produced, and the reader agrees', () => {
    expect(validateOpenvino(ir.xml, ir.bin)).toEqual([]);
    expect(() => readOpenvino(ir.xml, ir.bin)).not.toThrow();
  });

  it('rejects an edge from a port the layer does not have', () => {
    const xml = ir.xml.replace('<edge from-layer="0" from-port="0" to-layer="2" to-port="0" />', '<edge from-layer="0" from-port="5" to-layer="2" to-port="0" />');
    expect(xml).not.toBe(ir.xml);
    const found = messages(xml);
    expect(found).toContain('layer 0 "image" (Parameter): edge 0:5 -> 2:0 starts at port 5, which is not one of its output ports (0)');
    expect(found).toContain('layer 2 "/stem/stem.0/Conv/Convolution" (Convolution): input port 0 is not connected');
  });

  it('rejects an edge to a layer that does not exist', () => {
    const xml = edited((m) => m.edges.push({ fromLayer: 0, fromPort: 0, toLayer: 999, toPort: 0 }));
    expect(messages(xml)).toContain('edge 0:0 -> 999:0 names layer 999, which does not exist');
  });

  it('rejects output dims that do not follow from the op (Convolution sizes from kernel, strides and pads)', () => {
    const xml = edited((m) => {
      layer(m, 'Convolution').outputs[0]!.dims[2] = 27;
    });
    const found = messages(xml);
    expect(found).toContain('layer 2 "/stem/stem.0/Conv/Convolution" (Convolution): output port 2 has dims [-1, 32, 27, 28] but the op produces [-1, 32, 28, 28]');
    // The reader of that port now disagrees with its producer too.
    expect(found.some((f) => /input port 0 has dims \[-1, 32, 28, 28\] but layer 2 .* produces \[-1, 32, 27, 28\]/.test(f))).toBe(true);
  });

  it('rejects a precision that disagrees with the producer and with the op', () => {
    const xml = edited((m) => {
      layer(m, 'ReLU').outputs[0]!.precision = 'f16';
    });
    const found = messages(xml);
    expect(found.some((f) => /\(ReLU\): output port 1 is f16 but the op produces f32/.test(f))).toBe(true);
    expect(found.some((f) => /input port 0 is f32 but layer \d+ ".*Relu" port 1 produces f16/.test(f))).toBe(true);
  });

  it('rejects broadcasting that does not work (Add of [1, 32, 1, 1] onto 64 channels)', () => {
    const xml = edited((m) => {
      const add = layer(m, 'Add');
      add.inputs[1]!.dims = [1, 7, 1, 1];
      const bias = m.edges.find((e) => e.toLayer === add.id && e.toPort === add.inputs[1]!.id)!;
      const source = m.layers.find((l) => l.id === bias.fromLayer)!;
      source.outputs[0]!.dims = [1, 7, 1, 1];
      source.data['shape'] = '1, 7, 1, 1';
      source.data['size'] = String(7 * 4);
    });
    expect(messages(xml).some((f) => /\(Add\): shapes \[-1, 32, 28, 28\] and \[1, 7, 1, 1\] do not broadcast/.test(f))).toBe(true);
  });

  it('rejects a Const whose bytes are beyond the end of the .bin', () => {
    const xml = edited((m) => {
      layer(m, 'Const').data['offset'] = String(ir.bin.byteLength + 8);
    });
    expect(messages(xml).some((f) => /\(Const\): bytes \d+\.\.\d+ are beyond the end of the \.bin \(\d+ bytes\)/.test(f))).toBe(true);
  });

  it('rejects a truncated .bin, naming each Const that no longer fits', () => {
    const found = messages(ir.xml, ir.bin.subarray(0, ir.bin.byteLength - 1000));
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((f) => /\(Const\): bytes \d+\.\.\d+ are beyond the end of the \.bin/.test(f))).toBe(true);
  });

  it('rejects a Const whose size does not match its element type and shape', () => {
    const xml = edited((m) => {
      const c = m.layers.find((l) => l.type === 'Const' && l.data['element_type'] === 'i8')!;
      c.data['size'] = String(Number(c.data['size']) - 1);
    });
    expect(messages(xml).some((f) => /\(Const\): size \d+ does not match i8 x \[[\d, ]+\] \(\d+ bytes\)/.test(f))).toBe(true);
  });

  it('rejects an unknown layer type as unsupported', () => {
    const xml = ir.xml.replace('type="ReLU" version="opset1"', 'type="Frobnicate" version="opset1"');
    const problems = validateOpenvino(xml, ir.bin);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.code).toBe('E_UNSUPPORTED_OP');
    expect(problems[0]!.message).toMatch(/^layer \d+ "\/stem\/stem\.2\/Relu" \(Frobnicate\): unknown layer type "Frobnicate" \(opset1\)/);
  });

  it('rejects an op version it does not know', () => {
    const xml = ir.xml.replace('type="ReLU" version="opset1"', 'type="ReLU" version="opset9"');
    expect(messages(xml)[0]).toMatch(/\(ReLU\): version "opset9" is not one condense reads for ReLU \(opset1\)/);
  });

  it('rejects repeated layer ids and unconnected inputs', () => {
    const repeated = edited((m) => {
      layer(m, 'ReLU').id = 0;
    });
    expect(messages(repeated).some((f) => f.includes('id 0 is used by another layer too'))).toBe(true);
    const unconnected = edited((m) => {
      m.edges = m.edges.filter((e) => e.toLayer !== layer(m, 'Result').id);
    });
    expect(messages(unconnected)).toEqual([expect.stringMatching(/^layer \d+ "logits\/sink_port_0" \(Result\): input port 0 is not connected$/)]);
  });

  it('throws E_MODEL_INVALID with the line for XML that is not well-formed', () => {
    const broken = ir.xml.replace('</layers>', '</layer>');
    try {
      validateOpenvino(broken, ir.bin);
      expect.unreachable();
    } catch (e) {
      expect(isCondenseError(e) && e.code).toBe('E_MODEL_INVALID');
      expect((e as Error).message).toMatch(/^OpenVINO XML is not well-formed at line \d+: <\/layer> closes <layers> \(line 3\)\.$/);
    }
  });

  it('makes readOpenvino refuse an invalid IR with every problem in one error', () => {
    try {
      readOpenvino(ir.xml, ir.bin.subarray(0, 100));
      expect.unreachable();
    } catch (e) {
      expect(isCondenseError(e) && e.code).toBe('E_MODEL_INVALID');
      expect((e as Error).message).toMatch(/^Invalid OpenVINO IR: \d+ problems:\n {2}- layer \d+ ".*" \(Const\): bytes/);
    }
  });
});
