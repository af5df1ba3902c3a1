import { CondenseError, type Dim } from '@condense/core';

/** How float weights are stored in the IR: f32 as they are, or f16 read through Convert. */
export type OpenvinoPrecision = 'f32' | 'f16';

/** How {@link exportOpenvino} writes the IR; every option has a default. */
export interface ExportOpenvinoOptions {
  /**
   * 'f32' keeps float weights as they are; 'f16' stores every float32 weight
   * as f16 read through Convert (OpenVINO's compressed-to-FP16 form), and
   * decompresses 8-bit and narrower weights in f16. Activations stay f32
   * either way. float16 weights (convert-float16) stay f16 in both.
   */
  precision?: OpenvinoPrecision;
  /** Pins input shapes; other dimensions the graph leaves symbolic are written as dynamic (-1). */
  inputShapes?: Record<string, Dim[]>;
  /** The `name` of `<net>` (default: the graph's name). */
  name?: string;
}

export interface ResolvedOptions {
  precision: OpenvinoPrecision;
  inputShapes: Record<string, Dim[]>;
  name: string | undefined;
}

const KEYS = ['precision', 'inputShapes', 'name'];

export function resolveOptions(options: ExportOpenvinoOptions = {}): ResolvedOptions {
  for (const key of Object.keys(options)) {
    if (!KEYS.includes(key)) throw new CondenseError('E_BAD_OPTION', `Unknown OpenVINO export option "${key}"; the options are ${KEYS.join(', ')}.`);
  }
  const precision = options.precision ?? 'f32';
  if (precision !== 'f32' && precision !== 'f16') throw new CondenseError('E_BAD_OPTION', `OpenVINO export precision "${String(precision)}" is not f32 or f16.`);
  return { precision, inputShapes: options.inputShapes ?? {}, name: options.name };
}
