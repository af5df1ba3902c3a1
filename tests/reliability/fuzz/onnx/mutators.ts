/**
 * Every ONNX mutation: byte-level ones steered by protobuf landmarks, and
 * structure-aware ones that decode the model with the project's protobuf
 * schema, edit the message tree and encode it again.
 */
import { ModelProtoSchema, fromBinary, toBinary } from '@condense/onnx/proto';
import { byteMutators } from '../byte-mutators.js';
import { protobufLandmarks } from '../protobuf-landmarks.js';
import type { Random } from '../../../helpers/random.js';
import { mainBytes, withFile, type FuzzInput, type Mutator } from '../target.js';
import { graphEdits } from './graph-edits.js';
import { modelEdits } from './model-edits.js';
import type { ProtoEdit } from './proto-edit.js';
import { tensorEdits } from './tensor-edits.js';

const PROTO_EDITS: ProtoEdit[] = [...tensorEdits, ...graphEdits, ...modelEdits];

function applyEdits(input: FuzzInput, edits: ProtoEdit[], rng: Random): FuzzInput {
  const model = fromBinary(ModelProtoSchema, mainBytes(input), { readUnknownFields: false });
  for (const e of edits) e.edit(model, rng);
  return withFile(input, input.main, toBinary(ModelProtoSchema, model));
}

function protoMutator(e: ProtoEdit): Mutator {
  return { kind: e.kind, weight: e.weight, mutate: (input, rng) => applyEdits(input, [e], rng) };
}

/** Several edits in one file: faults that only bite together (a cycle in a graph with a duplicate name...). */
const stacked: Mutator = {
  kind: 'stacked',
  weight: 3,
  mutate: (input, rng) => applyEdits(input, Array.from({ length: rng.range(2, 4) }, () => rng.weighted(PROTO_EDITS)), rng),
};

export function onnxMutators(): Mutator[] {
  const bytes = byteMutators({ landmarks: (file, b) => (file.endsWith('.onnx') ? protobufLandmarks(b, ModelProtoSchema) : undefined) });
  return [...bytes, ...PROTO_EDITS.map(protoMutator), stacked];
}
