import { CondenseError } from '../../errors.js';
import type { Pass } from './define-pass.js';
import { resolveOptions } from './options.js';
import type { PassRegistry } from './registry.js';

/** One step of a recipe: a pass name, or a name with options. */
export type RecipeStep = string | { pass: string; options?: Record<string, unknown> };

/**
 * A pipeline described as data (a JSON or YAML file): a preset to start from
 * and/or a list of passes, run in order after the preset's. `options` changes
 * the options of the steps named, by pass name, so a preset's knobs can be
 * turned without spelling out its passes.
 */
export interface Recipe {
  /** A preset's name; its passes run first. */
  preset?: string;
  /** Passes to run, in order, after the preset's. */
  passes?: RecipeStep[];
  /** Options by pass name, merged over those of every step of that pass; each name must be a step. */
  options?: Record<string, Record<string, unknown>>;
}

/** A step ready to run: the pass and its checked options. */
export interface ResolvedStep {
  /** The pass, from the registry. */
  pass: Pass<never>;
  /** Its options, checked against its schema, defaults filled in. */
  options: Record<string, unknown>;
}

const RECIPE_KEYS = ['preset', 'passes', 'options'];
const STEP_KEYS = ['pass', 'options'];

/** Checks a recipe (as parsed from a file) and resolves every pass and option; all errors come before anything runs. */
export function resolveRecipe(recipe: unknown, registry: PassRegistry, source = 'recipe'): ResolvedStep[] {
  const fail = (why: string) => new CondenseError('E_BAD_RECIPE', `${source}: ${why}`);
  if (Array.isArray(recipe)) recipe = { passes: recipe };
  if (typeof recipe !== 'object' || recipe === null) throw fail('a recipe is an object with "preset" and/or "passes".');
  const r = recipe as Record<string, unknown>;
  for (const key of Object.keys(r)) if (!RECIPE_KEYS.includes(key)) throw fail(`unknown key "${key}"; a recipe has only "preset", "passes" and "options".`);
  if (r['preset'] !== undefined && typeof r['preset'] !== 'string') throw fail('"preset" must be a preset name.');
  if (r['passes'] !== undefined && !Array.isArray(r['passes'])) throw fail('"passes" must be a list of pass names or { pass, options } entries.');
  const listed: RecipeStep[] = [...(r['preset'] ? registry.preset(r['preset'] as string) : []), ...((r['passes'] as RecipeStep[] | undefined) ?? [])];
  if (listed.length === 0) throw fail('it names no passes.');
  const steps = withOverrides(listed, r['options'], fail);
  return steps.map((step, i) => {
    const where = `step ${i + 1}`;
    if (typeof step === 'string') return withContext(source, () => ({ pass: registry.get(step), options: resolveOptions(step, registry.get(step).options, undefined) }));
    if (typeof step !== 'object' || step === null || typeof step.pass !== 'string') throw fail(`${where} must be a pass name or { pass: name, options: {...} }.`);
    for (const key of Object.keys(step)) if (!STEP_KEYS.includes(key)) throw fail(`${where} (${step.pass}) has unknown key "${key}"; use "pass" and "options".`);
    return withContext(source, () => {
      const pass = registry.get(step.pass);
      return { pass, options: resolveOptions(pass.name, pass.options, step.options) };
    });
  });
}

/** Steps with `overrides[pass]` merged over their own options; every pass named must be a step. */
function withOverrides(steps: RecipeStep[], overrides: unknown, fail: (why: string) => Error): RecipeStep[] {
  if (overrides === undefined) return steps;
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) throw fail('"options" must map pass names to option objects.');
  const byPass = overrides as Record<string, unknown>;
  const nameOf = (step: RecipeStep) => (typeof step === 'string' ? step : step?.pass);
  for (const [name, value] of Object.entries(byPass)) {
    if (!steps.some((step) => nameOf(step) === name)) throw fail(`"options" names pass "${name}", which is not in the pipeline (${[...new Set(steps.map(nameOf))].join(', ')}).`);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail(`"options" of "${name}" must be an object of name: value pairs.`);
  }
  return steps.map((step) => {
    const name = nameOf(step);
    const extra = typeof name === 'string' && Object.hasOwn(byPass, name) ? (byPass[name] as Record<string, unknown>) : undefined;
    if (!extra) return step;
    return { pass: name!, options: { ...(typeof step === 'string' ? {} : step.options), ...extra } };
  });
}

function withContext<T>(source: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CondenseError) throw new CondenseError(e.code, `${source}: ${e.message}`, { cause: e, context: e.context });
    throw e;
  }
}
