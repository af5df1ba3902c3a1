/** Mutations of attributes, opset imports, IR versions and declared value types; and one generic field mutation. */
import {
  AttrKind,
  AttributeProtoSchema,
  ModelProtoSchema,
  OperatorSetIdProtoSchema,
  TensorShapeProto_DimensionSchema,
  TypeProtoSchema,
  TypeProto_SequenceSchema,
  create,
  type AttributeProto,
} from '@condense/onnx/proto';
import { hostileString, mutateRandomField } from '../protobuf-field-mutator.js';
import type { Random } from '../../../helpers/random.js';
import type { ProtoEdit } from './proto-edit.js';
import { graphsOf, nodesOf, valueInfosOf, valueNamesOf } from './proto-tree.js';

/** Attributes that size or index things in the CNN ops (and a few more), where absurd values do harm. */
const SIZING_ATTRS = ['group', 'strides', 'dilations', 'kernel_shape', 'pads', 'output_padding', 'output_shape', 'axis', 'axes', 'perm', 'to', 'transA', 'transB', 'alpha', 'beta', 'epsilon', 'keepdims', 'auto_pad', 'ceil_mode', 'split', 'mode', 'value', 'blocksize', 'allowzero', 'size', 'count_include_pad', 'storage_order', 'num_outputs'];
const ABSURD_INTS = [0n, -1n, -2n, 1n, 2n ** 31n, 2n ** 40n, 2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n];
const ABSURD_FLOATS = [NaN, Infinity, -Infinity, -0, 1e38, -1e38, 1e-45];

function absurdAttribute(rng: Random, name: string): AttributeProto {
  const ints = () => Array.from({ length: rng.chance(0.1) ? rng.range(100, 10_000) : rng.range(0, 6) }, () => (rng.chance(0.6) ? rng.pick(ABSURD_INTS) : BigInt(rng.range(-3, 5))));
  switch (rng.int(7)) {
    case 0: return create(AttributeProtoSchema, { name, type: AttrKind.INT, i: rng.pick(ABSURD_INTS) });
    case 1: return create(AttributeProtoSchema, { name, type: AttrKind.INTS, ints: ints() });
    case 2: return create(AttributeProtoSchema, { name, type: AttrKind.FLOAT, f: rng.pick(ABSURD_FLOATS) });
    case 3: return create(AttributeProtoSchema, { name, type: AttrKind.FLOATS, floats: Array.from({ length: rng.range(0, 8) }, () => rng.pick(ABSURD_FLOATS)) });
    case 4: return create(AttributeProtoSchema, { name, type: AttrKind.STRING, s: new TextEncoder().encode(rng.pick(['GARBAGE', 'SAME_UPPER', '', 'VALID', 'NOTSET'])) });
    // The declared kind says one thing, the fields hold another (or nothing).
    case 5: return create(AttributeProtoSchema, { name, type: rng.pick([AttrKind.INTS, AttrKind.TENSOR, AttrKind.GRAPH, AttrKind.GRAPHS, AttrKind.STRING, 99]), i: rng.pick(ABSURD_INTS) });
    default: return create(AttributeProtoSchema, { name, type: AttrKind.UNDEFINED, f: rng.pick(ABSURD_FLOATS) });
  }
}

export const modelEdits: ProtoEdit[] = [
  {
    kind: 'absurd-attribute',
    weight: 4,
    edit(m, rng) {
      const nodes = nodesOf(m);
      if (!nodes.length) return;
      const { node } = rng.pick(nodes);
      const existing = node.attribute.length && rng.chance(0.6) ? rng.int(node.attribute.length) : -1;
      const name = existing >= 0 ? node.attribute[existing]!.name : rng.pick(SIZING_ATTRS);
      const attr = absurdAttribute(rng, name);
      if (existing >= 0) node.attribute[existing] = attr;
      else node.attribute.push(attr);
    },
  },
  {
    kind: 'opset',
    weight: 1,
    edit(m, rng) {
      const version = rng.pick([0n, -1n, 1n, 6n, 9n, 13n, 25n, 1000n, 2n ** 62n, -(2n ** 63n)]);
      const domain = rng.pick(['', 'ai.onnx', 'com.microsoft', 'ai.onnx.ml', '__proto__', 'constructor', 'x'.repeat(300)]);
      switch (rng.int(4)) {
        case 0: m.opsetImport = []; break;
        case 1: m.opsetImport.push(create(OperatorSetIdProtoSchema, { domain, version })); break;
        default:
          if (m.opsetImport.length) Object.assign(rng.pick(m.opsetImport), rng.chance(0.5) ? { version } : { domain });
      }
    },
  },
  {
    kind: 'ir-version',
    weight: 1,
    edit(m, rng) {
      m.irVersion = rng.pick([0n, -1n, 1n, 2n, 3n, 4n, 11n, 99n, 2n ** 62n, -(2n ** 63n)]);
    },
  },
  {
    kind: 'value-info',
    weight: 2,
    edit(m, rng) {
      const infos = valueInfosOf(m);
      if (!infos.length) return;
      const vi = rng.pick(infos);
      const action = rng.int(5);
      if (action === 0) vi.type = undefined;
      else if (action === 1) vi.type = create(TypeProtoSchema, { value: { case: 'sequenceType', value: create(TypeProto_SequenceSchema, { elemType: vi.type }) } });
      else if (action === 2) vi.type = create(TypeProtoSchema, { denotation: 'IMAGE', value: vi.type?.value ?? { case: undefined } });
      else if (vi.type?.value.case === 'tensorType' && vi.type.value.value.shape) {
        const dims = vi.type.value.value.shape.dim;
        if (action === 3) dims.splice(0, dims.length, ...Array.from({ length: rng.pick([0, 1, 9, 100]) }, () => dims[0] ?? create(TensorShapeProto_DimensionSchema)));
        else if (dims.length) dims[rng.int(dims.length)]!.value = rng.chance(0.5) ? { case: 'dimParam', value: hostileString(rng, []) } : { case: undefined };
      }
    },
  },
  {
    kind: 'field',
    weight: 6,
    edit(m, rng) {
      const words = m.graph ? [...valueNamesOf(rng.pick(graphsOf(m))), ...m.graph.node.slice(0, 8).map((n) => n.opType)] : [];
      mutateRandomField(m as unknown as Record<string, unknown>, ModelProtoSchema, rng, words);
    },
  },
];
