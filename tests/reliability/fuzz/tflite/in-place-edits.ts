/**
 * TFLite mutations made in place, at positions the flatbuffer map names:
 * each leaves the rest of the file intact, so the reader meets one lie at a
 * time (an offset past the end, a vtable pointing outside, a vector longer
 * than the file, a shape of 2^31 - 1, a tensor index out of range...).
 */
import type { Random } from '../../../helpers/random.js';
import { mainBytes, withFile, type FuzzInput, type Mutator } from '../target.js';
import { mapFlatbuffer, type FlatbufferMap } from './flatbuffer-map.js';

/** The bytes (a copy) and where their structure lies, for one edit. */
export interface Site {
  bytes: Uint8Array;
  view: DataView;
  map: FlatbufferMap;
  rng: Random;
}

const maps = new WeakMap<Uint8Array, FlatbufferMap>();
function mapOf(bytes: Uint8Array): FlatbufferMap {
  let map = maps.get(bytes);
  if (!map) maps.set(bytes, (map = mapFlatbuffer(bytes)));
  return map;
}

/** A mutator that edits a copy of the main file in place; `edit` returns false when the file has no place for it (then a bit flips instead). */
export function inPlace(kind: string, weight: number, edit: (s: Site) => boolean | void): Mutator {
  return {
    kind,
    weight,
    mutate(input: FuzzInput, rng: Random) {
      const source = mainBytes(input);
      const bytes = source.slice();
      const site = { bytes, view: new DataView(bytes.buffer), map: mapOf(source), rng };
      let done: boolean | void;
      try {
        done = edit(site);
      } catch {
        done = false; // In a stack, an earlier mutation may have moved what the map names past the end.
      }
      if (done === false && bytes.length) bytes[rng.int(bytes.length)]! ^= 1 << rng.int(8);
      return withFile(input, input.main, bytes);
    },
  };
}

const at = (s: Site, key: string, m: Map<string, number[]> = s.map.fields): number | undefined => {
  const list = m.get(key);
  return list?.length ? s.rng.pick(list) : undefined;
};
const u32 = (s: Site, pos: number, v: number) => s.view.setUint32(pos, v >>> 0, true);
const i32 = (s: Site, pos: number, v: number) => s.view.setInt32(pos, v | 0, true);
const count = (s: Site, vector: string) => {
  const pos = s.map.vectors.get(vector)?.[0];
  return pos === undefined ? 0 : s.view.getUint32(pos, true);
};

/** Values a hostile index or size takes: just out of range, far out, negative, or the extremes of its type. */
function hostileIndex(s: Site, n: number): number {
  return s.rng.pick([n, n + s.rng.range(1, 8), -1, -2, 2 ** 31 - 1, -(2 ** 31), 2 ** 16]);
}

