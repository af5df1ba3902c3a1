import { describe, expect, it } from 'vitest';
import { Tensor, cachedSamples, type SampleSource } from '../src/index.js';

/** A source of `batches` batches of 10 float32 values (40 bytes) that counts how often it is read. */
function counted(batches: number) {
  const reads = { passes: 0, batches: 0 };
  const source: SampleSource = {
    async *[Symbol.asyncIterator]() {
      reads.passes++;
      for (let i = 0; i < batches; i++) {
        reads.batches++;
        yield { x: Tensor.from('float32', [10], new Float32Array(10).fill(i)) };
      }
    },
  };
  return { source, reads };
}

async function drain(source: SampleSource, stopAfter = Infinity): Promise<number[]> {
  const firsts: number[] = [];
  for await (const feeds of source) {
    firsts.push(feeds['x']!.toNumbers()[0]!);
    if (firsts.length >= stopAfter) break;
  }
  return firsts;
}

describe('cachedSamples', () => {
  it('reads a source within budget once, then replays the same batches', async () => {
    const { source, reads } = counted(5);
    const cached = cachedSamples(source, 1000);
    expect(await drain(cached)).toEqual([0, 1, 2, 3, 4]);
    expect(await drain(cached)).toEqual([0, 1, 2, 3, 4]);
    expect(reads).toEqual({ passes: 1, batches: 5 });
  });

  it('keeps nothing from a source over budget, reading it afresh each pass', async () => {
    const { source, reads } = counted(5);
    const cached = cachedSamples(source, 100);
    expect(await drain(cached)).toEqual([0, 1, 2, 3, 4]);
    expect(await drain(cached)).toEqual([0, 1, 2, 3, 4]);
    expect(reads.passes).toBe(2);
  });

  it('keeps nothing from a first pass that stopped early', async () => {
    const { source, reads } = counted(5);
    const cached = cachedSamples(source, 1000);
    expect(await drain(cached, 2)).toEqual([0, 1]);
    expect(await drain(cached)).toEqual([0, 1, 2, 3, 4]);
    expect(await drain(cached)).toEqual([0, 1, 2, 3, 4]);
    expect(reads.passes).toBe(2);
  });
});
