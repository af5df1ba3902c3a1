import { Graph, createModel, inferShapes, type Model } from '@condense/core';
import { dtypeOf } from '../ir/element-type.js';
import type { OvLayer } from '../ir/model.js';
import { loadValidated } from '../validate/validate.js';
import { RaiseContext, outputName } from './context.js';
import { RAISE_RULES } from './rules/index.js';

/** The ONNX opset read models use: int4 DequantizeLinear, blocked scales and Resize axes need 21. */
export const READ_OPSET = 21;

/**
 * An OpenVINO IR (model.xml text and model.bin bytes) as a condense model:
 * validated first (validateOpenvino; every problem is reported at once),
 * then each layer mapped to ONNX ops, with compressed weights back in
 * condense's forms (f16 through Cast, DequantizeLinear, Gather over a
 * codebook) and FakeQuantize as QuantizeLinear/DequantizeLinear. Weights are
 * views into `bin`, not copies. Write it as ONNX with @condense/onnx.
 */
export function readOpenvino(xml: string, bin: Uint8Array): Model {
  const indexed = loadValidated(xml, bin);
  const graph = new Graph({ name: indexed.model.name || 'main', opset: { '': READ_OPSET } });
  const ctx = new RaiseContext(indexed, graph);
  const layers = indexed.topologicalOrder()!;
  for (const layer of indexed.model.layers.filter((l) => l.type === 'Parameter')) readParameter(layer, ctx);
  for (const layer of layers) {
    if (layer.type === 'Parameter' || layer.type === 'Result' || layer.type === 'Const' || ctx.isAbsorbed(layer)) continue;
    if (isStatic(layer, ctx)) continue;
    const rule = RAISE_RULES[layer.type];
    if (!rule) throw ctx.fail(layer, 'no ONNX mapping for this layer type');
    rule(layer, ctx);
  }
  graph.outputs = indexed.model.layers.filter((l) => l.type === 'Result').map((l) => ctx.input(l, 0));
  inferShapes(graph);
  return createModel(graph, { irVersion: 10, producerName: 'condense (from OpenVINO IR)' });
}

/** Layers that only decode constants are read where they are used, in condense's forms. */
function isStatic(layer: OvLayer, ctx: RaiseContext): boolean {
  return layer.outputs.every((port, index) => ctx.statics.resolve({ layer, port, index }) !== undefined);
}

function readParameter(layer: OvLayer, ctx: RaiseContext): void {
  const port = layer.outputs[0]!;
  const name = ctx.graph.uniqueName(outputName(layer));
  const shape = port.dims.map((d, i) => (d < 0 ? `${name}_${i}` : d));
  ctx.define(layer, 0, ctx.graph.input(name, { dtype: dtypeOf(port.precision!), shape }));
}
