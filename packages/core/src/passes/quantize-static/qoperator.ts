import { getFloat } from '../../ir/attr.js';
import { constantOf } from '../../ir/constant.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import { Tensor } from '../../tensor/tensor.js';

/** The QuantizeLinear/DequantizeLinear operands of a value: quantized data, scale, zero point. */
type Quantized = [Value, Value, Value];

/**
 * The operands of `v` = DequantizeLinear(x, scale, zero point). QLinearConv
 * needs every zero point, so an omitted one (0, the default) is made explicit.
 */
function dequantized(graph: Graph, v: Value | null | undefined): { node: Node; operands: Quantized } | undefined {
  const dq = v?.producer();
  if (!dq || dq.op !== 'DequantizeLinear' || dq.domain !== '') return undefined;
  const [x, s, zp] = dq.inputs;
  const xType = constantOf(x)?.dtype ?? x?.type?.dtype;
  const scale = constantOf(s);
  if (!x || !s || (!zp && (!xType || !scale))) return undefined;
  const zero = zp ?? graph.constant(graph.uniqueName(`${x.name}_zero_point`), Tensor.from(xType!, scale!.shape, new Array<number>(scale!.size).fill(0)));
  return { node: dq, operands: [x, s, zero] };
}

/** Whether Relu or Clip(0, max) before `q` is implied by q's saturation: q's range starts at 0 and goes no higher than max. */
function absorbedBy(activation: Node, q: Node): boolean {
  const zp = constantOf(q.inputs[2]);
  if (!zp || zp.toNumbers()[0] !== 0 || zp.dtype !== 'uint8') return false;
  if (activation.op === 'Relu') return true;
  if (activation.op !== 'Clip') return false;
  const lo = constantOf(activation.inputs[1])?.toNumbers()[0] ?? getFloat(activation.attrs, 'min');
  const hi = constantOf(activation.inputs[2])?.toNumbers()[0] ?? getFloat(activation.attrs, 'max');
  const scale = constantOf(q.inputs[1])?.toNumbers()[0];
  return lo === 0 && hi !== undefined && scale !== undefined && 255 * scale <= hi;
}

/** The QuantizeLinear that is the only reader of a Conv's output, through an absorbed activation or directly. */
function outputQuantizer(conv: Node): Node | undefined {
  const out = conv.outputs[0];
  if (!out || out.isGraphOutput() || out.useCount !== 1) return undefined;
  const reader = out.uses()[0]!.node;
  if (reader.op === 'QuantizeLinear') return reader;
  const act = reader.output;
  if (act.isGraphOutput() || act.useCount !== 1) return undefined;
  const q = act.uses()[0]!.node;
  return q.op === 'QuantizeLinear' && absorbedBy(reader, q) ? q : undefined;
}

/**
 * Rewrites the QDQ form around Conv into QOperator form: DQ → Conv → [Relu] → Q
 * becomes one QLinearConv reading and producing the quantized tensors (what
 * runtimes without QDQ fusion, and older toolchains, expect). Other quantized
 * ops keep their QDQ form. Returns the number of Convs rewritten.
 */
export function toQOperator(graph: Graph): number {
  let rewritten = 0;
  for (const conv of [...graph]) {
    if (conv.op !== 'Conv' || conv.domain !== '') continue;
    const x = dequantized(graph, conv.inputs[0]);
    const w = dequantized(graph, conv.inputs[1]);
    const b = conv.inputs[2] ? dequantized(graph, conv.inputs[2]) : undefined;
    const q = outputQuantizer(conv);
    if (!x || !w || !q || (conv.inputs[2] && !b)) continue;
    const [, yScale, yZp] = q.inputs;
    const inputs = [...x.operands, ...w.operands, yScale!, yZp!, ...(b ? [b.operands[0]] : [])];
    const qconv = graph.add('QLinearConv', inputs, { ...conv.attrs }, { name: `${conv.name}_quantized`, before: conv });
    const out = q.output;
    out.replaceAllUsesWith(qconv.output, { replaceGraphOutputs: true });
    qconv.output.type = out.type;
    // The Conv, its activation and the Q are now dead; the DQs too unless something else reads them.
    const chain = [q, ...(q.inputs[0]!.producer() !== conv ? [q.inputs[0]!.producer()!] : []), conv];
    graph.remove(chain);
    graph.rename(qconv.output, out.name);
    for (const dq of [x, w, b]) if (dq && dq.node.outputs.every((o) => !o || (o.useCount === 0 && !o.isGraphOutput()))) graph.remove([dq.node]);
    rewritten++;
  }
  return rewritten;
}
