import { attr, type Attr } from '@condense/core';
import type { OvLayer } from '../../ir/model.js';
import type { RaiseContext } from '../context.js';
import { foldableBias, onnxPadding, type RaiseRule } from './rule.js';

function windowAttrs(layer: OvLayer, ctx: RaiseContext, spatial: number): Record<string, Attr> {
  const a = ctx.attrs(layer);
  return { strides: attr.ints(a.ints('strides')), dilations: attr.ints(a.ints('dilations', new Array<number>(spatial).fill(1))), ...onnxPadding(a, spatial) };
}

/**
 * Convolution and GroupConvolution → Conv (grouped weights [G, O/G, ...] back
 * to [O, ...]); ConvolutionBackpropData and its grouped form → ConvTranspose.
 * A following per-channel Add becomes the bias.
 */
const convolution = (transposed: boolean, grouped: boolean): RaiseRule => (layer, ctx) => {
  if (transposed && layer.inputs.length > 2) throw ctx.fail(layer, 'an output_shape input is not supported');
  const w = layer.inputs[1]!.dims;
  const rank = layer.inputs[0]!.dims.length;
  const groups = grouped ? w[0]! : 1;
  const shape = grouped ? [w[0]! * w[1]!, ...w.slice(2)] : [...w];
  const attrs = windowAttrs(layer, ctx, rank - 2);
  attrs['kernel_shape'] = attr.ints(w.slice(w.length - (rank - 2)));
  if (groups !== 1) attrs['group'] = attr.int(groups);
  if (transposed) {
    const padding = ctx.attrs(layer).ints('output_padding', []);
    if (padding.some((p) => p !== 0)) attrs['output_padding'] = attr.ints(padding);
  }
  const outChannels = layer.outputs[0]!.dims[1]!;
  const bias = foldableBias(layer, ctx, outChannels, rank, 1);
  const inputs = [ctx.input(layer, 0), ctx.input(layer, 1, shape), ...(bias ? [bias.bias] : [])];
  ctx.raise(layer, transposed ? 'ConvTranspose' : 'Conv', inputs, attrs, bias?.add);
};

export const CONV_RAISE: Record<string, RaiseRule> = {
  Convolution: convolution(false, false),
  GroupConvolution: convolution(false, true),
  ConvolutionBackpropData: convolution(true, false),
  GroupConvolutionBackpropData: convolution(true, true),
};
