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

/** The error for an IR that failed validation: every problem, one per line. */
export function invalidIrError(problems: readonly OpenvinoProblem[]): CondenseError {
  const first = problems[0]!;
  const unsupported = problems.every((p) => p.code === 'E_UNSUPPORTED_OP');
  const list = problems.length === 1 ? first.message : `${problems.length} problems:\n${problems.map((p) => `  - ${p.message}`).join('\n')}`;
  return new CondenseError(unsupported ? 'E_UNSUPPORTED_OP' : 'E_MODEL_INVALID', `Invalid OpenVINO IR: ${list}`, first.node ? { context: { node: first.node, adapter: 'openvino' } } : { context: { adapter: 'openvino' } });
}
