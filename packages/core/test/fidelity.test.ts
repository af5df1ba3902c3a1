import { describe, expect, it } from 'vitest';
import { FidelityMeter } from '../src/index.js';

describe('FidelityMeter', () => {
  it('measures top-1 agreement, per-sample cosine and SQNR', () => {
    const m = new FidelityMeter();
    // Two samples of 3 classes: the first identical, the second with its top class changed.
    m.add([1, 2, 3, 3, 0, 0], [1, 2, 3, 0, 3, 0], 2, 3);
    const r = m.result();
    expect(r.samples).toBe(2);
    expect(r.top1Agreement).toBe(0.5);
    expect(r.minCosine).toBe(0);
    expect(r.cosine).toBeCloseTo(0.5, 12);
    // signal 1+4+9+9 = 23, noise 9+9 = 18
    expect(r.sqnrDb).toBeCloseTo(10 * Math.log10(23 / 18), 12);
  });

  it('gives Infinity dB for identical outputs and accumulates across batches', () => {
    const m = new FidelityMeter();
    m.add([0.5, -1], [0.5, -1], 1, 2);
    m.add([0, 0], [0, 0], 1, 2);
    expect(m.result()).toEqual({ samples: 2, top1Agreement: 1, cosine: 1, minCosine: 1, sqnrDb: Infinity });
  });
});
