import { CondenseError, type Diagnostic, type Graph, type Model, type Node } from '@condense/core';
import { resolveOptions, type ExportTensorrtOptions, type ResolvedOptions } from './options.js';
import { prepareModel } from './prepare.js';
import { PER_CHANNEL_OPSET } from './qdq/index.js';
import { planQdq } from './qdq/placement.js';

/** The oldest opset core's upgrade-opset pass can raise to PER_CHANNEL_OPSET. */
const OLDEST_UPGRADABLE = 7;

/** ONNX's integer operators: TensorRT's ONNX parser rejects them (it takes quantization only as Q/DQ pairs). */
const INTEGER_OPS = new Set(['QLinearConv', 'QLinearMatMul', 'ConvInteger', 'MatMulInteger', 'DynamicQuantizeLinear']);

function finding(severity: Diagnostic['severity'], code: string, message: string, node?: Node): Diagnostic {
  return node ? { severity, code, message: `${node.op} "${node.name}": ${message}`, node: node.name } : { severity, code, message };
}

function* allNodes(graph: Graph): Generator<Node> {
  for (const node of graph) {
    yield node;
    for (const sub of node.subgraphs()) yield* allNodes(sub);
  }
}

/**
 * What TensorRT-ready export cannot do with `graph`, before anything is
 * written: errors stop the export, warnings name what stays float or needs a
 * hand. Takes the export's options (int8 findings only matter with samples).
 */
export function checkTensorrt(graph: Graph, options: ExportTensorrtOptions = {}): Diagnostic[] {
  const o = resolveOptions(options);
  return diagnose(prepareModel(graph, o.inputShapes), o);
}

/** The findings on a prepared working copy (types inferred). */
export function diagnose(model: Model, o: ResolvedOptions): Diagnostic[] {
  const graph = model.graph;
  const found: Diagnostic[] = [];
  const int8 = o.samples !== undefined;
  let quantized = false;
  for (const node of allNodes(graph)) {
    if (node.domain !== '' && node.domain !== 'ai.onnx') found.push(finding('error', 'E_UNSUPPORTED_OP', `ops of domain "${node.domain}" need a TensorRT plugin; condense cannot export them.`, node));
    else if (INTEGER_OPS.has(node.op)) found.push(finding('error', 'E_UNSUPPORTED_OP', 'TensorRT rejects ONNX integer operators; export the float model (int8 is made here as Q/DQ pairs).', node));
    if (node.op === 'QuantizeLinear' || node.op === 'DequantizeLinear') quantized = true;
    if (int8 && node.subgraphs().length) found.push(finding('warning', 'W_SUBGRAPH_FLOAT', 'values inside its subgraphs are neither calibrated nor quantized.', node));
  }
  for (const v of graph.inputs) {
    const shape = v.type?.shape;
    if (!v.const && shape?.slice(1).some((d) => typeof d !== 'number')) {
      found.push({ severity: 'warning', code: 'W_DYNAMIC_SHAPE', message: `Input "${v.name}" has shape [${shape.join(', ')}]: build-engine.sh cannot give trtexec its --shapes; pin it with the inputShapes option or pass --shapes to the script.`, value: v.name });
    }
  }
  if (!int8) return found;
  if (quantized) found.push(finding('error', 'E_UNSUPPORTED_OP', 'the graph is quantized already (it holds QuantizeLinear/DequantizeLinear); export the float model to calibrate it for TensorRT.'));
  const halves = [...graph.values()].filter((v) => v.type?.dtype === 'float16' || v.type?.dtype === 'bfloat16');
  if (halves.length) found.push(finding('error', 'E_UNSUPPORTED_DTYPE', `values such as "${halves[0]!.name}" are ${halves[0]!.type!.dtype}; calibrate the float32 model (the precision option makes model.onnx float16).`));
  const opset = graph.opset[''] ?? 1;
  if (opset < OLDEST_UPGRADABLE) found.push(finding('error', 'E_UNSUPPORTED_OP', `opset ${opset} is too old to raise to ${PER_CHANNEL_OPSET}, which per-channel Q/DQ needs; re-export the model at opset ${OLDEST_UPGRADABLE} or later.`));
  else if (opset < PER_CHANNEL_OPSET) found.push(finding('info', 'I_OPSET_RAISED', `opset ${opset} is raised to ${PER_CHANNEL_OPSET} (per-channel Q/DQ needs it) in every artifact.`));
  for (const { node, reason } of planQdq(graph, o.residualAdds).float) found.push(finding('warning', 'W_LAYER_FLOAT', `stays float in model.qdq.onnx: ${reason}.`, node));
  return found;
}

/** The error export throws when check() found errors: all of them, one per line. */
export function unsupportedError(errors: readonly Diagnostic[]): CondenseError {
  const list = errors.map((d) => `  - ${d.message}`).join('\n');
  return new CondenseError(
    errors[0]?.code === 'E_UNSUPPORTED_DTYPE' ? 'E_UNSUPPORTED_DTYPE' : 'E_UNSUPPORTED_OP',
    `Cannot export for TensorRT; nothing was written. ${errors.length} problem${errors.length === 1 ? '' : 's'}:\n${list}`,
    { context: { node: errors[0]?.node, adapter: 'tensorrt' } },
  );
}