export const inPlaceEdits: Mutator[] = [
  inPlace('offset', 3, (s) => {
    const pos = s.rng.pick(s.map.offsets);
    const cur = s.view.getUint32(pos, true);
    const past = s.bytes.length - pos;
    u32(s, pos, s.rng.pick([0, 1, 2, past + s.rng.int(64), past - s.rng.range(1, 8), 2 ** 31 - 1, 2 ** 32 - 1, cur + s.rng.range(1, 8), cur - s.rng.range(1, 8), 2 ** 31]));
  }),
  inPlace('vtable', 2, (s) => {
    if (s.rng.chance(0.5)) {
      const pos = s.rng.pick(s.map.tables);
      const cur = s.view.getInt32(pos, true);
      i32(s, pos, s.rng.pick([2 ** 31 - 1, -(2 ** 31), pos + 1, pos - s.bytes.length - 4, 0, cur + 2, cur - 2, cur + 4, cur - 4, -4]));
    } else {
      const vt = s.rng.pick(s.map.vtables);
      const size = s.view.getUint16(vt, true);
      const entry = vt + 2 * s.rng.int(Math.max(2, size / 2));
      s.view.setUint16(entry, s.rng.pick([0xffff, 1, 3, 0, size + 2, 0x8000, s.rng.int(64)]), true);
    }
  }),
  inPlace('vector-length', 3, (s) => {
    const name = s.rng.pick([...s.map.vectors.keys()]);
    const pos = at(s, name, s.map.vectors)!;
    const cur = s.view.getUint32(pos, true);
    u32(s, pos, s.rng.pick([0, cur + 1, cur * 2 + 1, Math.max(cur - 1, 0), 2 ** 31 - 1, 2 ** 32 - 1, s.bytes.length, 2 ** 28]));
  }),
  inPlace('subgraph-count', 0.5, (s) => {
    const pos = s.map.vectors.get('subgraphs')?.[0];
    if (pos === undefined) return false;
    u32(s, pos, s.rng.pick([0, 2, 3, 1000, 2 ** 32 - 1]));
  }),
  inPlace('huge-dims', 3, (s) => {
    for (let i = s.rng.range(1, 3); i > 0; i--) {
      const pos = at(s, 'shape');
      if (pos === undefined) return false;
      const cur = s.view.getInt32(pos, true);
      i32(s, pos, s.rng.pick([2 ** 31 - 1, -1, -2, -(2 ** 31), 0, 65536, 2 ** 24, 1e9, cur * 2, cur + 1, 46341]));
    }
  }),
  inPlace('opcode-index', 1.5, (s) => {
    const which = s.rng.int(3);
    if (which === 0) {
      const pos = at(s, 'op.opcode');
      if (pos === undefined) return false;
      u32(s, pos, hostileIndex(s, count(s, 'operator_codes')));
    } else if (which === 1) {
      const pos = at(s, 'code.builtin');
      if (pos === undefined) return false;
      i32(s, pos, s.rng.pick([-1, 32, 2 ** 31 - 1, 127, 160, 200, s.rng.int(160)]));
    } else {
      const pos = at(s, 'code.deprecated');
      if (pos === undefined) return false;
      s.view.setInt8(pos, s.rng.pick([-1, 32, 127, s.rng.int(127)]));
    }
  }),
  inPlace('tensor-index', 2, (s) => {
    const pos = at(s, s.rng.pick(['op.inputs', 'op.outputs', 'graph.inputs', 'graph.outputs']));
    if (pos === undefined) return false;
    i32(s, pos, hostileIndex(s, count(s, 'tensors')));
  }),
  inPlace('cycle', 2, (s) => {
    const ops = s.map.operators;
    if (!ops.length) return false;
    const i = s.rng.int(ops.length);
    const j = s.rng.range(i, ops.length - 1);
    const read = (pos: number) => s.view.getInt32(pos, true);
    if (s.rng.chance(0.7) && ops[i]!.inputs.length && ops[j]!.outputs.length) {
      // Op i reads what op j (itself or a later op) writes.
      i32(s, s.rng.pick(ops[i]!.inputs), read(s.rng.pick(ops[j]!.outputs)));
    } else if (ops[i]!.outputs.length && ops[j]!.outputs.length) {
      // Two operators write one tensor, or an operator writes a graph input.
      const target = s.rng.chance(0.5) ? at(s, 'graph.inputs') : s.rng.pick(ops[i]!.outputs);
      if (target === undefined) return false;
      i32(s, s.rng.pick(ops[j]!.outputs), read(target));
    } else return false;
  }),
  inPlace('buffer-index', 2, (s) => {
    const pos = at(s, 'tensor.buffer');
    if (pos === undefined) return false;
    const other = at(s, 'tensor.buffer')!;
    u32(s, pos, s.rng.pick([0, count(s, 'buffers'), count(s, 'buffers') + 1, 2 ** 32 - 1, 2 ** 31, s.view.getUint32(other, true)]));
  }),
  inPlace('buffer-size', 2, (s) => {
    const pos = at(s, 'buffer.data', s.map.vectors);
    if (pos === undefined) return false;
    const cur = s.view.getUint32(pos, true);
    u32(s, pos, s.rng.pick([cur - 1, Math.floor(cur / 2), 0, cur + 1, cur + 16, cur + 4096, 2 ** 31 - 1, 1, 3]));
  }),
  inPlace('quantization', 2, (s) => {
    const which = s.rng.int(4);
    if (which === 0) {
      const pos = at(s, 'quant.scale');
      if (pos === undefined) return false;
      s.view.setFloat32(pos, s.rng.pick([Number.NaN, 0, -1, Infinity, -Infinity, 1e-45, 3e38]), true);
    } else if (which === 1) {
      const pos = at(s, 'quant.zero_point');
      if (pos === undefined) return false;
      s.view.setBigInt64(pos, s.rng.pick([2n ** 40n, -129n, 300n, -(2n ** 63n), 2n ** 53n + 1n]), true);
    } else if (which === 2) {
      const pos = at(s, 'quant.dimension');
      if (pos === undefined) return false;
      i32(s, pos, s.rng.pick([-1, 4, 2 ** 31 - 1, 3, 1]));
    } else {
      const pos = at(s, s.rng.pick(['quant.scale', 'quant.zero_point']), s.map.vectors);
      if (pos === undefined) return false;
      const cur = s.view.getUint32(pos, true);
      u32(s, pos, s.rng.pick([0, cur + 1, Math.max(cur - 1, 0), 2 ** 31 - 1]));
    }
  }),
  inPlace('absurd-options', 2, (s) => {
    const pos = at(s, 'options');
    if (pos === undefined) return false;
    // Options fields are bytes (padding, activation) or int32s (strides, sizes, axes); a 4-aligned field is read as an int32.
    if (pos % 4 === 0 && pos + 4 <= s.bytes.length) i32(s, pos, s.rng.pick([0, -1, 2 ** 31 - 1, -(2 ** 31), 65536, 1e6, 7]));
    else s.view.setInt8(pos, s.rng.pick([-1, 127, 2, 5, 0]));
  }),
];
