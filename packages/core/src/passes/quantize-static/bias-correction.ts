import { constantOf } from '../../ir/constant.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Runtime, SampleSource, Session } from '../../runtime.js';
import { Tensor } from '../../tensor/tensor.js';
import { roundHalfEven } from '../quantize-weights/math.js';

/** Per-channel means (axis 1, or the last axis of a 2-D output) of a layer's output, accumulated over batches. */
class ChannelMeans {
  sums: Float64Array | undefined;
  count = 0;
  add(t: Tensor): void {
    const channels = t.shape[1]!;
    const inner = t.size / (t.shape[0]! * channels);
    const data = t.data<'float32'>();
    this.sums ??= new Float64Array(channels);
    for (let i = 0; i < data.length; i++) this.sums[Math.floor(i / inner) % channels]! += data[i]!;
    this.count += t.size / channels;
  }
  means(): Float64Array {
    return this.sums!.map((s) => s / this.count);
  }
}

async function layerMeans(session: Session, names: string[], samples: SampleSource, maxSamples: number): Promise<Map<string, Float64Array>> {
  const acc = new Map(names.map((n) => [n, new ChannelMeans()]));
  let seen = 0;
  for await (const feeds of samples) {
    const out = await session.run(feeds, names);
    for (const n of names) acc.get(n)!.add(out[n]!);
    seen += Number(Object.values(feeds)[0]?.shape[0] ?? 1);
    if (seen >= maxSamples) break;
  }
  return new Map([...acc].map(([n, m]) => [n, m.means()]));
}

/** The int32 bias of a quantized layer: DequantizeLinear(q, scale, 0) on its third input. */
function int32Bias(node: Node): { dq: Node; q: Tensor; scale: Float32Array } | undefined {
  const dq = node.inputs[2]?.producer();
  const q = constantOf(dq?.inputs[0]);
  const scale = constantOf(dq?.inputs[1]);
  if (dq?.op !== 'DequantizeLinear' || q?.dtype !== 'int32' || scale?.dtype !== 'float32' || scale.size !== q.size) return undefined;
  return { dq, q, scale: scale.data<'float32'>() };
}

/**
 * Empirical bias correction: quantization shifts the mean of each output
 * channel (rounding weights and clipping activations are not zero-mean), and the
 * shifts add up through the network. Layer by layer, in graph order, the
 * quantized model (with the layers before already corrected) is run on the
 * samples, each output channel's mean is compared with the float model's, and
 * the difference comes off the int32 bias. Returns the layers corrected.
 */
export async function correctBiases(
  runtime: Runtime,
  floatSession: Session,
  graph: Graph,
  layers: Node[],
  samples: SampleSource,
  maxSamples: number,
  progress: (done: number, total: number) => void,
): Promise<number> {
  const targets = layers.filter((n) => int32Bias(n) && n.outputs[0]);
  if (targets.length === 0) return 0;
  const reference = await layerMeans(floatSession, targets.map((n) => n.outputs[0]!.name), samples, maxSamples);
  for (const [i, node] of targets.entries()) {
    progress(i, targets.length);
    const output = node.outputs[0]!;
    const name = output.name;
    // Listed as a graph output while the session opens, the layer's output is fetched without a second session.
    const outputs = graph.outputs;
    graph.outputs = outputs.includes(output) ? outputs : [...outputs, output];
    const session = await runtime.createSession(graph).finally(() => {
      graph.outputs = outputs;
    });
    let measured: Float64Array;
    try {
      measured = (await layerMeans(session, [name], samples, maxSamples)).get(name)!;
    } finally {
      await session.release();
    }
    const expected = reference.get(name)!;
    const { dq, q, scale } = int32Bias(node)!;
    const corrected = Array.from(q.toNumbers(), (v, c) => {
      const shifted = roundHalfEven(v - (measured[c]! - expected[c]!) / scale[c]!);
      return Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, shifted));
    });
    dq.replaceInput(0, graph.constant(graph.uniqueName(`${dq.inputs[0]!.name}_corrected`), Tensor.from('int32', q.shape, corrected)));
  }
  return targets.length;
}
