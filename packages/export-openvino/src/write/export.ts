import { CondenseError, type Graph, type Model, type Value } from '@condense/core';
import { serializeOvModel } from '../ir/serialize.js';
import { formatDims } from '../ops/port-type.js';
import { analyze, unsupportedError } from './check.js';
import { LowerContext } from './context.js';
import { resolveOptions, type ExportOpenvinoOptions } from './options.js';
import { ruleOf } from './rules/index.js';
import { dimsOf } from './rules/rule.js';

/** An OpenVINO IR: the topology (model.xml) and the weights it points into (model.bin). */
export interface OpenvinoIr {
  /** The topology, the text of model.xml. */
  xml: string;
  /** The weights, the bytes of model.bin that the XML's offsets point into. */
  bin: Uint8Array;
}

/**
 * The model as OpenVINO IR version 11, NCHW as in ONNX. Refuses with a
 * CondenseError (E_UNSUPPORTED_OP) listing every problem checkOpenvino finds,
 * before building anything. The model is not modified.
 */
export function exportOpenvino(model: Model | Graph, options: ExportOpenvinoOptions = {}): OpenvinoIr {
  const source = 'graph' in model ? model.graph : model;
  const resolved = resolveOptions(options);
  const { graph, statics, nodes, problems } = analyze(source, options);
  if (problems.length) throw unsupportedError(problems);
  const ctx = new LowerContext(graph, statics, resolved);
  // An initializer that is also a graph input is only a default: it stays an input.
  for (const input of graph.inputs) {
    const dims = dimsOf(input)!;
    const shape = dims.map((d) => (d < 0 ? '?' : String(d))).join(', ');
    const [port] = ctx.builder.add('Parameter', { shape, element_type: ctx.paramType(input) }, [], { name: input.name });
    ctx.define(input, port!);
  }
  for (const node of nodes) {
    ruleOf(node.op, node.domain)!.lower(node, ctx);
    for (const out of node.outputs) if (out && (out.useCount || out.isGraphOutput())) checkAgreement(ctx, out);
  }
  for (const out of graph.outputs) {
    ctx.builder.add('Result', {}, [ctx.value(out)], { name: `${out.name}/sink_port_0` });
  }
  const { model: ir, bin } = ctx.builder.finish(resolved.name ?? source.name);
  return { xml: serializeOvModel(ir), bin };
}

/** The IR's dimensions for a value must be condense's: a mismatch is a lowering bug, caught here rather than at load time in OpenVINO. */
function checkAgreement(ctx: LowerContext, v: Value): void {
  if (ctx.statics.resolve(v) || !ctx.has(v)) return;
  const port = ctx.value(v);
  const want = dimsOf(v);
  const got = port.type.dims;
  if (!want || !got) return;
  const agree = want.length === got.length && want.every((d, i) => d < 0 || got[i]! < 0 || d === got[i]);
  if (!agree) throw new CondenseError('E_INTERNAL', `OpenVINO export computed ${formatDims(got)} for "${v.name}" where condense infers ${formatDims(want)}.`, { context: { value: v.name, adapter: 'openvino' } });
}
