/** Mutations of tensors: declared sizes against the bytes present, element types, data fields, external references. */
import { DataLocation, StringStringEntryProtoSchema, TensorProto_SegmentSchema, TensorShapeProto_DimensionSchema, create, type ModelProto, type TensorProto } from '@condense/onnx/proto';
import type { Random } from '../../../helpers/random.js';
import type { ProtoEdit } from './proto-edit.js';
import { tensorsOf, valueInfosOf } from './proto-tree.js';

const HUGE_DIMS = [2n ** 40n, 2n ** 31n, 2n ** 32n + 1n, 2n ** 53n + 1n, 2n ** 62n, 2n ** 63n - 1n, -1n, -(2n ** 63n), 0n];
/** Defined ONNX codes, undefined ones, and codes that cannot be a tensor (string, complex) where numbers are expected. */
const DTYPE_CODES = [0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 13, 14, 16, 17, 19, 21, 22, 23, 24, 25, 26, 40, 255, -1, 2 ** 31 - 1];

/**
 * External-data locations a hostile file may name. The file fuzz target builds
 * a folder where each of these exists as something (a symbolic link out, a FIFO,
 * a folder, the real data file) or does not.
 */
export const EXTERNAL_LOCATIONS = [
  'weights.bin',
  './weights.bin',
  'missing.bin',
  '../outside.bin',
  'sub/../../outside.bin',
  '/etc/passwd',
  'C:\\Windows\\win.ini',
  '..\\outside.bin',
  'link-out.bin',
  'linked-folder/outside.bin',
  'fifo',
  'folder',
  'model.onnx',
  '',
  '.',
  'weights.bin\u0000.txt',
  '%2e%2e/outside.bin',
];
const OFFSETS = ['0', '4096', '-1', '1e3', '0x10', '18446744073709551616', '9007199254740993', ' 12', '', 'NaN'];

function someTensor(m: ModelProto, rng: Random): TensorProto | undefined {
  const all = tensorsOf(m);
  if (!all.length) return undefined;
  // Prefer tensors with data: they are where declared sizes matter.
  const withData = all.filter((t) => t.rawData.length > 0);
  return withData.length && rng.chance(0.8) ? rng.pick(withData) : rng.pick(all);
}

export const tensorEdits: ProtoEdit[] = [
  {
    kind: 'huge-dims',
    weight: 3,
    edit(m, rng) {
      const t = someTensor(m, rng);
      if (t && rng.chance(0.6)) {
        if (!t.dims.length || rng.chance(0.25)) t.dims.push(rng.pick(HUGE_DIMS));
        else t.dims[rng.int(t.dims.length)] = rng.pick(HUGE_DIMS);
        return;
      }
      const typed = valueInfosOf(m).filter((v) => v.type?.value.case === 'tensorType' && v.type.value.value.shape);
      if (!typed.length) return;
      const shape = (rng.pick(typed).type!.value.value as { shape: { dim: unknown[] } }).shape;
      const dim = create(TensorShapeProto_DimensionSchema, { value: { case: 'dimValue', value: rng.pick(HUGE_DIMS) } });
      if (!shape.dim.length || rng.chance(0.2)) shape.dim.push(dim);
      else shape.dim[rng.int(shape.dim.length)] = dim;
    },
  },
  {
    kind: 'raw-data-length',
    weight: 3,
    edit(m, rng) {
      const t = someTensor(m, rng);
      if (!t) return;
      const raw = t.rawData;
      const action = rng.int(4);
      if (action === 0) t.rawData = raw.slice(0, rng.int(Math.max(raw.length, 1)));
      else if (action === 1) t.rawData = concat(raw, new Uint8Array(rng.range(1, 9)));
      else if (action === 2) t.rawData = new Uint8Array(0);
      else t.rawData = concat(raw, raw);
    },
  },
  {
    kind: 'wrong-dtype',
    weight: 3,
    edit(m, rng) {
      const t = someTensor(m, rng);
      if (t && rng.chance(0.7)) {
        t.dataType = rng.pick(DTYPE_CODES);
        return;
      }
      const typed = valueInfosOf(m).filter((v) => v.type?.value.case === 'tensorType');
      if (typed.length) (rng.pick(typed).type!.value.value as { elemType: number }).elemType = rng.pick(DTYPE_CODES);
    },
  },
  {
    kind: 'typed-data',
    weight: 2,
    edit(m, rng) {
      const t = someTensor(m, rng);
      if (!t) return;
      const n = rng.chance(0.5) ? Math.max(1, Math.floor(t.rawData.length / 4)) + rng.range(-2, 2) : rng.range(0, 5000);
      const count = Math.max(0, n);
      if (rng.chance(0.7)) t.rawData = new Uint8Array(0);
      switch (rng.int(7)) {
        case 0: t.floatData = Array.from({ length: count }, () => rng.float()); break;
        case 1: t.int32Data = Array.from({ length: count }, () => rng.next() | 0); break;
        case 2: t.int64Data = Array.from({ length: count }, () => BigInt(rng.next() | 0)); break;
        case 3: t.doubleData = Array.from({ length: count }, () => rng.float()); break;
        case 4: t.uint64Data = Array.from({ length: count }, () => BigInt(rng.next())); break;
        case 5: t.stringData = Array.from({ length: Math.min(count, 64) }, () => new Uint8Array([rng.int(256), rng.int(256)])); break;
        default: t.segment = create(TensorProto_SegmentSchema, { begin: 0n, end: BigInt(count) });
      }
    },
  },
  {
    kind: 'external-data',
    weight: 3,
    edit(m, rng) {
      const t = someTensor(m, rng);
      if (!t) return;
      // Also codes the enum does not define: files carry any number there.
      t.dataLocation = rng.chance(0.9) ? DataLocation.EXTERNAL : (rng.pick([2, 7, -1]) as DataLocation);
      if (rng.chance(0.7)) t.rawData = new Uint8Array(0);
      const entry = (key: string, value: string) => create(StringStringEntryProtoSchema, { key, value });
      const entries = [entry('location', rng.pick(EXTERNAL_LOCATIONS))];
      if (rng.chance(0.6)) entries.push(entry('offset', rng.chance(0.5) ? '0' : rng.pick(OFFSETS)));
      if (rng.chance(0.6)) entries.push(entry('length', rng.chance(0.3) ? String(t.rawData.length) : rng.pick(OFFSETS)));
      if (rng.chance(0.1)) entries.push(entry('location', rng.pick(EXTERNAL_LOCATIONS)));
      if (rng.chance(0.1)) entries.shift();
      t.externalData = entries;
    },
  },
];

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
