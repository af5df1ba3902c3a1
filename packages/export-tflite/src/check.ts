import type { Graph, Node, Value } from '@condense/core';
import { resolveOptions, type ExportTfliteOptions, type ResolvedOptions } from './options.js';
import { problem, type TfliteProblem } from './problems.js';
import { planExport, planInt8, ruleOf, type ExportPlan } from './lower/plan.js';
import { isQuantize } from './lower/quantized.js';
import { prepareGraph } from './lower/prepare.js';
import { NOT_YET, RULES } from './lower/rules/index.js';
import { isStatic, isStaticShape } from './lower/static-values.js';

/**
 * Everything that keeps `graph` from exporting to TFLite, found before
 * anything is written: one entry per node (op, name, why), plus graph inputs
 * and outputs TFLite cannot take. Empty means exportTflite will succeed.
 */
export function checkTflite(graph: Graph, options: ExportTfliteOptions = {}): TfliteProblem[] {
  return analyze(graph, resolveOptions(options)).problems;
}

/** Prepares, plans and checks; exportTflite lowers the same plan. */
export function analyze(source: Graph, options: ResolvedOptions): { plan: ExportPlan; problems: TfliteProblem[] } {
  const graph = prepareGraph(source, options.inputShapes);
  const plan = planExport(graph, RULES);
  const problems: TfliteProblem[] = [];
  for (const v of graph.inputs) {
    const bad = valueProblem(v);
    if (bad) problems.push(problem(bad.code, '', v.name, `graph input ${bad.why}`));
  }
  for (const v of graph.outputs) {
    if (isStatic(v)) problems.push(problem('E_UNSUPPORTED_OP', '', v.name, 'graph output is a constant'));
    else if (isQuantize(v.producer())) problems.push(problem('E_UNSUPPORTED_DTYPE', '', v.name, 'graph output is a QuantizeLinear result; output its DequantizeLinear instead (the io option chooses int8 or float32 outputs)'));
  }
  // Unknown input dimensions, or an op shape inference does not know, make every shape after them
  // unknown: report the cause once, not each node downstream.
  const inputsKnown = problems.length === 0;
  const failed = new Set<Node>();
  for (const node of plan.nodes) {
    const found = nodeProblem(node, plan);
    if (!found) continue;
    failed.add(node);
    const downstream = node.inputs.some((v) => v && failed.has(v.producer()!));
    if (found.code !== 'E_SHAPE_INFERENCE' || (inputsKnown && !downstream)) problems.push(found);
  }
  if (problems.length === 0) planInt8(plan, RULES);
  return { plan, problems };
}

function nodeProblem(node: Node, plan: ExportPlan): TfliteProblem | undefined {
  const fail = (code: string, why: string) => problem(code, node.op, node.name, why);
  if (node.domain !== '' && node.domain !== 'ai.onnx') return fail('E_UNSUPPORTED_OP', `ops of domain "${node.domain}" have no TFLite builtin`);
  const rule = ruleOf(node, RULES);
  if (!rule) return fail('E_UNSUPPORTED_OP', NOT_YET.get(node.op) ?? 'no TFLite builtin mapping for this op');
  const fused = plan.fused.get(node)?.node;
  const results = [...node.outputs, ...(fused ? fused.outputs : [])].filter((v): v is Value => v !== null && (v.useCount > 0 || v.isGraphOutput()));
  for (const i of rule.operands(node)) {
    const v = node.inputs[i];
    const bad = v && !isStatic(v) ? valueProblem(v) : undefined;
    if (bad) return fail(bad.code, `input "${v!.name}" ${bad.why}`);
  }
  for (const v of results) {
    const bad = valueProblem(v);
    if (bad) return fail(bad.code, `output "${v.name}" ${bad.why}`);
  }
  const why = rule.check(node);
  return why ? fail('E_UNSUPPORTED_OP', why) : undefined;
}

/** Run-time tensors must be float32 (or 8-bit integers out of a QuantizeLinear) with every dimension known. */
function valueProblem(v: Value): { code: string; why: string } | undefined {
  if (!v.type) return { code: 'E_SHAPE_INFERENCE', why: 'has no known type' };
  const quantized = isQuantize(v.producer()) && (v.type.dtype === 'uint8' || v.type.dtype === 'int8');
  if (v.type.dtype !== 'float32' && !quantized) return { code: 'E_UNSUPPORTED_DTYPE', why: `is ${v.type.dtype}; only float32 tensors (and int8 or uint8 ones between QuantizeLinear and DequantizeLinear) are exported` };
  if (!isStaticShape(v)) {
    const shape = v.type.shape ? `[${v.type.shape.join(', ')}]` : 'unknown';
    return { code: 'E_SHAPE_INFERENCE', why: `has shape ${shape}; TFLite needs every dimension known (pin it: the inputShapes option, or --input-shape name=d0,d1,... on the command line)` };
  }
  return undefined;
}
