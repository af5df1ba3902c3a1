import { CondenseError } from '@condense/core';
import { CALIBRATORS, VERSION_PATTERN, type CalibratorName } from './options.js';

/**
 * TensorRT's int8 calibration cache, the text a calibrator's
 * writeCalibrationCache() produces: a header naming the TensorRT version and
 * the calibrator, then one line per tensor with its scale (amax / 127) as the
 * hexadecimal bits of an IEEE 754 float32. trtexec --calib reads it instead of
 * calibrating, which makes the implicit-quantization build reproducible.
 */
export interface CalibrationCache {
  /** TensorRT's version as the header spells it (8601 for 8.6.1, 100300 for 10.3.0). */
  version: number;
  /** The calibrator the header names (EntropyCalibration2, MinMaxCalibration ...). */
  calibrator: string;
  /** Scale of each tensor by name, as float32 values (bit-exact to the file). */
  scales: Map<string, number>;
}

/**
 * TensorRT's version as one integer, the way its headers define it:
 * major * 1000 + minor * 100 + patch up to 8.x, major * 10000 + minor * 100
 * + patch from 10.0 (where minor versions went past 9).
 */
export function tensorrtVersionNumber(version: string): number {
  if (!VERSION_PATTERN.test(version)) throw new CondenseError('E_BAD_OPTION', `TensorRT version "${version}" is not of the form major.minor.patch (8.6.1, 10.3.0).`);
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  return major * (major >= 10 ? 10000 : 1000) + minor * 100 + patch;
}

const bits = new DataView(new ArrayBuffer(4));

function float32Hex(x: number): string {
  bits.setFloat32(0, x, true);
  return bits.getUint32(0, true).toString(16);
}

function hexFloat32(hex: string): number {
  bits.setUint32(0, Number.parseInt(hex, 16), true);
  return bits.getFloat32(0, true);
}

/** The cache file's text for `scales` (tensor name -> scale; stored as float32). */
export function formatCalibrationCache(scales: ReadonlyMap<string, number>, options: { tensorrtVersion: string; calibrator: CalibratorName }): string {
  const lines = [`TRT-${tensorrtVersionNumber(options.tensorrtVersion)}-${options.calibrator}`];
  for (const [name, scale] of scales) {
    // A line break would end the entry early; TensorRT could not read the rest of the file.
    if (/[\r\n]/.test(name)) throw new CondenseError('E_UNSUPPORTED_OP', `Tensor name ${JSON.stringify(name)} holds a line break, which a calibration cache cannot store.`, { context: { value: name } });
    lines.push(`${name}: ${float32Hex(scale)}`);
  }
  return `${lines.join('\n')}\n`;
}

const HEADER = /^TRT-(\d+)-([A-Za-z0-9]+)$/;
const HEX = /^[0-9a-fA-F]{1,8}$/;

/** Reads a calibration cache (ours or one TensorRT wrote) back into scales. */
export function parseCalibrationCache(text: string): CalibrationCache {
  const fail = (line: number, why: string) => new CondenseError('E_BAD_OPTION', `Calibration cache line ${line}: ${why}`);
  const lines = text.split(/\r?\n/);
  const header = HEADER.exec(lines[0] ?? '');
  if (!header) throw fail(1, `expected a header like "TRT-8601-EntropyCalibration2", found ${JSON.stringify(lines[0] ?? '')}.`);
  const calibrator = header[2]!;
  if (!CALIBRATORS.includes(calibrator as CalibratorName)) throw fail(1, `unknown calibrator "${calibrator}" (expected one of ${CALIBRATORS.join(', ')}).`);
  const scales = new Map<string, number>();
  lines.slice(1).forEach((line, i) => {
    if (line === '') return;
    // Names may hold ": " themselves (TensorRT's "(Unnamed Layer* 3) [Shuffle]_output"); the scale follows the last one.
    const at = line.lastIndexOf(': ');
    const hex = line.slice(at + 2);
    if (at <= 0 || !HEX.test(hex)) throw fail(i + 2, `expected "tensor name: hex scale", found ${JSON.stringify(line)}.`);
    const name = line.slice(0, at);
    if (scales.has(name)) throw fail(i + 2, `tensor "${name}" is listed twice.`);
    scales.set(name, hexFloat32(hex));
  });
  return { version: Number(header[1]), calibrator, scales };
}
