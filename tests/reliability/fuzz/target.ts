/**
 * What the fuzz harness knows about a loader. A format plugs in with its seed
 * files, its mutators and a load function; byte-level mutators are shared.
 */
import type { Random } from '../../helpers/random.js';

/** What a loader reads: named files (a model and its side files); `main` is the one it opens. */
export interface FuzzInput {
  main: string;
  files: ReadonlyMap<string, Uint8Array>;
}

export interface Mutator {
  /** The mutation kind, as counted in the report. */
  kind: string;
  weight?: number;
  /** A new input; the seed's bytes are never edited. */
  mutate(input: FuzzInput, rng: Random): FuzzInput;
}

export interface FuzzSeed {
  name: string;
  input: FuzzInput;
  weight?: number;
}

/**
 * A loader under test. load() either accepts the input, exercising what it
 * loaded (and throwing AcceptedInvalid if that breaks an invariant), or throws
 * a CondenseError with one of rejectCodes. Anything else is a failure.
 */
export interface FuzzTarget {
  name: string;
  seeds: FuzzSeed[];
  mutators: Mutator[];
  rejectCodes: readonly string[];
  load(input: FuzzInput): Promise<void> | void;
  /** Frees what the target set up (temporary folders). */
  close?(): Promise<void> | void;
}

/** Thrown by a target's load() when it accepted an input but the result is not a valid model. */
export class AcceptedInvalid extends Error {
  override readonly name = 'AcceptedInvalid';
}

/** The input with one file replaced. */
export function withFile(input: FuzzInput, name: string, bytes: Uint8Array | undefined): FuzzInput {
  const files = new Map(input.files);
  if (bytes) files.set(name, bytes);
  else files.delete(name);
  return { main: input.main, files };
}

export function mainBytes(input: FuzzInput): Uint8Array {
  const bytes = input.files.get(input.main);
  if (!bytes) throw new Error(`fuzz input has no main file ${input.main}`);
  return bytes;
}
