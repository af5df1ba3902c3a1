/**
 * Runs a fuzz target: case i draws a seed file and a mutator from its own
 * random stream, loads the mutant, and sorts the result into an outcome.
 * Outcomes: "valid", "rejected <code>", or a failure ("FAIL ...") that names
 * what went wrong: another exception type, a code the loader must not raise, an
 * unclear message, an accepted but invalid model, or a case slow enough to
 * stand for a hang or an allocation sized from a declared length.
 */
import { CondenseError } from '@condense/core';
import { Random } from '../../helpers/random.js';
import { AcceptedInvalid, type FuzzInput, type FuzzTarget } from './target.js';

export interface FuzzCase {
  index: number;
  seed: string;
  kind: string;
  input: FuzzInput;
}

export interface FuzzFailure {
  index: number;
  seed: string;
  kind: string;
  outcome: string;
  detail: string;
  input: FuzzInput;
}

export interface FuzzOptions {
  cases: number;
  seed: number;
  /** Run only these case indices (replaying a failure). */
  only?: number[];
  /** A case slower than this counts as a hang (default 5 s). */
  slowMs?: number;
  /** Failures kept with their inputs (default 20); all are counted. */
  keepFailures?: number;
  onFailure?: (f: FuzzFailure) => void;
  /** Called before each case: a watchdog outside the process can name a case that blocks the thread. */
  onCase?: (index: number) => void;
  onProgress?: (done: number, total: number) => void;
}

export interface FuzzReport {
  target: string;
  seed: number;
  cases: number;
  /** kind -> outcome -> count */
  byKind: Map<string, Map<string, number>>;
  outcomes: Map<string, number>;
  failures: FuzzFailure[];
  failureCount: number;
  slowest: { ms: number; index: number; kind: string; seed: string };
  ms: number;
  /** Largest growth of the resident set over the run, in MiB. */
  peakRssGrowthMb: number;
}

/** Messages must be short enough to read, and must not leak placeholders or a JavaScript error wrapped as if it were an explanation. */
const MAX_MESSAGE = 600;
const UNCLEAR = /undefined|\[object |NaN|^\s*$|Cannot read properties|is not a function|is not iterable|Invalid array length|Invalid typed array length|Maximum call stack|cannot be converted to a BigInt|out of memory/;

/** Case `index` of a run: the same (target, seed, index) always gives the same input. */
export function makeCase(target: FuzzTarget, seed: number, index: number): FuzzCase {
  // Each target draws its own cases: the same index means a different mutant for another loader.
  const rng = new Random(seed ^ nameHash(target.name), index);
  const source = rng.weighted(target.seeds);
  const mutator = rng.weighted(target.mutators);
  return { index, seed: source.name, kind: mutator.kind, input: mutator.mutate(source.input, rng) };
}

/** Loads one input and names the outcome. */
export async function classify(target: FuzzTarget, input: FuzzInput): Promise<{ outcome: string; detail: string }> {
  try {
    await target.load(input);
    return { outcome: 'valid', detail: '' };
  } catch (e) {
    if (e instanceof AcceptedInvalid) return { outcome: 'FAIL accepted invalid', detail: e.message };
    if (!(e instanceof CondenseError)) {
      const err = e as Error;
      return { outcome: `FAIL ${err?.name ?? typeof e}`, detail: `${err?.message}\n${err?.stack ?? ''}` };
    }
    if (!target.rejectCodes.includes(e.code)) return { outcome: `FAIL code ${e.code}`, detail: `${e.message}\n${e.stack ?? ''}` };
    // Quoted text is the file's own (a hostile name may well read "NaN"); judge the words around it.
    const words = e.message.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    if (e.message.length > MAX_MESSAGE || UNCLEAR.test(words)) return { outcome: 'FAIL unclear message', detail: e.message.slice(0, 2 * MAX_MESSAGE) };
    return { outcome: `rejected ${e.code}`, detail: e.message };
  }
}

export async function runFuzz(target: FuzzTarget, opts: FuzzOptions): Promise<FuzzReport> {
  const slowMs = opts.slowMs ?? 5000;
  const keep = opts.keepFailures ?? 20;
  const report: FuzzReport = {
    target: target.name,
    seed: opts.seed,
    cases: 0,
    byKind: new Map(),
    outcomes: new Map(),
    failures: [],
    failureCount: 0,
    slowest: { ms: 0, index: -1, kind: '', seed: '' },
    ms: 0,
    peakRssGrowthMb: 0,
  };
  const rssStart = process.memoryUsage.rss();
  const t0 = performance.now();
  const indices = opts.only ?? Array.from({ length: opts.cases }, (_, i) => i);
  for (const index of indices) {
    opts.onCase?.(index);
    const c = makeCase(target, opts.seed, index);
    const started = performance.now();
    let { outcome, detail } = await classify(target, c.input);
    const ms = performance.now() - started;
    if (ms > slowMs && !outcome.startsWith('FAIL')) {
      outcome = 'FAIL slow';
      detail = `took ${ms.toFixed(0)} ms`;
    }
    if (ms > report.slowest.ms) report.slowest = { ms, index, kind: c.kind, seed: c.seed };
    count(report, c.kind, outcome);
    if (outcome.startsWith('FAIL')) {
      report.failureCount++;
      const failure = { index, seed: c.seed, kind: c.kind, outcome, detail, input: c.input };
      if (report.failures.length < keep) report.failures.push(failure);
      opts.onFailure?.(failure);
    }
    if (++report.cases % 256 === 0) {
      report.peakRssGrowthMb = Math.max(report.peakRssGrowthMb, (process.memoryUsage.rss() - rssStart) / 2 ** 20);
      opts.onProgress?.(report.cases, indices.length);
    }
  }
  report.ms = performance.now() - t0;
  return report;
}

function count(report: FuzzReport, kind: string, outcome: string): void {
  const perKind = report.byKind.get(kind) ?? new Map<string, number>();
  report.byKind.set(kind, perKind);
  perKind.set(outcome, (perKind.get(outcome) ?? 0) + 1);
  report.outcomes.set(outcome, (report.outcomes.get(outcome) ?? 0) + 1);
}

function nameHash(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 31) + name.charCodeAt(i)) | 0;
  return h >>> 0;
}
