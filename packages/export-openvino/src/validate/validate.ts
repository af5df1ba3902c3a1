import { IndexedModel, constantExtent } from '../ir/indexed.js';
import { parseOvXml } from '../ir/parse.js';
import { opsetNumber, type OvLayer, type OvModel, type OvPort } from '../ir/model.js';
import { LayerAttrs } from '../ops/attrs.js';
import { opSpec } from '../ops/index.js';
import { OpError } from '../ops/op-error.js';
import { formatDims, type PortType } from '../ops/port-type.js';
import { invalidIrError, layerProblem, modelProblem, type OpenvinoProblem } from './problems.js';

/**
 * Every structural problem of an OpenVINO IR (xml + bin), or [] when it is
 * sound: unique layer and port ids; edges between existing output and input
 * ports, one per input; precisions and dimensions equal on both ends of each
 * edge and equal to what each layer's op computes from its inputs (Convolution
 * sizes from kernel, strides and pads; broadcasting; Reshape targets...);
 * Const ranges inside the .bin and sized as element type x shape; known layer
 * types and versions; no cycles. The OpenVINO runtime is not needed.
 * Throws only when the XML itself cannot be read.
 */
export function validateOpenvino(xml: string, bin: Uint8Array): OpenvinoProblem[] {
  return checkModel(parseOvXml(xml), bin).problems;
}

/** Parses and validates; throws one CondenseError listing every problem. */
export function loadValidated(xml: string, bin: Uint8Array): IndexedModel {
  const { problems, indexed } = checkModel(parseOvXml(xml), bin);
  if (problems.length) throw invalidIrError(problems);
  return indexed;
}

export function checkModel(model: OvModel, bin: Uint8Array): { problems: OpenvinoProblem[]; indexed: IndexedModel } {
  const problems: OpenvinoProblem[] = [];
  if (model.version !== 10 && model.version !== 11) problems.push(modelProblem(`IR version ${model.version} is not supported (10 and 11 are)`));
  const seen = new Set<number>();
  for (const layer of model.layers) {
    if (seen.has(layer.id)) problems.push(layerProblem(layer, `id ${layer.id} is used by another layer too`));
    seen.add(layer.id);
    const ports = [...layer.inputs, ...layer.outputs].map((p) => p.id);
    const repeated = ports.find((id, i) => ports.indexOf(id) !== i);
    if (repeated !== undefined) problems.push(layerProblem(layer, `port id ${repeated} is used twice`));
  }
  const indexed = new IndexedModel(model, bin);
  problems.push(...checkEdges(model, indexed));
  if (!model.layers.some((l) => l.type === 'Result')) problems.push(modelProblem('the model has no Result layer'));
  const order = indexed.topologicalOrder();
  if (!order) problems.push(modelProblem('the edges form a cycle'));
  for (const layer of order ?? indexed.layers.values()) problems.push(...checkLayer(layer, indexed));
  return { problems, indexed };
}

