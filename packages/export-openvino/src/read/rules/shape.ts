import { Tensor, attr, type Attr, type Value } from '@condense/core';
import type { OvLayer } from '../../ir/model.js';
import type { RaiseContext } from '../context.js';
import type { RaiseRule } from './rule.js';

function ints(ctx: RaiseContext, values: readonly number[], name: string): Value {
  return ctx.graph.constant(name, Tensor.from('int64', [values.length], values.map(BigInt)));
}

function constantInput(layer: OvLayer, ctx: RaiseContext, i: number, what: string): number[] {
  const v = ctx.numbers(layer, i);
  if (!v) throw ctx.fail(layer, `${what} must be constant`);
  return v;
}

/** Reshape: OpenVINO's special_zero is ONNX's default (0 copies); without it a 0 is a real size (allowzero). */
const reshape: RaiseRule = (layer, ctx) => {
  const target = constantInput(layer, ctx, 1, 'the target shape');
  const special = ctx.attrs(layer).bool('special_zero');
  const attrs: Record<string, Attr> = !special && target.includes(0) ? { allowzero: attr.int(1) } : {};
  ctx.raise(layer, 'Reshape', [ctx.input(layer, 0), ints(ctx, target, `${layer.name}_shape`)], attrs);
};

const squeeze: RaiseRule = (layer, ctx) => {
  const axes = layer.inputs.length > 1 ? constantInput(layer, ctx, 1, 'the axes') : undefined;
  ctx.raise(layer, 'Squeeze', [ctx.input(layer, 0), ...(axes ? [ints(ctx, axes, `${layer.name}_axes`)] : [])]);
};

const unsqueeze: RaiseRule = (layer, ctx) => {
  ctx.raise(layer, 'Unsqueeze', [ctx.input(layer, 0), ints(ctx, constantInput(layer, ctx, 1, 'the axes'), `${layer.name}_axes`)]);
};

const concat: RaiseRule = (layer, ctx) => {
  ctx.raise(layer, 'Concat', layer.inputs.map((_, i) => ctx.input(layer, i)), { axis: attr.int(ctx.attrs(layer).int('axis')) });
};

const transpose: RaiseRule = (layer, ctx) => {
  const order = constantInput(layer, ctx, 1, 'the order');
  ctx.raise(layer, 'Transpose', [ctx.input(layer, 0)], order.length ? { perm: attr.ints(order) } : {});
};

const gather: RaiseRule = (layer, ctx) => {
  const axis = constantInput(layer, ctx, 2, 'the axis');
  if (ctx.attrs(layer).int('batch_dims', 0) !== 0) throw ctx.fail(layer, 'batch_dims other than 0 is not supported');
  ctx.raise(layer, 'Gather', [ctx.input(layer, 0), ctx.input(layer, 1)], { axis: attr.int(axis[0]!) });
};

const PAD_MODES: Record<string, string> = { constant: 'constant', edge: 'edge', reflect: 'reflect' };

const pad: RaiseRule = (layer, ctx) => {
  const mode = PAD_MODES[ctx.attrs(layer).string('pad_mode').toLowerCase()];
  if (!mode) throw ctx.fail(layer, `pad_mode "${ctx.attrs(layer).string('pad_mode')}" has no ONNX counterpart`);
  const pads = [...constantInput(layer, ctx, 1, 'pads_begin'), ...constantInput(layer, ctx, 2, 'pads_end')];
  const inputs = [ctx.input(layer, 0), ints(ctx, pads, `${layer.name}_pads`)];
  if (layer.inputs.length > 3) inputs.push(ctx.input(layer, 3));
  ctx.raise(layer, 'Pad', inputs, { mode: attr.string(mode) });
};

const INTERPOLATE_MODES: Record<string, string> = { nearest: 'nearest', linear_onnx: 'linear', cubic: 'cubic' };

/** Interpolate-11 → Resize-18 with `axes`, sizes or scales for those axes. */
const interpolate: RaiseRule = (layer, ctx) => {
  const a = ctx.attrs(layer);
  const mode = INTERPOLATE_MODES[a.string('mode')];
  if (!mode) throw ctx.fail(layer, `mode "${a.string('mode')}" has no ONNX Resize counterpart`);
  if ([...a.ints('pads_begin', []), ...a.ints('pads_end', [])].some((p) => p !== 0)) throw ctx.fail(layer, 'padding before interpolation is not supported');
  const rank = layer.inputs[0]!.dims.length;
  const values = constantInput(layer, ctx, 1, 'the sizes or scales');
  const axes = layer.inputs.length > 2 ? constantInput(layer, ctx, 2, 'the axes') : Array.from({ length: rank }, (_, i) => i);
  const sizes = a.string('shape_calculation_mode') === 'sizes';
  const target = sizes ? ints(ctx, values, `${layer.name}_sizes`) : ctx.graph.constant(`${layer.name}_scales`, Tensor.from('float32', [values.length], values));
  const attrs: Record<string, Attr> = {
    mode: attr.string(mode),
    axes: attr.ints(axes),
    coordinate_transformation_mode: attr.string(a.string('coordinate_transformation_mode', 'half_pixel')),
    nearest_mode: attr.string(a.string('nearest_mode', 'round_prefer_floor')),
    cubic_coeff_a: attr.float(a.float('cube_coeff', -0.75)),
  };
  if (a.bool('antialias', false)) attrs['antialias'] = attr.int(1);
  ctx.raise(layer, 'Resize', [ctx.input(layer, 0), null, sizes ? null : target, sizes ? target : null], attrs);
};

export const SHAPE_RAISE: Record<string, RaiseRule> = {
  Reshape: reshape,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Concat: concat,
  Transpose: transpose,
  Gather: gather,
  Pad: pad,
  Interpolate: interpolate,
};
