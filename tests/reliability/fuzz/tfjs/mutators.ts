/** Every tfjs mutation: byte-level ones on model.json or the shard, JSON edits, and stacks of those. */
import { byteMutators } from '../byte-mutators.js';
import { stacked } from '../stacked.js';
import type { Mutator } from '../target.js';
import { jsonEdits } from './json-edits.js';

export function tfjsMutators(): Mutator[] {
  return [...byteMutators({ sideFileChance: 0.3 }), ...jsonEdits, stacked(jsonEdits.filter((m) => m.kind !== 'deep-nesting'), 2)];
}
