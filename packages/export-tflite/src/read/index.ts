import { CondenseError, createModel, inferShapes, type Model, type Value } from '@condense/core';
import { BuiltinOperator } from '../generated/tflite_generated.js';
import { GraphImporter } from './importer.js';
import { invalidTflite } from './errors.js';
import { HANDLERS } from './ops.js';
import { parseModel } from './parse-model.js';

/** How {@link readTflite} reads a .tflite file. */
export interface ReadTfliteOptions {
  /**
   * Layout of the file's 4-D inputs and outputs. 'nhwc' (default, TFLite's
   * own) gives the ONNX model NCHW inputs and outputs; 'nchw' reads a file
   * exported with layout 'nchw', whose boundaries are NCHW already.
   */
  layout?: 'nhwc' | 'nchw';
}

/**
 * A .tflite model as a condense model (ONNX semantics, opset 17): NCHW maps,
 * weights in ONNX layouts, int8 tensors as QuantizeLinear/DequantizeLinear
 * pairs, float16 weights as Casts. Reads the operators condense's TFLite
 * export writes; anything else is refused with one CondenseError naming it.
 */
export function readTflite(bytes: Uint8Array, options: ReadTfliteOptions = {}): Model {
  const layout = options.layout ?? 'nhwc';
  if (layout !== 'nhwc' && layout !== 'nchw') throw new CondenseError('E_BAD_OPTION', `TFLite read: layout must be "nhwc" or "nchw"; got ${JSON.stringify(layout)}.`);
  const model = parseModel(bytes);
  const g = new GraphImporter(model, layout === 'nhwc' ? 'logical' : 'stored');
  for (const t of model.inputs) g.input(t);
  for (const [i, op] of model.operators.entries()) {
    g.operator = `operator ${i} (${BuiltinOperator[op.op] ?? op.op})`;
    if (g.isWeightDequantize(op)) continue;
    const handler = HANDLERS.get(op.op);
    if (!handler) throw new CondenseError('E_UNSUPPORTED_OP', `The .tflite model uses ${BuiltinOperator[op.op] ?? `builtin operator ${op.op}`}, which condense does not read (it reads the operators its own TFLite export writes).`);
    handler(op, g);
  }
  g.operator = '';
  g.graph.outputs = model.outputs.map((t) => named(g, g.output(t), model.tensors[t]!.name));
  inferShapes(g.graph);
  // What the file declares is checked as it is read; this catches any disagreement left (types that do not meet).
  const problem = g.graph.validate().find((d) => d.severity === 'error');
  if (problem) throw invalidTflite(`its tensors do not fit together: ${problem.message}`);
  return createModel(g.graph, { docString: model.description });
}

/** The output under the TFLite tensor's name (ONNX outputs are named values), through an Identity where the name is taken. */
function named(g: GraphImporter, v: Value, name: string): Value {
  if (v.name === name) return v;
  if (!g.graph.value(name) && v.kind === 'node-output' && !g.graph.outputs.includes(v)) {
    g.graph.rename(v, name);
    return v;
  }
  const out = g.add('Identity', [v]);
  if (!g.graph.value(name)) g.graph.rename(out, name);
  return out;
}