function checkEdges(model: OvModel, indexed: IndexedModel): OpenvinoProblem[] {
  const problems: OpenvinoProblem[] = [];
  const fed = new Set<string>();
  for (const e of model.edges) {
    const edge = `edge ${e.fromLayer}:${e.fromPort} -> ${e.toLayer}:${e.toPort}`;
    const from = indexed.layers.get(e.fromLayer);
    const to = indexed.layers.get(e.toLayer);
    if (!from || !to) {
      problems.push(modelProblem(`${edge} names layer ${from ? e.toLayer : e.fromLayer}, which does not exist`));
      continue;
    }
    const out = from.outputs.find((p) => p.id === e.fromPort);
    const input = to.inputs.find((p) => p.id === e.toPort);
    if (!out) {
      problems.push(layerProblem(from, `${edge} starts at port ${e.fromPort}, which is not one of its output ports (${from.outputs.map((p) => p.id).join(', ') || 'none'})`));
      continue;
    }
    if (!input) {
      problems.push(layerProblem(to, `${edge} ends at port ${e.toPort}, which is not one of its input ports (${to.inputs.map((p) => p.id).join(', ') || 'none'})`));
      continue;
    }
    const key = `${e.toLayer}:${e.toPort}`;
    if (fed.has(key)) {
      problems.push(layerProblem(to, `input port ${e.toPort} is fed by more than one edge`));
      continue;
    }
    fed.add(key);
    if (input.precision && out.precision && input.precision !== out.precision) {
      problems.push(layerProblem(to, `input port ${e.toPort} is ${input.precision} but layer ${from.id} "${from.name}" port ${e.fromPort} produces ${out.precision}`));
    }
    if (formatDims(input.dims) !== formatDims(out.dims)) {
      problems.push(layerProblem(to, `input port ${e.toPort} has dims ${formatDims(input.dims)} but layer ${from.id} "${from.name}" port ${e.fromPort} produces ${formatDims(out.dims)}`));
    }
  }
  for (const layer of indexed.layers.values()) {
    indexed.sources(layer).forEach((s, i) => {
      if (!s) problems.push(layerProblem(layer, `input port ${layer.inputs[i]!.id} is not connected`));
    });
  }
  return problems;
}

function checkLayer(layer: OvLayer, indexed: IndexedModel): OpenvinoProblem[] {
  const spec = opSpec(layer.type);
  if (!spec) return [layerProblem(layer, `unknown layer type "${layer.type}" (${layer.version || 'no version'}); condense reads the CNN op set (see the README)`, 'E_UNSUPPORTED_OP')];
  const version = opsetNumber(layer.version);
  if (version === undefined || !spec.versions.includes(version)) {
    return [layerProblem(layer, `version "${layer.version}" is not one condense reads for ${layer.type} (${spec.versions.map((v) => `opset${v}`).join(', ')})`, 'E_UNSUPPORTED_OP')];
  }
  const [min, max] = spec.inputs;
  if (layer.inputs.length < min || layer.inputs.length > max) return [layerProblem(layer, `has ${layer.inputs.length} inputs, expected ${min === max ? min : `${min} to ${max}`}`)];
  const problems: OpenvinoProblem[] = [];
  if (layer.type === 'Const') {
    const extent = constantExtent(layer, indexed.bin.byteLength);
    if (typeof extent === 'string') return [layerProblem(layer, extent)];
  }
  const inputs: PortType[] = [];
  for (const p of layer.inputs) {
    const type = p.precision ?? indexed.source(layer, inputs.length)?.port.precision;
    if (!type) return [layerProblem(layer, `input port ${p.id} has no precision and no producer that declares one`)];
    inputs.push({ type, dims: p.dims });
  }
  let expected: PortType[];
  try {
    expected = spec.infer({ version, attrs: new LayerAttrs(layer.data), inputs, constant: (i) => indexed.inputConstant(layer, i) });
  } catch (e) {
    if (e instanceof OpError) return [layerProblem(layer, e.message)];
    throw e;
  }
  if (layer.outputs.length !== expected.length) return [layerProblem(layer, `has ${layer.outputs.length} output ports, expected ${expected.length}`)];
  expected.forEach((want, i) => {
    const port = layer.outputs[i]!;
    const why = portMismatch(port, want);
    if (why) problems.push(layerProblem(layer, `output port ${port.id} ${why}`));
  });
  return problems;
}

/** Why a declared output port disagrees with what the op computes (an unknown dimension matches any size). */
function portMismatch(port: OvPort, want: PortType): string | undefined {
  if (!port.precision) return 'has no precision';
  if (port.precision !== want.type) return `is ${port.precision} but the op produces ${want.type}`;
  if (!want.dims) return undefined;
  const same = port.dims.length === want.dims.length && port.dims.every((d, i) => d === want.dims![i] || want.dims![i] === -1);
  return same ? undefined : `has dims ${formatDims(port.dims)} but the op produces ${formatDims(want.dims)}`;
}
