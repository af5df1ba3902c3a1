/**
 * Fuzzes the ONNX loaders with mutants of real models (byte-level and
 * protobuf-level): every case must load as a valid model or fail with a
 * CondenseError that has a loader's code and a clear message; never another
 * exception, a hang or an allocation sized from a declared length.
 *
 * CI runs a fixed 20,000 cases. Long runs: node tools/fuzz.mjs --cases N --seed S
 * (it sets FUZZ_CASES, FUZZ_SEED, FUZZ_TARGET, FUZZ_ONLY, FUZZ_SAVE_DIR, FUZZ_HEARTBEAT
 * and FUZZ_SCRATCH_DIR).
 */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runFuzz, type FuzzReport } from './fuzz/harness.js';
import { formatReport } from './fuzz/report.js';
import { saveFailure } from './fuzz/save.js';
import type { FuzzTarget } from './fuzz/target.js';
import { onnxExternalDataSeeds, onnxSeeds } from './fuzz/onnx/seeds.js';
import { onnxBytesTarget, onnxFileTarget } from './fuzz/onnx/targets.js';

const env = process.env;
const CASES = Number(env.FUZZ_CASES ?? 20_000);
const SEED = Number(env.FUZZ_SEED ?? 1);
const ONLY = env.FUZZ_ONLY ? env.FUZZ_ONLY.split(',').map(Number) : undefined;
/** Writing files costs more per case, so the file loader gets a smaller share. */
const FILE_SHARE = 0.15;

const targets: Array<{ id: string; cases: number; make: () => Promise<FuzzTarget> }> = [
  { id: 'bytes', cases: Math.round(CASES * (1 - FILE_SHARE)), make: async () => onnxBytesTarget(onnxSeeds()) },
  { id: 'files', cases: Math.round(CASES * FILE_SHARE), make: async () => onnxFileTarget(await onnxExternalDataSeeds(), env.FUZZ_SCRATCH_DIR) },
].filter((t) => !env.FUZZ_TARGET || env.FUZZ_TARGET === t.id);

const reports: FuzzReport[] = [];
afterAll(() => {
  if (reports.length > 1) console.log(`ONNX fuzz total: ${reports.reduce((n, r) => n + r.cases, 0)} cases, ${reports.reduce((n, r) => n + r.failureCount, 0)} failures`);
});

describe('ONNX loader fuzz', () => {
  for (const t of targets) {
    it(`${t.id}: ${ONLY ? `cases ${ONLY.join(', ')}` : `${t.cases} cases`}, seed ${SEED}`, async () => {
      const target = await t.make();
      let report: FuzzReport;
      try {
        report = await runFuzz(target, {
          cases: t.cases,
          seed: SEED,
          only: ONLY,
          onFailure: (f) => {
            const saved = env.FUZZ_SAVE_DIR ? ` (saved in ${saveFailure(env.FUZZ_SAVE_DIR, t.id, f)})` : '';
            console.log(`FAIL case #${f.index} [FUZZ_TARGET=${t.id} FUZZ_SEED=${SEED} FUZZ_ONLY=${f.index}] ${f.kind} on ${f.seed}: ${f.outcome}${saved}\n  ${f.detail.split('\n').slice(0, 4).join('\n  ')}`);
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
      if (!ONLY && t.cases >= 1000) {
        // Each kind was tried, and the mutants are not all rejected at the first byte.
        for (const m of target.mutators) expect(report.byKind.get(m.kind), `no case of ${m.kind}`).toBeDefined();
        expect(report.outcomes.get('valid') ?? 0).toBeGreaterThan(report.cases * 0.05);
        expect(report.peakRssGrowthMb).toBeLessThan(1536);
      }
    }, Math.max(300_000, CASES * 30));
  }
});
