import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<T extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>>;
import { CondenseError, type Dim, type PreprocessSpec } from '@condense/core';
import type { Streams } from './io.js';

/** parseArgs with errors as CondenseError (E_BAD_OPTION) naming the command. */
export function parse<T extends Options>(command: string, args: string[], options: T): Parsed<T> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new CondenseError('E_BAD_OPTION', `${(e as Error).message.replace(/\. To specify.*$/, '')}. Run "condense ${command} --help" for the options.`, { cause: e });
  }
}

/** "--input-shape x=1,3,224,224" (repeatable) as { x: [1, 3, 224, 224] }; symbols stay strings. */
export function parseInputShapes(specs: string[] | undefined): Record<string, Dim[]> | undefined {
  if (!specs?.length) return undefined;
  const out: Record<string, Dim[]> = {};
  for (const spec of specs) {
    const m = /^([^=]+)=(.+)$/.exec(spec);
    if (!m) throw new CondenseError('E_BAD_OPTION', `--input-shape "${spec}" is not of the form name=d0,d1,... (for example x=1,3,224,224).`);
    out[m[1]!] = m[2]!.split(',').map((d) => {
      const t = d.trim();
      if (/^\d+$/.test(t)) return Number(t);
      if (/^[A-Za-z_][\w.]*$/.test(t)) return t;
      throw new CondenseError('E_BAD_OPTION', `--input-shape "${spec}": "${t}" is neither a size nor a symbol name.`);
    });
  }
  return out;
}

export function requireOne(command: string, positionals: string[], what: string): string {
  if (positionals.length !== 1) {
    throw new CondenseError('E_BAD_OPTION', `condense ${command} takes one ${what}${positionals.length ? `, got ${positionals.length}` : ''}. Run "condense ${command} --help".`);
  }
  return positionals[0]!;
}

/**
 * Parses a command's arguments, adding --help/-h: when asked, prints `help`
 * and returns undefined so the command can return 0.
 */
export function parseCommand<T extends Options>(command: string, args: string[], options: T, help: string, io: Streams): Parsed<T> | undefined {
  const parsed = parse(command, args, { ...options, help: { type: 'boolean', short: 'h' } } as T);
  if ((parsed.values as Record<string, unknown>)['help']) {
    io.out.write(`${help}\n`);
    return undefined;
  }
  return parsed;
}

/** A whole-number option (--runs 20) of at least `min`, or `fallback` when absent. */
export function wholeNumber(option: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new CondenseError('E_BAD_OPTION', `--${option} must be a whole number of at least ${min}; got "${text}".`);
  return n;
}

/** A decimal number in [min, max] given as --option text. */
export function decimal(option: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new CondenseError('E_BAD_OPTION', `--${option} must be a number from ${min} to ${max}; got "${text}".`);
  return n;
}

/** Flags saying how --calib images and .npy data become model inputs (compress and eval share them). */
export const PREPROCESS_OPTIONS = {
  size: { type: 'string' },
  resize: { type: 'string' },
  scale: { type: 'string' },
  mean: { type: 'string' },
  std: { type: 'string' },
  channels: { type: 'string' },
  layout: { type: 'string' },
} as const;

export const PREPROCESS_HELP = `--calib <data> is an IDX file (gzipped or not), a .npy file (first dimension:
samples), a folder of .npy files (one batch each) or a folder of PNG/JPEG
images (sorted by name). Images are decoded a batch at a time, resized to the
input's height and width and fed as float32 (x * scale - mean) / std:
  --size HxW                the height and width to feed where the input's are symbolic
  --resize stretch|shorter  stretch to HxW (default), or keep the aspect ratio,
                            cover HxW and crop the centre
  --scale N                 multiplies pixels first (default 1/255; "1/255" is accepted)
  --mean A[,B,C]            subtracted per channel after scaling (default 0)
  --std A[,B,C]             divides per channel after the mean (default 1)
  --channels rgb|bgr        channel order (default rgb; a 1-channel input gets gray)
  --layout nchw|nhwc        default: NCHW if dim 1 is 1 or 3, NHWC if the last is
.npy data is fed as saved unless --scale, --mean or --std is given.`;

type PreprocessFlags = { [K in keyof typeof PREPROCESS_OPTIONS]?: string | undefined };

/** The preprocessing flags as a spec; only flags given appear in it. */
export function parsePreprocess(values: PreprocessFlags): PreprocessSpec {
  const spec: PreprocessSpec = {};
  if (values.size !== undefined) {
    const m = /^\s*(\d+)\s*x\s*(\d+)\s*$/i.exec(values.size);
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new CondenseError('E_BAD_OPTION', `--size must be HEIGHTxWIDTH in pixels (for example 224x224); got "${values.size}".`);
    spec.size = [Number(m[1]), Number(m[2])];
  }
  if (values.resize !== undefined) spec.resize = oneOf('resize', values.resize, ['stretch', 'shorter']);
  if (values.scale !== undefined) spec.scale = scaleValue(values.scale);
  if (values.mean !== undefined) spec.mean = numberList('mean', values.mean);
  if (values.std !== undefined) {
    spec.std = numberList('std', values.std);
    if (spec.std.includes(0)) throw new CondenseError('E_BAD_OPTION', `--std divides, so it cannot hold 0; got "${values.std}".`);
  }
  if (values.channels !== undefined) spec.channels = oneOf('channels', values.channels, ['rgb', 'bgr']);
  if (values.layout !== undefined) spec.layout = oneOf('layout', values.layout, ['nchw', 'nhwc']);
  return spec;
}

function oneOf<const T extends string>(option: string, text: string, allowed: readonly T[]): T {
  const t = text.trim().toLowerCase();
  if (!(allowed as readonly string[]).includes(t)) throw new CondenseError('E_BAD_OPTION', `--${option} must be ${allowed.join(' or ')}; got "${text}".`);
  return t as T;
}

/** A finite number, or a fraction such as 1/255. */
function scaleValue(text: string): number {
  const [a, b = '1', ...rest] = text.split('/');
  const n = Number(a) / Number(b);
  if (rest.length || a!.trim() === '' || b.trim() === '' || !Number.isFinite(n)) throw new CondenseError('E_BAD_OPTION', `--scale must be a number or a fraction such as 1/255; got "${text}".`);
  return n;
}

function numberList(option: string, text: string): number[] {
  const list = text.split(',').map((t) => (t.trim() === '' ? NaN : Number(t)));
  if (!list.every(Number.isFinite)) throw new CondenseError('E_BAD_OPTION', `--${option} must be numbers separated by commas (one, or one per channel); got "${text}".`);
  return list;
}
