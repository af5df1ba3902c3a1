/**
 * What a caller does with a model it just loaded: the fuzz checks that an
 * accepted file is a valid graph and survives these uses with, at worst, a
 * CondenseError (lazy external data is read here, so its errors count too).
 */
import { inferShapes, summarizeModel, type Graph, type Model, type Tensor } from '@condense/core';
import { encodeModel } from '@condense/onnx';
import { AcceptedInvalid } from '../target.js';

export function exercise(model: Model): void {
  const errors = model.graph.validate().filter((d) => d.severity === 'error');
  if (errors.length) throw new AcceptedInvalid(`the loader accepted a graph that fails validation: ${errors[0]!.message} (${errors.length} problems)`);
  for (const t of tensorsIn(model.graph)) {
    if (t.dtype === 'string') t.strings();
    else t.bytes();
  }
  inferShapes(model.graph);
  summarizeModel(model);
  encodeModel(model);
}

/** Initializers and tensor attributes, subgraphs included. */
function* tensorsIn(graph: Graph): Generator<Tensor> {
  for (const v of graph.constants()) yield v.const!;
  for (const node of graph) {
    for (const a of Object.values(node.attrs)) {
      if (a.type === 'tensor') yield a.value;
      else if (a.type === 'tensors') yield* a.value;
    }
    for (const sub of node.subgraphs()) yield* tensorsIn(sub);
  }
}
