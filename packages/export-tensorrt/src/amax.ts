import { CondenseError, constantOf, type Graph, type Runtime, type SampleSource, type Value } from '@condense/core';

/**
 * The tensors TensorRT can run in int8 with implicit quantization: every
 * float32 activation (graph inputs and node outputs that are not constants).
 * TensorRT's own calibrators record a scale for each of them.
 */
export function activationTensors(graph: Graph): Value[] {
  const tensors = graph.inputs.filter((v) => !v.const && v.type?.dtype === 'float32');
  for (const node of graph) {
    for (const v of node.outputs) if (v && v.type?.dtype === 'float32' && !constantOf(v)) tensors.push(v);
  }
  return tensors;
}

/**
 * The largest magnitude each named tensor reaches over the calibration
 * samples (non-finite values skipped): the amax that TensorRT's symmetric int8
 * maps onto ±127. Runs whole batches until `maxSamples` samples were seen.
 */
export async function measureAmax(runtime: Runtime, graph: Graph, tensors: readonly Value[], samples: SampleSource, maxSamples: number): Promise<Map<string, number>> {
  const amax = new Map<string, number>(tensors.map((v) => [v.name, 0]));
  // Graph inputs are read from the feeds; everything else is fetched from the run.
  const computed = tensors.filter((v) => !graph.inputs.includes(v)).map((v) => v.name);
  const session = await runtime.createSession(graph);
  let seen = 0;
  try {
    for await (const feeds of samples) {
      const values = { ...feeds, ...(computed.length ? await session.run(feeds, computed) : {}) };
      for (const [name, max] of amax) {
        const tensor = values[name];
        if (!tensor) throw new CondenseError('E_BAD_OPTION', `The calibration samples do not feed input "${name}".`, { context: { value: name } });
        amax.set(name, Math.max(max, largestMagnitude(tensor.data<'float32'>())));
      }
      seen += Number(Object.values(feeds)[0]?.shape[0] ?? 1);
      if (seen >= maxSamples) break;
    }
  } finally {
    await session.release();
  }
  if (seen === 0) throw new CondenseError('E_BAD_OPTION', 'The calibration data held no samples; give at least one batch.');
  return amax;
}

function largestMagnitude(values: Float32Array): number {
  let max = 0;
  for (const v of values) {
    const a = Math.abs(v);
    // NaN fails the comparison; infinities are skipped explicitly.
    if (a > max && a !== Infinity) max = a;
  }
  return max;
}
