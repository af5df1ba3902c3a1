import { constantOf, type Node, type PassRecord, type Value } from '@condense/core';
import { isWeightedOp, type GraphFacts } from './graph-facts.js';

/** Readers a pass may fold into the layer before them, which changes what the layer's output holds. */
const AFFINE = new Set(['BatchNormalization', 'Mul', 'Add', 'Sub', 'Div']);
/** Activations a per-channel scale passes through (what equalize-cross-layer equalizes across). */
const HOMOGENEOUS = new Set(['Relu', 'LeakyRelu']);

const soleReader = (v: Value): Node | undefined => (v.useCount === 1 && !v.isGraphOutput() ? v.uses()[0]!.node : undefined);

/** A reader that applies constants to the layer's output (BatchNorm, or an elementwise op with a constant operand). */
function isAffineReader(node: Node, layerOutput: Value): boolean {
  if (node.domain !== '' || !AFFINE.has(node.op)) return false;
  if (node.op === 'BatchNormalization') return true;
  return node.inputs.some((v) => v && v !== layerOutput && constantOf(v) !== undefined);
}

/** Feeds the next weighted layer directly or through one homogeneous activation: a pair equalize-cross-layer may rescale. */
function feedsLayer(v: Value): boolean {
  const reader = soleReader(v);
  if (!reader) return false;
  if (isWeightedOp(reader)) return true;
  return HOMOGENEOUS.has(reader.op) && !!reader.outputs[0] && !!soleReader(reader.outputs[0]) && isWeightedOp(soleReader(reader.outputs[0])!);
}

/**
 * Which layers' outputs can be compared between the models by name, and why
 * not for the others. A comparison is only made where the compressed model's
 * value of that name still means the same thing: passes that fold a BatchNorm
 * or an affine op into a layer keep the layer's output name for the folded
 * result, and equalize-cross-layer rescales the first layer of each pair per
 * channel; such a layer gets no SQNR rather than a wrong one. (Values whose
 * shape or type changed are caught when the tensors arrive.)
 */
export function comparability(before: GraphFacts, after: GraphFacts, passes: PassRecord[]): Map<Node, string | undefined> {
  const equalized = passes.some((p) => p.pass === 'equalize-cross-layer' && p.changed);
  const result = new Map<Node, string | undefined>();
  for (const layer of before.layers) {
    const out = layer.outputs[0];
    const twin = out && after.graph.value(out.name);
    const producer = twin?.producer();
    if (!out || !twin || !producer || after.loadTime.has(producer) || constantOf(twin)) {
      result.set(layer, 'the compressed model computes no value of the same name');
      continue;
    }
    const folded = out.uses().find(({ node }) => isAffineReader(node, out) && !twin.uses().some((u) => u.node.op === node.op));
    if (folded) result.set(layer, `its ${folded.node.op} was folded into it, so its output holds a different quantity`);
    else if (equalized && feedsLayer(out)) result.set(layer, 'equalize-cross-layer rescaled its output channels');
    else result.set(layer, undefined);
  }
  return result;
}
