/**
 * Every TFLite mutation: byte-level ones steered by the flatbuffer map
 * (flips and cuts land on offsets, vtables and length prefixes; huge lengths
 * are written as the format's uint32), in-place structural edits, edits of
 * the decoded model, and stacks of those.
 */
import { byteMutators, uint32le } from '../byte-mutators.js';
import { stacked } from '../stacked.js';
import type { Mutator } from '../target.js';
import { flatbufferLandmarks, mapFlatbuffer } from './flatbuffer-map.js';
import { inPlaceEdits } from './in-place-edits.js';
import { modelEdits } from './model-edits.js';

export function tfliteMutators(): Mutator[] {
  const bytes = byteMutators({ landmarks: (_, b) => flatbufferLandmarks(mapFlatbuffer(b)), encodeLength: uint32le });
  return [...bytes, ...inPlaceEdits, ...modelEdits, stacked([...inPlaceEdits, ...modelEdits], 3)];
}
