import type { Diagnostic } from '../errors.js';
import type { Graph } from './graph.js';
import type { Value } from './value.js';

/** Ops whose inputs (all of them) must share one element type. */
const SAME_DTYPE_OPS = new Set(['Add', 'Sub', 'Mul', 'Div', 'Concat', 'Sum', 'Max', 'Min', 'Mean', 'MatMul']);
/** Ops whose first two inputs must have equal rank (data and weights). */
const SAME_RANK_OPS = new Set(['Conv', 'ConvTranspose']);

/**
 * Checks what every pass must preserve: nodes in topological order, each value
 * produced once and known to its graph, use lists matching inputs, and element
 * types and ranks that agree where ONNX requires it. Subgraphs are checked too.
 */
export function validateGraph(graph: Graph): Diagnostic[] {
  const out: Diagnostic[] = [];
  const error = (code: string, message: string, where: { node?: string; value?: string } = {}) =>
    out.push({ severity: 'error', code, message, ...where });
  const available = new Set<Value>();
  for (const v of graph.values()) {
    if (v.kind === 'graph-input' || v.kind === 'constant' || v.kind === 'captured') available.add(v);
    if (v.graph !== graph) error('E_FOREIGN_VALUE', `Value "${v.name}" is registered in graph "${graph.name}" but belongs to another.`, { value: v.name });
  }
  for (const node of graph) {
    for (const [i, v] of node.inputs.entries()) {
      if (!v) continue;
      if (graph.value(v.name) !== v) {
        error('E_DANGLING_INPUT', `Node "${node.name}" reads "${v.name}", which is not a value of graph "${graph.name}".`, { node: node.name, value: v.name });
      } else if (!available.has(v)) {
        const why = v.producer() ? 'is produced later (nodes are not in topological order)' : 'has no producer';
        error('E_NOT_TOPOLOGICAL', `Node "${node.name}" reads "${v.name}", which ${why}.`, { node: node.name, value: v.name });
      }
      if (!v.uses().some((u) => u.node === node && u.index === i)) {
        error('E_USE_LIST', `Value "${v.name}" does not record its use by "${node.name}" input ${i}.`, { node: node.name, value: v.name });
      }
    }
    for (const v of node.capturedValues()) {
      if (!v.uses().some((u) => u.node === node && u.index === -1)) error('E_USE_LIST', `Value "${v.name}" does not record that a subgraph of "${node.name}" reads it.`, { node: node.name, value: v.name });
      if (!available.has(v)) error('E_NOT_TOPOLOGICAL', `A subgraph of "${node.name}" reads "${v.name}" before it is defined.`, { node: node.name, value: v.name });
    }
    for (const v of node.outputs) {
      if (!v) continue;
      if (v.producer() !== node) error('E_PRODUCER', `Output "${v.name}" of "${node.name}" names another producer.`, { node: node.name, value: v.name });
      if (available.has(v)) error('E_DUPLICATE_PRODUCER', `Value "${v.name}" is defined more than once${graph.inputs.includes(v) ? ' (it is also a graph input)' : ''}.`, { node: node.name, value: v.name });
      available.add(v);
    }
    checkTypes(node.op, node.domain, node.inputs, (message) => error('E_TYPE_MISMATCH', `Node "${node.name}" (${node.op}): ${message}`, { node: node.name }));
    for (const sub of node.subgraphs()) out.push(...validateGraph(sub));
  }
  for (const v of graph.values()) {
    for (const u of v.uses()) {
      if (u.node.graph !== graph) error('E_USE_LIST', `Value "${v.name}" lists a use by removed node "${u.node.name}".`, { value: v.name });
      else if (u.index >= 0 && u.node.inputs[u.index] !== v) error('E_USE_LIST', `Value "${v.name}" lists a stale use by "${u.node.name}".`, { value: v.name });
    }
  }
  for (const v of graph.outputs) {
    if (graph.value(v.name) !== v) error('E_DANGLING_OUTPUT', `Graph output "${v.name}" is not a value of the graph.`, { value: v.name });
    else if (!available.has(v)) error('E_DANGLING_OUTPUT', `Graph output "${v.name}" is never produced.`, { value: v.name });
  }
  return out;
}

function checkTypes(op: string, domain: string, inputs: ReadonlyArray<Value | null>, report: (message: string) => void): void {
  if (domain !== '') return;
  const typed = inputs.filter((v): v is Value => !!v?.type);
  if (SAME_DTYPE_OPS.has(op)) {
    const dtypes = new Set(typed.map((v) => v.type!.dtype));
    if (dtypes.size > 1) report(`inputs mix element types ${[...dtypes].join(', ')}.`);
  }
  if (SAME_RANK_OPS.has(op)) {
    const [x, w] = inputs;
    const rx = x?.type?.shape?.length;
    const rw = w?.type?.shape?.length;
    if (rx !== undefined && rw !== undefined && rx !== rw) report(`data has rank ${rx} but weights have rank ${rw}.`);
  }
}
