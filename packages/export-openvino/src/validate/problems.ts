import { CondenseError, type Diagnostic } from '@condense/core';
import { describeLayer, type OvLayer } from '../ir/model.js';

/** One thing wrong with an OpenVINO IR: which layer (when one is to blame) and what. */
export interface OpenvinoProblem extends Diagnostic {
  severity: 'error';
  /** The layer's id and name, when the problem is a layer's. */
  layer?: { id: number; name: string; type: string };
}

export function layerProblem(layer: OvLayer, why: string, code = 'E_MODEL_INVALID'): OpenvinoProblem {
  return { severity: 'error', code, message: `${describeLayer(layer)}: ${why}`, node: layer.name, layer: { id: layer.id, name: layer.name, type: layer.type } };
}

export function modelProblem(why: string): OpenvinoProblem {
  return { severity: 'error', code: 'E_MODEL_INVALID', message: why };
}

/** Problems a message lists (validateOpenvino returns them all): a hostile IR has tens of thousands. */
const LISTED = 3;
/** Longest problem line in a message. */
const LINE = 160;

const line = (message: string) => (message.length > LINE ? `${message.slice(0, LINE - 3)}...` : message);

/** The error for an IR that failed validation: the first problems, one per line, and how many there are. */
export function invalidIrError(problems: readonly OpenvinoProblem[]): CondenseError {
  const first = problems[0]!;
  const unsupported = problems.every((p) => p.code === 'E_UNSUPPORTED_OP');
  const more = problems.length > LISTED ? `\n  (${problems.length - LISTED} more; validateOpenvino lists them all)` : '';
  const list = problems.length === 1 ? line(first.message) : `${problems.length} problems:\n${problems.slice(0, LISTED).map((p) => `  - ${line(p.message)}`).join('\n')}${more}`;
  return new CondenseError(unsupported ? 'E_UNSUPPORTED_OP' : 'E_MODEL_INVALID', `Invalid OpenVINO IR: ${list}`, first.node ? { context: { node: first.node, adapter: 'openvino' } } : { context: { adapter: 'openvino' } });
}
