import type { Diagnostic, Graph } from '@condense/core';
import { supportsDType } from './tensors.js';

/** Operator domains onnxruntime implements. */
const DOMAINS = new Set(['', 'ai.onnx', 'ai.onnx.ml', 'com.microsoft', 'com.microsoft.nchwc', 'ai.onnx.preview.training']);
/** Newest ai.onnx opset onnxruntime 1.30 accepts. */
export const MAX_OPSET = 23;

/**
 * What onnxruntime cannot run in `graph`, found before trying: unknown
 * operator domains, opsets newer than it knows, and input or output element
 * types its tensors cannot carry.
 */
export function ortSupports(graph: Graph, runtime: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const opset = graph.opset[''] ?? graph.opset['ai.onnx'];
  if (opset !== undefined && opset > MAX_OPSET) {
    out.push({ severity: 'error', code: 'E_UNSUPPORTED_OPSET', message: `${runtime} runs ai.onnx opsets up to ${MAX_OPSET}; the model uses ${opset}.` });
  }
  const reported = new Set<string>();
  const visit = (g: Graph) => {
    for (const node of g) {
      if (!DOMAINS.has(node.domain) && !reported.has(`${node.domain}.${node.op}`)) {
        reported.add(`${node.domain}.${node.op}`);
        out.push({ severity: 'error', code: 'E_UNSUPPORTED_OP', message: `${runtime} has no operator ${node.domain}.${node.op} (domain "${node.domain}" is not one onnxruntime implements).`, node: node.name });
      }
      node.subgraphs().forEach(visit);
    }
  };
  visit(graph);
  for (const v of [...graph.inputs.filter((i) => !i.const), ...graph.outputs]) {
    if (v.type && !supportsDType(v.type.dtype)) {
      out.push({ severity: 'error', code: 'E_UNSUPPORTED_DTYPE', message: `${runtime} cannot pass ${v.type.dtype} tensors in or out (value "${v.name}").`, value: v.name });
    }
  }
  return out;
}
