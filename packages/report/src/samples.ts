import { Tensor, constantOf, seededRandom, type Graph } from '@condense/core';
import type { Samples } from './types.js';

const RANDOM_BATCHES = 4;
const RANDOM_BATCH_SIZE = 8;

/**
 * Deterministic uniform [0, 1) batches for the model's float32 inputs, when
 * their shapes are static but for a symbolic batch dimension; otherwise the
 * reason there are none.
 */
export function randomSamples(graph: Graph): { samples: Samples; count: number } | { reason: string } {
  const inputs = graph.inputs.filter((v) => !constantOf(v) && !v.const);
  const shapes: Array<[string, number[]]> = [];
  for (const v of inputs) {
    const shape = v.type?.shape;
    if (v.type?.dtype !== 'float32') return { reason: `input "${v.name}" is ${v.type?.dtype ?? 'of unknown type'}, not float32` };
    if (!shape || shape.slice(1).some((d) => typeof d !== 'number')) return { reason: `input "${v.name}" has no static shape ([${shape?.join(', ') ?? '?'}])` };
    shapes.push([v.name, shape.map((d, i) => (i === 0 && typeof d !== 'number' ? RANDOM_BATCH_SIZE : (d as number)))]);
  }
  const batches = Array.from({ length: RANDOM_BATCHES }, (_, b) => {
    const random = seededRandom(0x5eed + b);
    return Object.fromEntries(shapes.map(([name, shape]) => [name, Tensor.from('float32', shape, Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, random))]));
  });
  return { samples: batches, count: batches.reduce((n, feeds) => n + (Object.values(feeds)[0]?.shape[0] ?? 1), 0) };
}
