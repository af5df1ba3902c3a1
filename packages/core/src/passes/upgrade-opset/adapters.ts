import { attr, getFloat, getFloats, getInt, getInts, getString } from '../../ir/attr.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import { Tensor } from '../../tensor/tensor.js';
import { replaceNode } from '../shared/replace.js';

/**
 * One step of the default domain's history: at opset `version`, `op` changed in a
 * way a model written for an older opset must be rewritten for. `apply` rewrites
 * one node in place (inputs, attributes, or surrounding nodes) so that it computes
 * exactly what it did before; it returns a reason when it cannot.
 */
export interface OpsetAdapter {
  op: string;
  version: number;
  apply(graph: Graph, node: Node): string | undefined;
}

const int64s = (graph: Graph, node: Node, what: string, values: number[]): Value =>
  graph.constant(graph.uniqueName(`${node.name}_${what}`), Tensor.from('int64', [values.length], values.map(BigInt)));

/** A scalar of the node's first input's element type (float32 when the type is unknown). */
const scalarLike = (graph: Graph, node: Node, what: string, value: number): Value => {
  const dtype = node.inputs[0]?.type?.dtype ?? 'float32';
  return graph.constant(graph.uniqueName(`${node.name}_${what}`), Tensor.scalar(dtype, value));
};

/** Moves integer-list attributes to trailing inputs, in order; a missing one becomes an empty input (if later ones exist). */
function attrsToInputs(graph: Graph, node: Node, names: string[]): void {
  const values = names.map((n) => getInts(node.attrs, n));
  const last = values.reduce((at, v, i) => (v ? i : at), -1);
  for (let i = 0; i <= last; i++) {
    const v = values[i];
    node.replaceInput(node.inputs.length, v ? int64s(graph, node, names[i]!, v) : null);
    node.setAttr(names[i]!, undefined);
  }
}

/** An `axes` attribute becomes the second input (Squeeze, Unsqueeze, ReduceX). */
const axesToInput: OpsetAdapter['apply'] = (graph, node) => {
  attrsToInputs(graph, node, ['axes']);
  return undefined;
};

/**
 * Opset 9's Upsample and opset 10's Resize map output to input coordinates as
 * x / scale and take the floor for nearest: opset 11's Resize says so explicitly.
 */
function toResize11(graph: Graph, node: Node): string | undefined {
  const mode = getString(node.attrs, 'mode', 'nearest');
  if (mode !== 'nearest' && mode !== 'linear') return `mode "${mode}" has no opset 11 equivalent`;
  const attrScales = getFloats(node.attrs, 'scales');
  const scales = node.inputs[1] ?? (attrScales && graph.constant(graph.uniqueName(`${node.name}_scales`), Tensor.from('float32', [attrScales.length], attrScales)));
  if (!scales) return 'it has no scales';
  replaceNode(graph, node, 'Resize', [node.inputs[0] ?? null, null, scales], {
    mode: attr.string(mode),
    coordinate_transformation_mode: attr.string('asymmetric'),
    ...(mode === 'nearest' ? { nearest_mode: attr.string('floor') } : {}),
  });
  return undefined;
}

/** Opset < 13 Softmax flattens to 2-D at `axis` (default 1); 13 works along one axis (default -1). */
const softmax13: OpsetAdapter['apply'] = (graph, node) => {
  const rank = node.inputs[0]?.type?.shape?.length;
  const axis = getInt(node.attrs, 'axis', 1);
  if (rank === undefined) return 'its input rank is unknown (give --input-shape)';
  const a = axis < 0 ? axis + rank : axis;
  if (a === rank - 1) {
    node.setAttr('axis', attr.int(-1));
    return undefined;
  }
  // Over all trailing dimensions at once: flatten them, normalise, restore the shape.
  const x = node.inputs[0]!;
  const flat = graph.add('Flatten', [x], { axis: attr.int(a) }, { name: `${node.name}_flatten`, before: node });
  const normalised = graph.add(node.op, [flat.output], { axis: attr.int(-1) }, { name: `${node.name}_2d`, before: node });
  const shape = graph.add('Shape', [x], {}, { name: `${node.name}_shape`, before: node });
  replaceNode(graph, node, 'Reshape', [normalised.output, shape.output], {});
  return undefined;
};

/** Every rewrite, in version order; a model at opset v gets those with version in (v, target]. */
export const ADAPTERS: OpsetAdapter[] = [
  { op: 'Slice', version: 10, apply: (graph, node) => (attrsToInputs(graph, node, ['starts', 'ends', 'axes']), undefined) },
  { op: 'TopK', version: 10, apply: (graph, node) => (attrsToInputs(graph, node, ['k']), undefined) },
  // Upsample is gone at 10; Resize 10 has its semantics and 11 states them as attributes.
  { op: 'Upsample', version: 10, apply: toResize11 },
  {
    op: 'Clip', version: 11, apply: (graph, node) => {
      const min = getFloat(node.attrs, 'min');
      const max = getFloat(node.attrs, 'max');
      if (min !== undefined || max !== undefined) node.replaceInput(1, min !== undefined ? scalarLike(graph, node, 'min', min) : null);
      if (max !== undefined) node.replaceInput(2, scalarLike(graph, node, 'max', max));
      node.setAttr('min', undefined);
      node.setAttr('max', undefined);
      return undefined;
    },
  },
  {
    op: 'Pad', version: 11, apply: (graph, node) => {
      const pads = getInts(node.attrs, 'pads') ?? [];
      node.replaceInput(1, int64s(graph, node, 'pads', pads));
      const value = getFloat(node.attrs, 'value', 0);
      if (value !== 0) node.replaceInput(2, scalarLike(graph, node, 'value', value));
      node.setAttr('pads', undefined);
      node.setAttr('value', undefined);
      return undefined;
    },
  },
  { op: 'Resize', version: 11, apply: (graph, node) => toResize11(graph, node) },
  // Same semantics, new name.
  { op: 'Scatter', version: 11, apply: (graph, node) => (replaceNode(graph, node, 'ScatterElements', node.inputs, { ...node.attrs }), undefined) },
  {
    op: 'Dropout', version: 12, apply: (graph, node) => {
      const ratio = getFloat(node.attrs, 'ratio');
      if (ratio !== undefined) node.replaceInput(1, scalarLike(graph, node, 'ratio', ratio));
      node.setAttr('ratio', undefined);
      return undefined;
    },
  },
  { op: 'Softmax', version: 13, apply: softmax13 },
  { op: 'LogSoftmax', version: 13, apply: softmax13 },
  { op: 'Hardmax', version: 13, apply: softmax13 },
  { op: 'Squeeze', version: 13, apply: axesToInput },
  { op: 'Unsqueeze', version: 13, apply: axesToInput },
  { op: 'ReduceSum', version: 13, apply: axesToInput },
  { op: 'Split', version: 13, apply: (graph, node) => (attrsToInputs(graph, node, ['split']), undefined) },
  ...['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'].map(
    (op): OpsetAdapter => ({ op, version: 18, apply: axesToInput }),
  ),
  {
    op: 'BatchNormalization', version: 9, apply: (_graph, node) => {
      if (getInt(node.attrs, 'spatial', 1) !== 1) return 'spatial = 0 (per-activation statistics) has no later equivalent';
      node.setAttr('spatial', undefined);
      return undefined;
    },
  },
];
