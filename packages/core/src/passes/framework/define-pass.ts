import { CondenseError } from '../../errors.js';
import type { Graph } from '../../ir/graph.js';
import type { PassContext } from './context.js';
import type { OptionsOf, OptionsSchema } from './options.js';

/** What a pass needs from the caller. */
export type PassRequirement = 'runtime' | 'samples';

/** A compression or cleanup step: a plain object, as Babel and Rollup plugins are. */
export interface Pass<O = Record<string, unknown>> {
  /** kebab-case, unique in a registry. */
  readonly name: string;
  /** One line on what the pass does, shown in the CLI's pass list and the report. */
  readonly description: string;
  /** The options the pass takes, as a schema; empty when it takes none. */
  readonly options: OptionsSchema;
  /** What the caller must supply for the pass to run (checked before the first pass); empty when nothing. */
  readonly requires: readonly PassRequirement[];
  /** Edits `graph` in place; returns whether it changed anything. */
  run(graph: Graph, ctx: PassContext<O>): boolean | Promise<boolean>;
}

/** What {@link definePass} takes: a pass before its defaults are filled in and it is frozen. */
export interface PassDefinition<S extends OptionsSchema> {
  /** kebab-case, unique in a registry, like "fold-batch-norm". */
  name: string;
  /** One line on what the pass does; must not be empty. */
  description: string;
  /** The options the pass takes, as a schema; none when left out. */
  options?: S;
  /** What the caller must supply (a runtime, samples); nothing when left out. */
  requires?: readonly PassRequirement[];
  /** Edits `graph` in place, with the options typed from the schema; returns whether it changed anything. */
  run(graph: Graph, ctx: PassContext<OptionsOf<S>>): boolean | Promise<boolean>;
}

const DEFINITION_KEYS = new Set(['name', 'description', 'options', 'requires', 'run']);
const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Checks a pass object (from definePass or a plugin) and returns it frozen. Unknown keys are an error. */
export function definePass<S extends OptionsSchema = Record<string, never>>(def: PassDefinition<S>): Pass<OptionsOf<S>> {
  checkPassShape(def, 'definePass');
  return Object.freeze({
    name: def.name,
    description: def.description,
    options: Object.freeze({ ...(def.options ?? {}) }) as OptionsSchema,
    requires: Object.freeze([...(def.requires ?? [])]),
    run: def.run,
  }) as Pass<OptionsOf<S>>;
}

/** Throws a clear error if `value` is not a well-formed pass; `source` names where it came from. */
export function checkPassShape(value: unknown, source: string): asserts value is Pass<never> {
  const fail = (why: string) => new CondenseError('E_BAD_PASS', `${source}: ${why}`);
  if (typeof value !== 'object' || value === null) throw fail('a pass must be an object with name, description and run.');
  const obj = value as Record<string, unknown>;
  const label = typeof obj['name'] === 'string' ? `pass "${obj['name']}"` : 'a pass';
  for (const key of Object.keys(obj)) {
    if (!DEFINITION_KEYS.has(key)) throw fail(`${label} has unknown key "${key}" (allowed: ${[...DEFINITION_KEYS].join(', ')}).`);
  }
  if (typeof obj['name'] !== 'string' || !NAME.test(obj['name'])) throw fail(`${label}: name must be kebab-case, like "fold-batch-norm".`);
  if (typeof obj['description'] !== 'string' || !obj['description']) throw fail(`${label} needs a description.`);
  if (typeof obj['run'] !== 'function') throw fail(`${label} needs a run(graph, ctx) function.`);
  if (obj['options'] !== undefined && (typeof obj['options'] !== 'object' || obj['options'] === null)) throw fail(`${label}: options must be a schema object.`);
  const requires = obj['requires'];
  if (requires !== undefined && (!Array.isArray(requires) || requires.some((r) => r !== 'runtime' && r !== 'samples'))) {
    throw fail(`${label}: requires may list only "runtime" and "samples".`);
  }
}
