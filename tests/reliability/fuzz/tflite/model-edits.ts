/**
 * TFLite mutations made on the model as plain data (the package's reader
 * decodes the seed, its writer encodes the mutant): a well-formed flatbuffer
 * that says something wrong, such as a tensor type the data does not fit,
 * a weight without its buffer, an operator with too few inputs, or options
 * of another operator.
 */
import type { Random } from '../../../helpers/random.js';
import { mainBytes, withFile, type FuzzInput, type Mutator } from '../target.js';
import { BuiltinOperator, TensorType, parseModel, writeModel, type TfliteModel } from './tflite-internals.js';

const decoded = new WeakMap<Uint8Array, TfliteModel>();

/** A mutator that edits a fresh copy of the decoded model, then encodes it. */
function onModel(kind: string, weight: number, edit: (m: TfliteModel, rng: Random) => void): Mutator {
  return {
    kind,
    weight,
    mutate(input: FuzzInput, rng: Random) {
      const bytes = mainBytes(input);
      let model = decoded.get(bytes);
      if (!model) {
        try {
          model = parseModel(bytes);
        } catch {
          return input; // In a stack, an earlier mutation may have made the file unreadable: nothing to edit.
        }
        decoded.set(bytes, model);
      }
      // An earlier mutation in a stack may have emptied the lists every edit picks from: nothing to edit.
      if (!model.tensors.length || !model.operators.length) return input;
      const copy = structuredClone(model);
      edit(copy, rng);
      try {
        return withFile(input, input.main, writeModel(copy));
      } catch {
        return input; // The writer refuses some edits of an already mutated model (graph outputs out of range).
      }
    },
  };
}

const TYPES = Object.values(TensorType).filter((v): v is number => typeof v === 'number');
const BUILTINS = Object.values(BuiltinOperator).filter((v): v is number => typeof v === 'number');

export const modelEdits: Mutator[] = [
  onModel('wrong-dtype', 2, (m, rng) => {
    const t = rng.pick(m.tensors);
    t.type = rng.chance(0.8) ? rng.pick(TYPES) : rng.pick([-1, 18, 100, 127]);
  }),
  onModel('missing-buffer', 1.5, (m, rng) => {
    const constants = m.tensors.filter((t) => t.data);
    if (constants.length && rng.chance(0.6)) delete rng.pick(constants).data;
    else rng.pick(m.tensors).data = new Uint8Array(rng.pick([1, 4, 16, 64]));
  }),
  onModel('data-size', 1.5, (m, rng) => {
    const withData = m.tensors.filter((x) => x.data);
    if (!withData.length) return;
    const t = rng.pick(withData);
    const data = t.data!;
    t.data = rng.chance(0.5) ? data.slice(0, rng.int(data.length)) : Uint8Array.from({ length: data.length + rng.range(1, 64) }, (_, i) => data[i % data.length]!);
  }),
  onModel('rank', 1.5, (m, rng) => {
    const t = rng.pick(m.tensors);
    t.shape = rng.pick([[], [1], [t.shape[0] ?? 1], [...t.shape, 1], [1, 1, 1, 1, 1, 1, 1, 1, ...t.shape], t.shape.slice(1), [...t.shape].reverse()]);
  }),
  onModel('operator-arity', 2, (m, rng) => {
    const op = rng.pick(m.operators);
    const which = rng.int(4);
    if (which === 0) op.inputs = op.inputs.slice(0, rng.int(op.inputs.length));
    else if (which === 1) op.inputs = [...op.inputs, ...Array.from({ length: rng.range(1, 3) }, () => rng.pick([-1, ...op.inputs]))];
    else if (which === 2) op.inputs = op.inputs.map(() => -1);
    else op.outputs = rng.chance(0.5) ? [] : [...op.outputs, ...op.outputs];
  }),
  onModel('options-kind', 1.5, (m, rng) => {
    const op = rng.pick(m.operators);
    const other = rng.pick(m.operators);
    if (rng.chance(0.3)) delete op.options;
    else if (other.options) op.options = other.options;
    else op.op = other.op;
  }),
  onModel('op-swap', 1.5, (m, rng) => {
    const op = rng.pick(m.operators);
    op.op = rng.chance(0.8) ? rng.pick(BUILTINS) : rng.pick([32, 150, 200]);
  }),
  onModel('duplicate-name', 1, (m, rng) => {
    const a = rng.pick(m.tensors);
    rng.pick(m.tensors).name = rng.chance(0.8) ? a.name : rng.pick(['', '__proto__', 'constructor', 'x'.repeat(100_000), '../../etc/passwd', '\u0000']);
  }),
];
