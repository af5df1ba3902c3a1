/**
 * Schema-driven mutation of any protobuf-es message: walk down through
 * sub-messages that are present, then change one field there to a value a
 * hostile file could hold (extremes of its type, hostile strings, emptied or
 * duplicated lists, removed messages). Values always fit the field's wire type,
 * so the result still encodes; making sense of it is the loader's job.
 */
import { ScalarType, create, type DescField, type DescMessage } from '@condense/onnx/proto';
import type { Random } from '../../helpers/random.js';

type Msg = Record<string, unknown>;

const INT32 = [0, 1, -1, 2, 7, 2 ** 31 - 1, -(2 ** 31), 65536];
const UINT32 = [0, 1, 2 ** 32 - 1, 2 ** 31];
const INT64 = [0n, 1n, -1n, 3n, 2n ** 31n, 2n ** 40n, 2n ** 53n + 1n, 2n ** 62n, 2n ** 63n - 1n, -(2n ** 63n)];
const UINT64 = [0n, 1n, 2n ** 40n, 2n ** 63n, 2n ** 64n - 1n];
const FLOATS = [NaN, Infinity, -Infinity, 0, -0, 1e-45, 1e-40, 3.4e38, -1, 1e30];
const HOSTILE_STRINGS = ['', '../../../etc/passwd', '/etc/passwd', 'C:\\Windows\\win.ini', '\u0000', '__proto__', 'constructor', 'toString', '\u{1F600}\u202e', '.', ' '];

/** Mutates one field somewhere in `msg`; `words` are strings from the model itself (names), for collisions. */
export function mutateRandomField(msg: Msg, schema: DescMessage, rng: Random, words: readonly string[]): void {
  let holder = msg;
  let desc = schema;
  for (let depth = 0; depth < 64 && !rng.chance(0.2); depth++) {
    const children = presentChildren(holder, desc);
    if (!children.length) break;
    ({ msg: holder, desc } = rng.pick(children));
  }
  if (desc.fields.length) mutateField(holder, rng.pick(desc.fields), rng, words);
}

function presentChildren(msg: Msg, desc: DescMessage): Array<{ msg: Msg; desc: DescMessage }> {
  const out: Array<{ msg: Msg; desc: DescMessage }> = [];
  for (const f of desc.fields) {
    if (f.fieldKind === 'message') {
      const v = get(msg, f);
      if (v) out.push({ msg: v as Msg, desc: f.message });
    } else if (f.fieldKind === 'list' && f.listKind === 'message') {
      for (const item of msg[f.localName] as Msg[]) out.push({ msg: item, desc: f.message });
    }
  }
  return out;
}

function get(msg: Msg, f: DescField): unknown {
  if (f.oneof) {
    const box = msg[f.oneof.localName] as { case?: string; value?: unknown };
    return box.case === f.localName ? box.value : undefined;
  }
  return msg[f.localName];
}

function set(msg: Msg, f: DescField, value: unknown): void {
  if (f.oneof) msg[f.oneof.localName] = value === undefined ? { case: undefined } : { case: f.localName, value };
  else msg[f.localName] = value;
}

function mutateField(msg: Msg, f: DescField, rng: Random, words: readonly string[]): void {
  switch (f.fieldKind) {
    case 'scalar':
      return set(msg, f, scalarValue(f.scalar, rng, words));
    case 'enum':
      return set(msg, f, rng.chance(0.7) ? rng.pick(f.enum.values).number : rng.pick([-1, 99, 2 ** 31 - 1]));
    case 'message':
      return set(msg, f, rng.chance(0.5) ? undefined : create(f.message));
    case 'list': {
      const list = msg[f.localName] as unknown[];
      const fresh = () => (f.listKind === 'message' ? create(f.message) : f.listKind === 'enum' ? rng.pick(f.enum.values).number : scalarValue(f.scalar, rng, words));
      const action = list.length ? rng.int(5) : 4;
      if (action === 0) list.length = 0;
      else if (action === 1) list.splice(rng.int(list.length), 1);
      else if (action === 2) list.push(list[rng.int(list.length)]);
      else if (action === 3 && f.listKind !== 'message') list[rng.int(list.length)] = fresh();
      else for (let n = rng.chance(0.1) ? rng.range(100, 5000) : rng.range(1, 3); n > 0; n--) list.push(fresh());
      return;
    }
    case 'map':
      return; // ONNX has no map fields.
  }
}

function scalarValue(type: ScalarType, rng: Random, words: readonly string[]): unknown {
  switch (type) {
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return rng.chance(0.8) ? rng.pick(INT32) : (rng.next() | 0);
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return rng.chance(0.8) ? rng.pick(UINT32) : rng.next();
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return rng.chance(0.8) ? rng.pick(INT64) : BigInt(rng.next() | 0);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return rng.pick(UINT64);
    case ScalarType.FLOAT:
    case ScalarType.DOUBLE:
      return rng.chance(0.8) ? rng.pick(FLOATS) : (rng.float() - 0.5) * 2 ** rng.range(-30, 30);
    case ScalarType.BOOL:
      return rng.chance(0.5);
    case ScalarType.STRING:
      return hostileString(rng, words);
    case ScalarType.BYTES:
      return rng.chance(0.3) ? new TextEncoder().encode(hostileString(rng, words)) : Uint8Array.from({ length: rng.int(64) }, () => rng.int(256));
  }
}

/** A name from the model (collisions), a hostile path or character, or a very long name. */
export function hostileString(rng: Random, words: readonly string[]): string {
  const r = rng.float();
  if (r < 0.5 && words.length) return rng.pick(words);
  if (r < 0.9) return rng.pick(HOSTILE_STRINGS);
  return 'n'.repeat(rng.range(1000, 100_000));
}
