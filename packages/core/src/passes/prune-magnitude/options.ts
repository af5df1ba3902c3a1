import { CondenseError } from '../../errors.js';
import type { OptionsSchema } from '../framework/options.js';
import { PRUNABLE_OPS } from './targets.js';

export const DEFAULT_SPARSITY = 0.5;
export const DEFAULT_N = 2;
export const DEFAULT_M = 4;

/**
 * sparsity, n and m have no schema default so that the pass can tell an
 * option given for the other pattern (an error) from one left out.
 */
export const PRUNE_OPTIONS = {
  sparsity: {
    type: 'number',
    min: 0,
    max: 1,
    description: `Fraction of the eligible weights set to zero, with pattern unstructured (default ${DEFAULT_SPARSITY}). With n:m the fraction is 1 - n/m; giving both is an error.`,
  },
  scope: {
    type: 'string',
    enum: ['global', 'layer'],
    default: 'global',
    description: 'With pattern unstructured: global ranks |w| across every eligible weight and zeroes below one threshold (layers of small weights lose more); layer prunes each weight tensor to the target on its own.',
  },
  pattern: {
    type: 'string',
    enum: ['unstructured', 'n:m'],
    default: 'unstructured',
    description: 'unstructured zeroes weights anywhere; n:m keeps the n largest |w| of every m consecutive weights along the input channels (NVIDIA sparse tensor cores run 2:4). Layers whose input channels are not a multiple of m stay dense.',
  },
  n: { type: 'number', integer: true, min: 1, description: `With pattern n:m: weights kept in each group (default ${DEFAULT_N}).` },
  m: { type: 'number', integer: true, min: 2, max: 32, description: `With pattern n:m: weights per group, consecutive input channels (default ${DEFAULT_M}).` },
  minElements: { type: 'number', integer: true, min: 1, default: 1024, description: 'Weights with fewer elements stay dense (biases, tiny layers) and do not count toward the sparsity.' },
  ops: { type: 'string[]', default: [...PRUNABLE_OPS], description: 'Ops whose weights (input 1) are pruned.' },
  depthwise: {
    type: 'boolean',
    default: false,
    description: 'Also prune depthwise Conv/ConvTranspose weights (one input channel per group): few weights, each carrying a whole channel, so they are left dense by default.',
  },
} satisfies OptionsSchema;

/** The options as run receives them. */
export interface PruneOptions {
  sparsity: number | undefined;
  scope: string;
  pattern: string;
  n: number | undefined;
  m: number | undefined;
  ops: string[];
}

/** What to do: a fraction of zeros to reach, or n kept in every m. */
export type PrunePlan = { pattern: 'unstructured'; sparsity: number; scope: string } | { pattern: 'n:m'; n: number; m: number };

/** The plan the options describe; options that contradict each other or name ops the pass cannot prune are one error, before anything changes. */
export function planOf(o: PruneOptions): PrunePlan {
  const bad = (message: string) => new CondenseError('E_BAD_OPTION', `prune-magnitude: ${message}`, { context: { pass: 'prune-magnitude' } });
  const unknownOps = o.ops.filter((op) => !(PRUNABLE_OPS as readonly string[]).includes(op));
  if (unknownOps.length) throw bad(`ops may list only ${PRUNABLE_OPS.join(', ')}; got ${unknownOps.join(', ')}.`);
  if (o.pattern === 'n:m') {
    if (o.sparsity !== undefined) throw bad('with pattern n:m the sparsity is 1 - n/m (2:4 is 50%); drop sparsity, or set pattern to unstructured.');
    const n = o.n ?? DEFAULT_N;
    const m = o.m ?? DEFAULT_M;
    if (n >= m) throw bad(`n (${n}) must be smaller than m (${m}): n weights are kept in each group of m.`);
    return { pattern: 'n:m', n, m };
  }
  if (o.n !== undefined || o.m !== undefined) throw bad("n and m set the pattern n:m; add pattern: 'n:m', or drop them and give sparsity.");
  return { pattern: 'unstructured', sparsity: o.sparsity ?? DEFAULT_SPARSITY, scope: o.scope };
}
