import { describe, expect, it } from 'vitest';
import { formatCalibrationCache, parseCalibrationCache, tensorrtVersionNumber } from '../src/index.js';
import { float32Bits as bitsOf } from './helpers/artifacts.js';
import { noise } from './helpers/runtime.js';


describe('calibration cache', () => {
  it('numbers TensorRT versions as its headers do (x1000 up to 8.x, x10000 from 10.0)', () => {
    expect(['7.1.3', '8.4.1', '8.6.1', '10.0.1', '10.3.0', '10.14.1'].map(tensorrtVersionNumber)).toEqual([7103, 8401, 8601, 100001, 100300, 101401]);
    expect(() => tensorrtVersionNumber('8.6')).toThrow(/major.minor.patch/);
  });

  it('writes the header, then one "name: hex float32 bits" line per tensor', () => {
    const text = formatCalibrationCache(new Map([['input', 1 / 127], ['conv1_out', 0.5], ['zero', 0]]), { tensorrtVersion: '8.6.1', calibrator: 'EntropyCalibration2' });
    expect(text).toBe('TRT-8601-EntropyCalibration2\ninput: 3c010204\nconv1_out: 3f000000\nzero: 0\n');
    expect(formatCalibrationCache(new Map(), { tensorrtVersion: '10.3.0', calibrator: 'MinMaxCalibration' })).toBe('TRT-100300-MinMaxCalibration\n');
  });

  it('parses back to the same float32 scales bit for bit, whatever the names hold', () => {
    const values = [...noise(200, 7, 1e-6, 10), 2 ** -149, 1.17549435e-38, 3.4028235e38, 0, 1e-30];
    const names = values.map((_, i) => [`t${i}`, `/layer ${i}/Conv_output_0`, `(Unnamed Layer* ${i}) [Shuffle]_output`, `odd: name: ${i}`][i % 4]!);
    const scales = new Map(names.map((n, i) => [n, Math.fround(values[i]!)]));
    const parsed = parseCalibrationCache(formatCalibrationCache(scales, { tensorrtVersion: '10.14.1', calibrator: 'EntropyCalibration2' }));
    expect(parsed.version).toBe(101401);
    expect(parsed.calibrator).toBe('EntropyCalibration2');
    expect([...parsed.scales.keys()]).toEqual(names);
    expect([...parsed.scales.values()].map(bitsOf)).toEqual([...scales.values()].map(bitsOf));
  });

  it('reads a cache written by TensorRT (CRLF line ends and zero-padded hex accepted)', () => {
    const parsed = parseCalibrationCache('TRT-8401-EntropyCalibration2\r\ninput: 3caa54fc\r\n(Unnamed Layer* 64) [Shuffle]_output: 0\r\n366: 0d800000\r\n');
    expect(Object.fromEntries(parsed.scales)).toEqual({ input: Math.fround(0.020792477), '(Unnamed Layer* 64) [Shuffle]_output': 0, '366': 2 ** -100 });
  });

  it('rejects what TensorRT would not read, saying which line', () => {
    expect(() => parseCalibrationCache('TRT-8601-Entropy2\nx: 0\n')).toThrow(/line 1: unknown calibrator/);
    expect(() => parseCalibrationCache('x: 3f800000\n')).toThrow(/line 1: expected a header/);
    expect(() => parseCalibrationCache('TRT-8601-EntropyCalibration2\nx 3f800000\n')).toThrow(/line 2: expected "tensor name: hex scale"/);
    expect(() => parseCalibrationCache('TRT-8601-EntropyCalibration2\nx: 3f800000\nx: 0\n')).toThrow(/line 3: tensor "x" is listed twice/);
    expect(() => formatCalibrationCache(new Map([['a\nb', 1]]), { tensorrtVersion: '8.6.1', calibrator: 'EntropyCalibration2' })).toThrow(/line break/);
  });
});
