import { compress, createModel, getDefaultRegistry, inferShapes, type Dim, type Graph, type Model, type RecipeStep } from '@condense/core';
import { decodeModel, encodeModelBytes } from '@condense/onnx';

/**
 * A copy to edit, since export never changes the caller's graph. An ONNX
 * round trip copies the structure; the weights' bytes are shared (decoding
 * is zero-copy).
 */
export function copyModel(model: Model): Model {
  return decodeModel(encodeModelBytes(model));
}

/** A working copy of `graph` with the pinned input shapes and every type inferred. */
export function prepareModel(graph: Graph, inputShapes: Record<string, Dim[]>): Model {
  const model = copyModel(createModel(graph));
  inferShapes(model.graph, { inputShapes });
  return model;
}

/** Runs core passes on `model` in place, as a pipeline does (the graph is validated after each). */
export async function runPasses(model: Model, steps: RecipeStep[]): Promise<void> {
  await compress(model, steps, { registry: getDefaultRegistry() });
}
