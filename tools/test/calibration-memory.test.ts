/**
 * Calibration streams: what stays allocated after calibrating on 1,000 samples
 * is what stays after 100, and the peak stops growing once the runtime and the
 * heap reach their working size. Keeping activations would add about 450 MB
 * between 100 and 1,000 samples on this model.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bench-calibration-memory.mjs');
const data = '/usr/share/datasets/fashion-mnist';
if (!existsSync(data)) console.log(`SKIP calibration memory: ${data} is missing (apt-get install dataset-fashion-mnist).`);

describe.skipIf(!existsSync(data))('calibration memory', () => {
  it('stays flat from 100 to 1,000 samples (and 3,000)', () => {
    const { rows, growth } = JSON.parse(execFileSync(process.execPath, [script, '--json'], { encoding: 'utf8' })) as {
      rows: Array<{ samples: number; peakRssMb: number; retainedMb: number }>;
      growth: { peakRss: number; retained: number };
    };
    console.log(rows.map((r) => `${r.samples} samples: peak RSS ${r.peakRssMb.toFixed(0)} MB, retained ${r.retainedMb.toFixed(1)} MB`).join('\n'));
    expect(rows.map((r) => r.samples)).toEqual([100, 1000, 3000]);
    expect(growth.retained).toBeLessThan(1.1);
    // Warm-up moves the peak by tens of MB; retention would move it by hundreds.
    expect(rows[1]!.peakRssMb - rows[0]!.peakRssMb).toBeLessThan(150);
    expect(rows[2]!.peakRssMb / rows[1]!.peakRssMb).toBeLessThan(1.15);
  }, 120_000);
});
