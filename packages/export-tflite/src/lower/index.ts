import type { ResolvedOptions } from '../options.js';
import type { TfliteModel } from '../tflite-model.js';
import { LowerContext } from './context.js';
import { NCHW_TO_NHWC, NHWC, NHWC_TO_NCHW, PLAIN, storedShape } from './layout.js';
import type { ExportPlan } from './plan.js';
import { RULES } from './rules/index.js';
import { dims } from './static-values.js';

/** Turns a checked plan into a TFLite model: boundary layout, then each node in order. */
export function lowerPlan(plan: ExportPlan, options: ResolvedOptions): TfliteModel {
  const ctx = new LowerContext(plan, options);
  for (const v of plan.graph.inputs) {
    const shape = dims(v);
    if (shape.length !== 4) {
      const index = ctx.temp(v.name, shape);
      ctx.bind(v, { index, layout: PLAIN });
      ctx.model.inputs.push(index);
      continue;
    }
    const nhwcShape = storedShape(shape, NHWC);
    if (options.layout === 'nhwc') {
      const index = ctx.temp(v.name, nhwcShape);
      ctx.bind(v, { index, layout: NHWC });
      ctx.model.inputs.push(index);
    } else {
      const index = ctx.temp(v.name, shape);
      const inner = ctx.temp(`${v.name}_nhwc`, nhwcShape);
      ctx.transposeInto(index, NCHW_TO_NHWC, inner);
      ctx.bind(v, { index: inner, layout: NHWC });
      ctx.model.inputs.push(index);
    }
  }
  for (const node of plan.nodes) RULES.get(node.op)!.lower(node, ctx);
  for (const v of plan.graph.outputs) {
    const ref = ctx.ref(v);
    if (ref.layout.kind === 'nhwc' && options.layout === 'nchw') {
      const index = ctx.temp(v.name, dims(v));
      ctx.transposeInto(ref.index, NHWC_TO_NCHW, index);
      ctx.model.outputs.push(index);
    } else {
      ctx.model.outputs.push(ref.layout.kind === 'hwc-flat' ? ctx.plainInput(v) : ref.index);
    }
  }
  return ctx.model;
}
