import { CondenseError, Tensor, attr, constantOf, type Attr, type Graph, type Use, type Value } from '@condense/core';
import { activationScale, weightScales } from '../scales.js';
import type { QdqPlan } from './placement.js';

/**
 * `v -> QuantizeLinear -> DequantizeLinear -> uses`: one pair per value, shared
 * by every listed reader (TensorRT fuses a pair that several layers read);
 * readers not listed keep the float value. Zero points are explicit int8
 * zeros, which makes the quantized type int8 as TensorRT requires.
 */
function insertPair(graph: Graph, v: Value, uses: readonly Use[], scales: Float32Array, axis: number | undefined): void {
  const shape = axis === undefined ? [] : [scales.length];
  const scale = graph.constant(`${v.name}_scale`, Tensor.from('float32', shape, scales));
  const zeroPoint = graph.constant(`${v.name}_zero_point`, Tensor.from('int8', shape, new Int8Array(scales.length)));
  const attrs: Record<string, Attr> = axis === undefined ? {} : { axis: attr.int(axis) };
  // Right after the value is made; a graph input or initializer is quantized before the first node.
  const producer = v.producer();
  const at = producer ? { after: producer } : { before: graph.firstNode };
  const q = graph.add('QuantizeLinear', [v, scale, zeroPoint], attrs, { name: `${v.name}_QuantizeLinear`, ...at });
  const dq = graph.add('DequantizeLinear', [q.output, scale, zeroPoint], attrs, { name: `${v.name}_DequantizeLinear`, after: q });
  q.output.type = v.type && { dtype: 'int8', shape: v.type.shape && [...v.type.shape] };
  dq.output.type = v.type && { dtype: 'float32', shape: v.type.shape && [...v.type.shape] };
  for (const { node, index } of uses) node.replaceInput(index, dq.output);
}

/** Adds the planned Q/DQ pairs, activation scales from `amax` (tensor name -> largest magnitude seen in calibration). */
export function insertQdq(graph: Graph, plan: QdqPlan, amax: ReadonlyMap<string, number>): void {
  for (const [v, uses] of plan.activations) {
    const range = amax.get(v.name);
    if (range === undefined) throw new CondenseError('E_BAD_OPTION', `No calibrated range (amax) for "${v.name}"; measureAmax over activationTensors(graph) gives one for every activation.`, { context: { value: v.name } });
    insertPair(graph, v, uses, Float32Array.of(activationScale(range)), undefined);
  }
  for (const [w, { uses, axis }] of plan.weights) {
    insertPair(graph, w, uses, weightScales(constantOf(w)!, axis), axis);
  }
}
