import type { Value } from '@condense/core';
import { BuiltinOperator } from '../generated/tflite_generated.js';
import type { ResolvedOptions } from '../options.js';
import type { TfliteModel } from '../tflite-model.js';
import { LowerContext } from './context.js';
import { NCHW_TO_NHWC, NHWC, NHWC_TO_NCHW, PLAIN, storedShape } from './layout.js';
import type { ExportPlan } from './plan.js';
import { quantizersOf } from './quantized.js';
import { RULES } from './rules/index.js';
import { dims } from './static-values.js';

/** Turns a checked plan into a TFLite model: inputs, each node in order, outputs. */
export function lowerPlan(plan: ExportPlan, options: ResolvedOptions): TfliteModel {
  const ctx = new LowerContext(plan, options);
  for (const v of plan.graph.inputs) lowerInput(ctx, v);
  for (const node of plan.nodes) {
    const rule = RULES.get(node.op)!;
    if (plan.int8.has(node)) rule.int8!.lower(node, ctx);
    else rule.lower(node, ctx);
    ctx.finishNode();
  }
  for (const v of plan.graph.outputs) lowerOutput(ctx, v);
  return ctx.model;
}

/**
 * A graph input: float32, or with int8/uint8 io and only QuantizeLinear
 * readers that agree, the quantized tensor itself (uint8 goes through a
 * QUANTIZE to int8, an exact shift by 128). 4-D inputs are NHWC inside;
 * layout 'nchw' keeps NCHW at the boundary and transposes.
 */
function lowerInput(ctx: LowerContext, v: Value): void {
  const { io, layout } = ctx.options;
  const quantizers = io === 'float32' ? undefined : quantizersOf(v);
  const shape = dims(v);
  const nhwc = shape.length === 4;
  const outer = nhwc && layout === 'nhwc' ? storedShape(shape, NHWC) : shape;
  const boundary = quantizers ? ctx.quantizedTemp(v.name, outer, quantizers.params, io === 'uint8') : ctx.temp(v.name, outer);
  ctx.model.inputs.push(boundary);
  let index = boundary;
  if (quantizers && io === 'uint8') {
    index = ctx.quantizedTemp(`${v.name}_int8`, outer, quantizers.params);
    ctx.emit(BuiltinOperator.QUANTIZE, [boundary], [index]);
  }
  if (nhwc && layout === 'nchw') {
    const inner = ctx.similar(index, `${v.name}_nhwc`, storedShape(shape, NHWC));
    ctx.transposeInto(index, NCHW_TO_NHWC, inner);
    index = inner;
  }
  ctx.bind(v, { index, layout: nhwc ? NHWC : PLAIN });
}

/** A graph output: float32 (dequantized if held in int8), or with int8/uint8 io the quantized tensor; NCHW again with layout 'nchw'. */
function lowerOutput(ctx: LowerContext, v: Value): void {
  const { io, layout } = ctx.options;
  const quantized = io !== 'float32' && ctx.isQuantized(v);
  let index = ctx.read(v, quantized, ctx.layoutOf(v).kind === 'hwc-flat');
  if (ctx.layoutOf(v).kind === 'nhwc' && layout === 'nchw') {
    const nchw = ctx.similar(index, `${v.name}_nchw`, dims(v));
    ctx.transposeInto(index, NHWC_TO_NCHW, nchw);
    index = nchw;
  }
  if (quantized && io === 'uint8') {
    const unsigned = ctx.quantizedTemp(v.name, ctx.shapeOf(index), ctx.paramsOf(index)!, true);
    ctx.emit(BuiltinOperator.QUANTIZE, [index], [unsigned]);
    index = unsigned;
  }
  ctx.model.outputs.push(index);
  nameOutput(ctx.model, index, v.name);
}

/** Signatures name outputs by their tensors: the output tensor takes the ONNX name, and any other tensor holding it steps aside. */
function nameOutput(model: TfliteModel, index: number, name: string): void {
  model.tensors.forEach((t, i) => {
    if (i !== index && t.name === name) t.name = `${name}/internal`;
  });
  model.tensors[index]!.name = name;
}
