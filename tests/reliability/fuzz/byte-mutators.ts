/**
 * Format-independent mutations of raw bytes. A format that can say where its
 * structure lies (protobuf tags and length prefixes, say) passes a landmark
 * finder, so some flips and cuts land on structure instead of on weights.
 */
import type { Random } from '../../helpers/random.js';
import { withFile, type FuzzInput, type Mutator } from './target.js';

export interface Landmarks {
  /** Offsets of field keys. */
  tags: number[];
  /** Length prefixes: the varint occupies [at, end). */
  lengths: Array<{ at: number; end: number }>;
}

export type LandmarkFinder = (file: string, bytes: Uint8Array) => Landmarks | undefined;

export interface ByteMutatorOptions {
  landmarks?: LandmarkFinder;
  /** How often a side file (external data, weights) is mutated instead of the main file (default 0.15 when there is one). */
  sideFileChance?: number;
  /** How the format writes a length (default: a protobuf varint; flatbuffers use a fixed-width uint32, see `uint32le`). */
  encodeLength?: (n: number) => Uint8Array;
}

/** Lengths a hostile file might declare: around the 2 GiB and 4 GiB marks, and far past the end. */
const HUGE_LENGTHS = [2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 35, 2 ** 28, 2 ** 50];

export function byteMutators(opts: ByteMutatorOptions = {}): Mutator[] {
  const cache = new WeakMap<Uint8Array, Landmarks | undefined>();
  const landmarksOf = (file: string, bytes: Uint8Array) => {
    if (!opts.landmarks) return undefined;
    if (!cache.has(bytes)) cache.set(bytes, opts.landmarks(file, bytes));
    return cache.get(bytes);
  };
  /** Applies `edit` to one file of the input, chosen as the options say. */
  const onAFile = (kind: string, weight: number, edit: (bytes: Uint8Array, rng: Random, marks: Landmarks | undefined) => Uint8Array): Mutator => ({
    kind,
    weight,
    mutate(input: FuzzInput, rng: Random) {
      const others = [...input.files.keys()].filter((f) => f !== input.main);
      const file = others.length && rng.chance(opts.sideFileChance ?? 0.15) ? rng.pick(others) : input.main;
      const bytes = input.files.get(file)!;
      return withFile(input, file, edit(bytes, rng, landmarksOf(file, bytes)));
    },
  });

  return [
    onAFile('truncate', 2, (bytes, rng, marks) => {
      const at = marks && rng.chance(0.5) ? nearStructure(marks, rng) : rng.int(bytes.length);
      return bytes.slice(0, Math.min(at, bytes.length));
    }),
    onAFile('bit-flip', 3, (bytes, rng, marks) => {
      const out = bytes.slice();
      const flips = rng.range(1, 8);
      for (let i = 0; i < flips && out.length; i++) {
        const at = marks && rng.chance(0.7) ? nearStructure(marks, rng) : rng.int(out.length);
        if (at < out.length) out[at]! ^= 1 << rng.int(8);
      }
      return out;
    }),
    onAFile('byte-splice', 2, (bytes, rng) => {
      const at = rng.int(bytes.length + 1);
      const n = rng.chance(0.8) ? rng.range(1, 16) : rng.range(17, 4096);
      const action = rng.int(3);
      if (action === 0) return concat(bytes.subarray(0, at), bytes.subarray(at + n)); // delete
      if (action === 1) return concat(bytes.subarray(0, at), bytes.subarray(at, at + n), bytes.subarray(at)); // duplicate
      const noise = Uint8Array.from({ length: n }, () => rng.int(256));
      return concat(bytes.subarray(0, at), noise, bytes.subarray(at)); // insert
    }),
    onAFile('huge-length', 2, (bytes, rng, marks) => {
      const huge = (opts.encodeLength ?? varint)(rng.chance(0.2) ? bytes.length + rng.range(1, 64) : rng.pick(HUGE_LENGTHS));
      if (!marks?.lengths.length) {
        const at = rng.int(bytes.length);
        return concat(bytes.subarray(0, at), huge, bytes.subarray(at + huge.length));
      }
      const { at, end } = rng.pick(marks.lengths);
      return concat(bytes.subarray(0, at), huge, bytes.subarray(end));
    }),
    onAFile('random-bytes', 0.5, (bytes, rng) => {
      const n = rng.chance(0.5) ? rng.int(64) : rng.int(Math.min(bytes.length, 65536));
      return Uint8Array.from({ length: n }, () => rng.int(256));
    }),
  ];
}

function nearStructure(marks: Landmarks, rng: Random): number {
  if (marks.lengths.length && rng.chance(0.5)) {
    const { at, end } = rng.pick(marks.lengths);
    return rng.range(at, end - 1);
  }
  return marks.tags.length ? rng.pick(marks.tags) : 0;
}

/** Protobuf base-128 varint of a non-negative integer up to 2^53. */
export function varint(n: number): Uint8Array {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Uint8Array.from(out);
}

/** A little-endian uint32, saturated: lengths past 2^32 - 1 read as 2^32 - 1. */
export function uint32le(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, Math.min(n, 2 ** 32 - 1), true);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
