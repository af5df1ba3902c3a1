import type { Graph, Model } from '@condense/core';
import { analyze } from './check.js';
import { writeModel } from './flatbuffer/write-model.js';
import { lowerPlan } from './lower/index.js';
import { resolveOptions, type ExportTfliteOptions } from './options.js';
import { unsupportedError } from './problems.js';

/**
 * The model as .tflite bytes (schema version 3, one subgraph, signature
 * "serving_default"). Refuses with a CondenseError (E_UNSUPPORTED_OP) listing
 * every problem checkTflite finds, before building anything. The model is not
 * modified.
 */
export function exportTflite(model: Model | Graph, options: ExportTfliteOptions = {}): Uint8Array {
  const resolved = resolveOptions(options);
  const graph = 'graph' in model ? model.graph : model;
  const { plan, problems } = analyze(graph, resolved);
  if (problems.length > 0) throw unsupportedError(problems);
  return writeModel(lowerPlan(plan, resolved));
}
