import type { SampleSource } from '../runtime.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * Keeps the batches of a sample source after its first pass, up to
 * `budgetBytes`, so passes that read the samples many times (bias correction
 * runs them once per layer) do not decode images or read files again. A source
 * larger than the budget is not kept at all, and every pass reads it afresh:
 * memory stays bounded by the budget whatever the number of samples.
 */
export function cachedSamples(source: SampleSource, budgetBytes: number): SampleSource {
  let kept: Array<Record<string, Tensor>> | undefined;
  let tooLarge = false;
  return {
    async *[Symbol.asyncIterator]() {
      if (kept) {
        yield* kept;
        return;
      }
      const filling: Array<Record<string, Tensor>> = [];
      let bytes = 0;
      let finished = false;
      try {
        for await (const feeds of source) {
          if (!tooLarge) {
            bytes += Object.values(feeds).reduce((n, t) => n + t.byteLength, 0);
            if (bytes > budgetBytes) {
              tooLarge = true;
              filling.length = 0;
            } else filling.push(feeds);
          }
          yield feeds;
        }
        finished = true;
      } finally {
        // Only a complete first pass is kept; a reader that stopped early leaves nothing half-filled.
        if (finished && !tooLarge) kept = filling;
      }
    },
  };
}
