import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<T extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>>;
import { CondenseError, type Dim } from '@condense/core';
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
