/** Every OpenVINO IR mutation: byte-level ones on either file, the XML text's, the parsed IR's, and stacks of those. */
import { byteMutators } from '../byte-mutators.js';
import { stacked } from '../stacked.js';
import type { Mutator } from '../target.js';
import { irEdits } from './ir-edits.js';
import { xmlEdits } from './xml-edits.js';

export function openvinoMutators(): Mutator[] {
  return [...byteMutators({ sideFileChance: 0.25 }), ...xmlEdits, ...irEdits, stacked([...irEdits, ...xmlEdits], 2)];
}
