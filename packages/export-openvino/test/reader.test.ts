/**
 * An IR written the way OpenVINO's own tools write one (IR v10, input ports
 * without precision, a <meta_data> section, comments, f16 weights behind a
 * decompression Convert, u8 weights with a u8 zero point): read into condense
 * and run next to the same network built directly in ONNX.
 */
import { Tensor, float32ToFloat16Bits } from '@condense/core';
import { describe, expect, it } from 'vitest';
import { readOpenvino, validateOpenvino } from '../src/index.js';
import { attr, buildModel } from './helpers/graphs.js';
import { maxAbsDiff, noise, runOnnx } from './helpers/index.js';

const convWeights = Float32Array.from(noise([4, 3, 3, 3], 5), (v) => v * 0.5);
const halfWeights = Uint16Array.from(convWeights, float32ToFloat16Bits);
const bias = noise([4], 6);
const q = Uint8Array.from({ length: 8 }, (_, i) => (i * 37) % 256);
const zeroPoints = Uint8Array.from([128, 120]);
const scales = Float32Array.from([0.02, 0.03]);

/** The .bin: each blob at the offset the XML names. */
function bin(): Uint8Array {
  const parts: Array<[number, ArrayBufferView]> = [
    [0, halfWeights],
    [216, bias],
    [232, BigInt64Array.from([2n, 3n])],
    [248, BigInt64Array.from([0n, -1n])],
    [264, q],
    [272, zeroPoints],
    [276, scales],
  ];
  const out = new Uint8Array(284);
  for (const [at, view] of parts) out.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), at);
  return out;
}

const port = (id: number, dims: number[], precision?: string) => `<port id="${id}"${precision ? ` precision="${precision}"` : ''}>${dims.map((d) => `<dim>${d}</dim>`).join('')}</port>`;
const layer = (id: number, name: string, type: string, version: string, data: string, inputs: string[], outputs: string[], extra = '') =>
  `<layer id="${id}" name="${name}" type="${type}" version="${version}">${data ? `<data ${data}/>` : ''}${extra}${inputs.length ? `<input>${inputs.join('')}</input>` : ''}${outputs.length ? `<output>${outputs.join('')}</output>` : ''}</layer>`;

const XML = `<?xml version="1.0" ?>
<!-- written by hand in the style of OpenVINO's serializer -->
<net name="hand_written" version="10">
  <layers>
    ${layer(0, 'input', 'Parameter', 'opset1', 'shape="1,3,8,8" element_type="f32"', [], [port(0, [1, 3, 8, 8], 'FP32')])}
    ${layer(1, 'conv/weights', 'Const', 'opset1', 'element_type="f16" shape="4,3,3,3" offset="0" size="216"', [], [port(0, [4, 3, 3, 3], 'FP16')])}
    ${layer(2, 'conv/weights/decompress', 'Convert', 'opset1', 'destination_type="f32"', [port(0, [4, 3, 3, 3])], [port(1, [4, 3, 3, 3], 'FP32')], '<rt_info><attribute name="decompression" version="0"/></rt_info>')}
    ${layer(3, 'conv', 'Convolution', 'opset1', 'auto_pad="same_upper" dilations="1,1" pads_begin="0,0" pads_end="0,0" strides="1,1"', [port(0, [1, 3, 8, 8]), port(1, [4, 3, 3, 3])], [port(2, [1, 4, 8, 8], 'FP32')])}
    ${layer(4, 'conv/bias', 'Const', 'opset1', 'element_type="f32" shape="1,4,1,1" offset="216" size="16"', [], [port(0, [1, 4, 1, 1], 'FP32')])}
    ${layer(5, 'conv/add', 'Add', 'opset1', 'auto_broadcast="numpy"', [port(0, [1, 4, 8, 8]), port(1, [1, 4, 1, 1])], [port(2, [1, 4, 8, 8], 'FP32')])}
    ${layer(6, 'gate', 'HSigmoid', 'opset5', '', [port(0, [1, 4, 8, 8])], [port(1, [1, 4, 8, 8], 'FP32')])}
    ${layer(7, 'pool/axes', 'Const', 'opset1', 'element_type="i64" shape="2" offset="232" size="16"', [], [port(0, [2], 'I64')])}
    ${layer(8, 'pool', 'ReduceMean', 'opset1', 'keep_dims="true"', [port(0, [1, 4, 8, 8]), port(1, [2])], [port(2, [1, 4, 1, 1], 'FP32')])}
    ${layer(9, 'flatten/shape', 'Const', 'opset1', 'element_type="i64" shape="2" offset="248" size="16"', [], [port(0, [2], 'I64')])}
    ${layer(10, 'flatten', 'Reshape', 'opset1', 'special_zero="True"', [port(0, [1, 4, 1, 1]), port(1, [2])], [port(2, [1, 4], 'FP32')])}
    ${layer(11, 'fc/weights', 'Const', 'opset1', 'element_type="u8" shape="2,4" offset="264" size="8"', [], [port(0, [2, 4], 'U8')])}
    ${layer(12, 'fc/weights/convert', 'Convert', 'opset1', 'destination_type="f32"', [port(0, [2, 4])], [port(1, [2, 4], 'FP32')])}
    ${layer(13, 'fc/zero_point', 'Const', 'opset1', 'element_type="u8" shape="2,1" offset="272" size="2"', [], [port(0, [2, 1], 'U8')])}
    ${layer(14, 'fc/zero_point/convert', 'Convert', 'opset1', 'destination_type="f32"', [port(0, [2, 1])], [port(1, [2, 1], 'FP32')])}
    ${layer(15, 'fc/subtract', 'Subtract', 'opset1', 'auto_broadcast="numpy"', [port(0, [2, 4]), port(1, [2, 1])], [port(2, [2, 4], 'FP32')])}
    ${layer(16, 'fc/scale', 'Const', 'opset1', 'element_type="f32" shape="2,1" offset="276" size="8"', [], [port(0, [2, 1], 'FP32')])}
    ${layer(17, 'fc/multiply', 'Multiply', 'opset1', 'auto_broadcast="numpy"', [port(0, [2, 4]), port(1, [2, 1])], [port(2, [2, 4], 'FP32')])}
    ${layer(18, 'fc', 'MatMul', 'opset1', 'transpose_a="false" transpose_b="true"', [port(0, [1, 4]), port(1, [2, 4])], [port(2, [1, 2], 'FP32')])}
    ${layer(19, 'output', 'Result', 'opset1', '', [port(0, [1, 2])], [])}
  </layers>
  <edges>
    <edge from-layer="0" from-port="0" to-layer="3" to-port="0"/>
    <edge from-layer="1" from-port="0" to-layer="2" to-port="0"/>
    <edge from-layer="2" from-port="1" to-layer="3" to-port="1"/>
    <edge from-layer="3" from-port="2" to-layer="5" to-port="0"/>
    <edge from-layer="4" from-port="0" to-layer="5" to-port="1"/>
    <edge from-layer="5" from-port="2" to-layer="6" to-port="0"/>
    <edge from-layer="6" from-port="1" to-layer="8" to-port="0"/>
    <edge from-layer="7" from-port="0" to-layer="8" to-port="1"/>
    <edge from-layer="8" from-port="2" to-layer="10" to-port="0"/>
    <edge from-layer="9" from-port="0" to-layer="10" to-port="1"/>
    <edge from-layer="11" from-port="0" to-layer="12" to-port="0"/>
    <edge from-layer="13" from-port="0" to-layer="14" to-port="0"/>
    <edge from-layer="12" from-port="1" to-layer="15" to-port="0"/>
    <edge from-layer="14" from-port="1" to-layer="15" to-port="1"/>
    <edge from-layer="15" from-port="2" to-layer="17" to-port="0"/>
    <edge from-layer="16" from-port="0" to-layer="17" to-port="1"/>
    <edge from-layer="10" from-port="2" to-layer="18" to-port="0"/>
    <edge from-layer="17" from-port="2" to-layer="18" to-port="1"/>
    <edge from-layer="18" from-port="2" to-layer="19" to-port="0"/>
  </edges>
  <meta_data>
    <MO_version value="2022.3"/>
    <cli_parameters><data_type value="FP16"/></cli_parameters>
  </meta_data>
</net>
`;

