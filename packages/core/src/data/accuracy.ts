import type { Graph } from '../ir/graph.js';
import type { Runtime } from '../runtime.js';
import type { Tensor } from '../tensor/tensor.js';

/** Index of the largest of `n` scores starting at `offset`. */
export function argmax(scores: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  for (let c = 1; c < n; c++) if (scores[offset + c]! > scores[offset + best]!) best = c;
  return best;
}

/**
 * Top-1 accuracy of a classifier: runs `batches` (fed to `input`) through a
 * session of `runtime` and compares the argmax of the first output with `labels`.
 */
export async function top1Accuracy(runtime: Runtime, graph: Graph, input: string, batches: Iterable<Tensor>, labels: ArrayLike<number>): Promise<{ accuracy: number; samples: number; correct: number }> {
  const session = await runtime.createSession(graph);
  let samples = 0;
  let correct = 0;
  try {
    for (const batch of batches) {
      const logits = Object.values(await session.run({ [input]: batch }))[0]!;
      const classes = logits.shape[logits.rank - 1]!;
      const scores = logits.toNumbers();
      const n = batch.shape[0]!;
      for (let i = 0; i < n; i++) if (argmax(scores, i * classes, classes) === labels[samples + i]) correct++;
      samples += n;
    }
  } finally {
    await session.release();
  }
  return { accuracy: samples ? correct / samples : 0, samples, correct };
}
