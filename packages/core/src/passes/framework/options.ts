import { CondenseError } from '../../errors.js';

/** One option of a pass, described as data so recipes can be checked before anything runs. */
export type OptionSpec =
  | { type: 'number'; description: string; default?: number; min?: number; max?: number; integer?: boolean }
  | { type: 'boolean'; description: string; default?: boolean }
  | { type: 'string'; description: string; default?: string; enum?: readonly string[] }
  | { type: 'string[]'; description: string; default?: readonly string[] };

/** A pass's options by name, each described by an {@link OptionSpec}. */
export type OptionsSchema = Record<string, OptionSpec>;

/** The type of value an option spec accepts: number, boolean, string[], one of its enum strings, or string. */
export type ValueOf<S extends OptionSpec> = S extends { type: 'number' }
  ? number
  : S extends { type: 'boolean' }
    ? boolean
    : S extends { type: 'string[]' }
      ? string[]
      : S extends { type: 'string'; enum: readonly (infer E)[] }
        ? E
        : string;

/** The options object a pass receives: declared defaults filled in. */
export type OptionsOf<S extends OptionsSchema> = { [K in keyof S]: S[K] extends { default: unknown } ? ValueOf<S[K]> : ValueOf<S[K]> | undefined };

/**
 * Checks user options against a schema: unknown keys and wrong types are
 * errors naming the pass and the option; defaults are filled in.
 */
export function resolveOptions(passName: string, schema: OptionsSchema, given: unknown): Record<string, unknown> {
  if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) {
    throw new CondenseError('E_BAD_OPTION', `Options of pass "${passName}" must be an object of name: value pairs.`, { context: { pass: passName } });
  }
  const input = (given ?? {}) as Record<string, unknown>;
  const known = Object.keys(schema);
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(schema, key)) {
      const hint = known.length ? `Its options are: ${known.join(', ')}.` : 'It takes no options.';
      throw new CondenseError('E_BAD_OPTION', `Pass "${passName}" has no option "${key}". ${hint}`, { context: { pass: passName } });
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) {
    const value = input[key] ?? spec.default;
    if (value !== undefined) checkValue(passName, key, spec, value);
    out[key] = Array.isArray(value) ? [...value] : value;
  }
  return out;
}

function checkValue(pass: string, key: string, spec: OptionSpec, value: unknown): void {
  const bad = (expected: string) =>
    new CondenseError('E_BAD_OPTION', `Option "${key}" of pass "${pass}" must be ${expected}; got ${JSON.stringify(value)}.`, { context: { pass } });
  switch (spec.type) {
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bad('a number');
      if (spec.integer && !Number.isInteger(value)) throw bad('an integer');
      if (spec.min !== undefined && value < spec.min) throw bad(`at least ${spec.min}`);
      if (spec.max !== undefined && value > spec.max) throw bad(`at most ${spec.max}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw bad('true or false');
      return;
    case 'string':
      if (typeof value !== 'string') throw bad('a string');
      if (spec.enum && !spec.enum.includes(value)) throw bad(`one of ${spec.enum.join(', ')}`);
      return;
    case 'string[]':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw bad('a list of strings');
      return;
  }
}
