/**
 * The smallest inputs that reproduce what fuzzing the reader found
 * (tests/reliability/fuzz-openvino.test.ts): each once overflowed the stack,
 * ran quadratically or produced a message of megabytes, and must now end in
 * one short CondenseError.
 */
import { CondenseError } from '@condense/core';
import { describe, expect, it } from 'vitest';
import { readOpenvino } from '../src/index.js';
import { formatDims } from '../src/ops/port-type.js';
import { parseXml } from '../src/xml/parse.js';

function error(f: () => unknown): CondenseError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CondenseError);
    return e as CondenseError;
  }
  throw new Error('no error');
}

const layer = (id: number, name: string) => `<layer id="${id}" name="${name}" type="Result" version="opset1"><input><port id="0" precision="FP32"><dim>1</dim></port></input></layer>`;
const net = (layers: string) => `<?xml version="1.0"?><net name="n" version="11"><layers>${layers}</layers><edges></edges></net>`;

describe('hostile OpenVINO IR', () => {
  it('refuses elements nested 100,000 deep (was a stack overflow)', () => {
    const deep = '<a>'.repeat(100_000) + '</a>'.repeat(100_000);
    expect(error(() => parseXml(deep)).message).toBe('OpenVINO XML is not well-formed at line 1: elements nest more than 256 deep (OpenVINO IR nests about 6).');
  });

  it('never expands entities: a billion laughs is refused before any expansion', () => {
    const laughs = `<!DOCTYPE net [<!ENTITY lol "lol"><!ENTITY lol1 "${'&lol;'.repeat(10)}">]>`;
    expect(error(() => parseXml(`${laughs}<net name="&lol1;"/>`)).message).toMatch(/DOCTYPE with an internal subset is not supported/);
    const e = error(() => parseXml(`<net name="&${'lol'.repeat(10_000)};"/>`));
    expect(e.message.length).toBeLessThan(300);
    expect(e.message).toMatch(/unknown entity "&lollol.*\.\.\." \(only the five predefined entities and character references are read; entities are never defined or expanded\)/);
  });

  it('lists the first 3 of 5,000 problems and counts the rest (was a message of 5,000 lines)', () => {
    const xml = net(Array.from({ length: 5000 }, (_, i) => layer(i, `r${i}`)).join(''));
    const e = error(() => readOpenvino(xml, new Uint8Array()));
    expect(e.code).toBe('E_MODEL_INVALID');
    expect(e.message.split('\n')).toHaveLength(5);
    expect(e.message).toMatch(/^Invalid OpenVINO IR: 5000 problems:\n {2}- layer 0 "r0" \(Result\): input port 0 is not connected\n/);
    expect(e.message).toMatch(/\(4997 more; validateOpenvino lists them all\)$/);
  });

  it('quotes a layer name of 100,000 characters cut to 80, and summarises a shape of 1,000 dimensions', () => {
    const dims = '<dim>2</dim>'.repeat(1000);
    const xml = net(`<layer id="0" name="${'n'.repeat(100_000)}" type="Parameter" version="opset1"><data shape="1" element_type="f32"/><output><port id="0" precision="FP32">${dims}</port></output></layer>`);
    const e = error(() => readOpenvino(xml, new Uint8Array()));
    expect(e.message.length).toBeLessThan(600);
    expect(e.message).toContain(`"${'n'.repeat(77)}..."`);
    expect(e.message).toContain('output port 0 has dims [2, 2, 2, 2, 2, 2, 2, 2, ...');
    expect(formatDims(new Array<number>(1000).fill(2))).toBe('[2, 2, 2, 2, 2, 2, 2, 2, ... (1000 dimensions)]');
  });
});
