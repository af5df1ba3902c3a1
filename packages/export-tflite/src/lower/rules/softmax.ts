import { getInt, type Node } from '@condense/core';
import { BuiltinOperator } from '../../generated/tflite_generated.js';
import { NHWC_AXIS_OF } from '../layout.js';
import { FIRST_INPUT, type OpRule } from '../rule.js';
import { dims } from '../static-values.js';

/**
 * TFLite's SOFTMAX runs along the last axis. From opset 13 ONNX's runs along
 * `axis`; before, over all axes from `axis` on, flattened, which is the same
 * thing when the axes between `axis` and the last have size 1.
 */
function lastAxisEquivalent(node: Node): boolean {
  const shape = dims(node.inputs[0]!);
  const rank = shape.length;
  const opset = node.graph?.root.opset[''] ?? 13;
  let axis = getInt(node.attrs, 'axis', opset < 13 ? 1 : -1);
  if (axis < 0) axis += rank;
  // Axes ONNX normalizes over, in NHWC terms when the tensor is stored that way.
  const over = opset < 13 ? [...Array(rank).keys()].slice(axis) : [axis];
  const stored = rank === 4 ? over.map((a) => NHWC_AXIS_OF[a]!) : over;
  const last = rank - 1;
  if (!stored.includes(last)) return false;
  return over.every((a, i) => stored[i] === last || shape[a] === 1);
}

export const softmax: OpRule = {
  operands: FIRST_INPUT,
  check(node) {
    return lastAxisEquivalent(node) ? undefined : "the softmax axis is not the stored tensor's last axis (after NHWC), which TFLite's SOFTMAX needs";
  },
  lower(node, ctx) {
    const x = node.inputs[0]!;
    const input = ctx.layoutOf(x).kind === 'hwc-flat' ? ctx.plainInput(x) : ctx.input(x);
    const out = ctx.output(node);
    ctx.emit(BuiltinOperator.SOFTMAX, [input], [out.index], { kind: 'softmax', beta: 1 });
  },
};
