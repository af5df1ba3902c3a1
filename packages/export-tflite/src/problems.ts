import { CondenseError, type Diagnostic } from '@condense/core';

/** One thing that keeps a graph from being exported: which op, which node, and why. */
export interface TfliteProblem extends Diagnostic {
  severity: 'error';
  /** The ONNX op, or '' for a problem with the graph's inputs or outputs. */
  op: string;
  /** The node's name, or the value's name for graph-level problems. */
  node: string;
  /** Why it cannot be exported, without the op and node (the message adds them). */
  reason: string;
}

export function problem(code: string, op: string, node: string, reason: string): TfliteProblem {
  const where = op ? `${op} "${node}"` : `"${node}"`;
  return { severity: 'error', code, op, node, reason, message: `${where}: ${reason}` };
}

/** The error exportTflite throws when check() found problems: all of them, one per line. */
export function unsupportedError(problems: readonly TfliteProblem[]): CondenseError {
  const list = problems.map((p) => `  - ${p.message}`).join('\n');
  const first = problems[0];
  return new CondenseError(
    'E_UNSUPPORTED_OP',
    `Cannot export to TFLite; nothing was written. ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${list}`,
    first ? { context: { node: first.node, adapter: 'tflite' } } : {},
  );
}
