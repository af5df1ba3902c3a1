import type { Graph, Node, Value } from '@condense/core';
import { CondenseError, type Diagnostic } from '@condense/core';
import { elementTypeOf } from '../ir/element-type.js';
import { resolveOptions, type ExportOpenvinoOptions } from './options.js';
import { liveNodes } from './plan.js';
import { prepareGraph } from './prepare.js';
import { ruleOf } from './rules/index.js';
import { StaticResolver } from './statics.js';

/** One thing that keeps a graph from exporting: which op, which node, and why. */
export interface OpenvinoExportProblem extends Diagnostic {
  severity: 'error';
  /** The ONNX op, or '' for a graph input or output. */
  op: string;
  node: string;
  /** Why it cannot be exported, without the op and node (the message adds them). */
  reason: string;
}

export function exportProblem(code: string, op: string, node: string, reason: string): OpenvinoExportProblem {
  return { severity: 'error', code, op, node, reason, message: `${op ? `${op} "${node}"` : `"${node}"`}: ${reason}` };
}

/**
 * Everything that keeps `graph` from exporting to OpenVINO IR, found before
 * anything is written: one entry per node (op, name, why), plus graph inputs
 * OpenVINO cannot take. Empty means exportOpenvino will succeed.
 */
export function checkOpenvino(graph: Graph, options: ExportOpenvinoOptions = {}): OpenvinoExportProblem[] {
  return analyze(graph, options).problems;
}

export interface Analysis {
  graph: Graph;
  statics: StaticResolver;
  nodes: Node[];
  problems: OpenvinoExportProblem[];
}

export function analyze(source: Graph, options: ExportOpenvinoOptions): Analysis {
  const resolved = resolveOptions(options);
  const graph = prepareGraph(source, resolved.inputShapes);
  const statics = new StaticResolver();
  const nodes = liveNodes(graph, statics);
  const problems: OpenvinoExportProblem[] = [];
  for (const v of graph.inputs) {
    const why = valueProblem(v);
    if (why) problems.push(exportProblem('E_UNSUPPORTED_DTYPE', '', v.name, `graph input ${why}`));
  }
  // Values after a node that cannot be written have no types either: report the cause once, not every node after it.
  const tainted = new Set<Value>();
  for (const node of nodes) {
    const found = nodeProblem(node, statics);
    const downstream = node.inputs.some((v) => v && tainted.has(v));
    if (found && !(downstream && found.code === 'E_SHAPE_INFERENCE')) problems.push(found);
    if (found || downstream) for (const v of node.outputs) if (v) tainted.add(v);
  }
  return { graph, statics, nodes, problems };
}

function nodeProblem(node: Node, statics: StaticResolver): OpenvinoExportProblem | undefined {
  const fail = (code: string, why: string) => exportProblem(code, node.op, node.name, why);
  if (node.subgraphs().length) return fail('E_UNSUPPORTED_OP', 'ops holding subgraphs (If, Loop, Scan) are not supported');
  const rule = ruleOf(node.op, node.domain);
  if (!rule) return fail('E_UNSUPPORTED_OP', node.domain ? `ops of domain "${node.domain}" have no OpenVINO mapping` : 'no OpenVINO mapping for this op');
  for (const v of node.outputs) {
    const why = v && (v.useCount > 0 || v.isGraphOutput()) ? valueProblem(v) : undefined;
    if (why && node.op !== 'QuantizeLinear') return fail(why.startsWith('has no') ? 'E_SHAPE_INFERENCE' : 'E_UNSUPPORTED_DTYPE', `output "${v!.name}" ${why}`);
  }
  const why = rule.check?.(node, statics);
  return why ? fail('E_UNSUPPORTED_OP', why) : undefined;
}

/** A run-time value needs an OpenVINO element type and a known rank. */
function valueProblem(v: Value): string | undefined {
  if (!v.type) return 'has no known type; run shape inference or pin the input shapes';
  if (!elementTypeOf(v.type.dtype)) return `is ${v.type.dtype}, which OpenVINO has no element type for`;
  if (!v.type.shape) return 'has no known rank; pin the input shapes';
  return undefined;
}

/** The error export throws when check() found problems: all of them, one per line. */
export function unsupportedError(problems: readonly OpenvinoExportProblem[]): CondenseError {
  const list = problems.map((p) => `  - ${p.message}`).join('\n');
  const first = problems[0];
  return new CondenseError(
    'E_UNSUPPORTED_OP',
    `Cannot export to OpenVINO IR; nothing was written. ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${list}`,
    first ? { context: { node: first.node, adapter: 'openvino' } } : { context: { adapter: 'openvino' } },
  );
}
