import { CondenseError } from '../../errors.js';
import { checkPassShape, definePass, type Pass, type PassDefinition } from './define-pass.js';
import type { RecipeStep } from './recipe.js';

/**
 * Passes by name. Each caller makes its own (createRegistry), so two copies of
 * this package never fight over one global list.
 */
export class PassRegistry {
  readonly #passes = new Map<string, Pass<never>>();
  readonly #presets = new Map<string, { description: string; passes: RecipeStep[] }>();

  /** Adds a pass; a name already taken is an error naming both. */
  register(pass: unknown, source = 'registerPass'): void {
    checkPassShape(pass, source);
    if (this.#passes.has(pass.name)) {
      throw new CondenseError('E_BAD_PASS', `${source}: a pass named "${pass.name}" is already registered; plugin passes need names of their own.`);
    }
    // Plugins may hand over plain objects; normalise them as definePass does (defaults filled, frozen).
    this.#passes.set(pass.name, definePass(pass as unknown as PassDefinition<Record<string, never>>) as Pass<never>);
  }

  /** The pass of that name; an unknown name is an error that suggests the nearest known one. */
  get(name: string): Pass<never> {
    const pass = this.#passes.get(name);
    if (!pass) {
      const near = closest(name, [...this.#passes.keys()]);
      throw new CondenseError('E_UNKNOWN_PASS', `Unknown pass "${name}".${near ? ` Did you mean "${near}"?` : ''} Known passes: ${this.names().join(', ')}.`);
    }
    return pass;
  }

  /** Whether a pass of that name is registered. */
  has(name: string): boolean {
    return this.#passes.has(name);
  }

  /** The registered pass names, sorted. */
  names(): string[] {
    return [...this.#passes.keys()].sort();
  }

  /** Adds a named pipeline, or replaces one of that name. */
  definePreset(name: string, description: string, passes: RecipeStep[]): void {
    this.#presets.set(name, { description, passes: [...passes] });
  }

  /** A copy of the steps of the preset of that name; an unknown name is an error that suggests the nearest. */
  preset(name: string): RecipeStep[] {
    const p = this.#presets.get(name);
    if (!p) {
      const near = closest(name, [...this.#presets.keys()]);
      throw new CondenseError('E_BAD_RECIPE', `Unknown preset "${name}".${near ? ` Did you mean "${near}"?` : ''} Presets: ${this.presetNames().join(', ')}.`);
    }
    return [...p.passes];
  }

  /** The preset names, sorted. */
  presetNames(): string[] {
    return [...this.#presets.keys()].sort();
  }

  /** Every preset with its description and a copy of its steps, in the order they were defined. */
  presets(): Array<{ name: string; description: string; passes: RecipeStep[] }> {
    return [...this.#presets].map(([name, p]) => ({ name, ...p, passes: [...p.passes] }));
  }
}

/** The known name nearest to `name` by edit distance, if near enough to be a typo. */
function closest(name: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
