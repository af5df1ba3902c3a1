/**
 * One vitest suite per loader: each target runs its share of the cases and
 * must end with zero failures. The environment steers long runs
 * (tools/fuzz.mjs sets these): FUZZ_CASES, FUZZ_SEED, FUZZ_TARGET (one
 * target id), FUZZ_ONLY (case indices to replay), FUZZ_SAVE_DIR (where
 * failing inputs are written) and FUZZ_HEARTBEAT (a file naming the case
 * running, for the watchdog).
 */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runFuzz, type FuzzReport } from './harness.js';
import { formatReport } from './report.js';
import { saveFailure } from './save.js';
import type { FuzzTarget } from './target.js';

export interface SuiteTarget {
  /** What FUZZ_TARGET names it by. */
  id: string;
  /** Its share of the suite's cases (the shares add up to 1). */
  share: number;
  make: () => Promise<FuzzTarget>;
}

export interface SuiteOptions {
  /** The CI-sized case count, when FUZZ_CASES is not set. */
  cases: number;
  /** Share of cases that must load as valid models: the mutants are not all rejected at the first byte. */
  minValidShare?: number;
}

const env = process.env;

export function fuzzSuite(title: string, targets: SuiteTarget[], opts: SuiteOptions): void {
  const cases = Number(env.FUZZ_CASES ?? opts.cases);
  const seed = Number(env.FUZZ_SEED ?? 1);
  const only = env.FUZZ_ONLY ? env.FUZZ_ONLY.split(',').map(Number) : undefined;
  const chosen = targets.filter((t) => !env.FUZZ_TARGET || env.FUZZ_TARGET === t.id);
  const reports: FuzzReport[] = [];
  afterAll(() => {
    if (reports.length > 1) console.log(`${title} total: ${reports.reduce((n, r) => n + r.cases, 0)} cases, ${reports.reduce((n, r) => n + r.failureCount, 0)} failures`);
  });

  describe(title, () => {
    for (const t of chosen) {
      const share = Math.round(cases * t.share);
      it(`${t.id}: ${only ? `cases ${only.join(', ')}` : `${share} cases`}, seed ${seed}`, async () => {
        const target = await t.make();
        let report: FuzzReport;
        try {
          report = await runFuzz(target, {
            cases: share,
            seed,
            only,
            onFailure: (f) => {
              const saved = env.FUZZ_SAVE_DIR ? ` (saved in ${saveFailure(env.FUZZ_SAVE_DIR, t.id, f)})` : '';
              console.log(`FAIL case #${f.index} [FUZZ_TARGET=${t.id} FUZZ_SEED=${seed} FUZZ_ONLY=${f.index}] ${f.kind} on ${f.seed}: ${f.outcome}${saved}\n  ${f.detail.split('\n').slice(0, 4).join('\n  ')}`);
            },
            onCase: env.FUZZ_HEARTBEAT ? (index) => writeFileSync(env.FUZZ_HEARTBEAT!, `${t.id} ${index}\n`) : undefined,
            onProgress: (done, total) => {
              if (total >= 100_000 && done % 10_000 < 256) console.log(`${t.id}: ${done}/${total}`);
            },
          });
        } finally {
          await target.close?.();
        }
        reports.push(report);
        console.log(formatReport(report));
        expect(report.failureCount, 'failing cases (see FAIL lines above)').toBe(0);
        if (!only && share >= 1000) {
          // Each kind was tried, and the mutants are not all rejected at the first byte.
          for (const m of target.mutators) expect(report.byKind.get(m.kind), `no case of ${m.kind}`).toBeDefined();
          expect(report.outcomes.get('valid') ?? 0).toBeGreaterThan(report.cases * (opts.minValidShare ?? 0.05));
          expect(report.peakRssGrowthMb).toBeLessThan(1536);
        }
      }, Math.max(300_000, cases * 30));
    }
  });
}