/** The same network built directly in ONNX. */
const expected = () =>
  buildModel([1, 3, 8, 8], (b, x) => {
    const w = b.graph.constant('w', Tensor.from('float32', [4, 3, 3, 3], Array.from(halfWeights, (h) => Tensor.fromBytes('float16', [], new Uint8Array(Uint16Array.of(h).buffer)).toNumbers()[0]!)));
    const conv = b.op('Conv', [x, w, b.floats([...bias])], { auto_pad: attr.string('SAME_UPPER') });
    const gate = b.op('HardSigmoid', [conv], { alpha: attr.float(1 / 6), beta: attr.float(0.5) });
    const flat = b.op('Flatten', [b.op('GlobalAveragePool', [gate])]);
    const fc = Array.from(q, (v, i) => (v - zeroPoints[Math.floor(i / 4)]!) * scales[Math.floor(i / 4)]!);
    return b.op('Gemm', [flat, b.floats(fc, [2, 4])], { transB: attr.int(1) });
  });

describe('readOpenvino on an IR in OpenVINO style', () => {
  it('validates it, reads compressed weights back as Cast and DequantizeLinear, and computes the same', async () => {
    expect(validateOpenvino(XML, bin())).toEqual([]);
    const model = readOpenvino(XML, bin());
    const ops = [...model.graph].map((n) => n.op);
    expect(ops).toEqual(['Cast', 'Conv', 'HardSigmoid', 'GlobalAveragePool', 'Reshape', 'DequantizeLinear', 'Gemm']);
    const dq = [...model.graph].find((n) => n.op === 'DequantizeLinear')!;
    expect(dq.inputs.map((v) => v?.const?.dtype)).toEqual(['uint8', 'float32', 'uint8']);
    expect(model.graph.inputs[0]!.name).toBe('input');
    expect(model.graph.outputs[0]!.type).toEqual({ dtype: 'float32', shape: [1, 2] });
    const feeds = { input: { data: noise([1, 3, 8, 8], 8), shape: [1, 3, 8, 8] } };
    const [got] = await runOnnx(model, feeds);
    const [want] = await runOnnx(expected(), { x: feeds.input });
    expect(maxAbsDiff(want!, got!)).toBeLessThanOrEqual(1e-5);
  });
});
