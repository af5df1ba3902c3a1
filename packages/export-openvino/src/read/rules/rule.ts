import { attr, type Attr, type Value } from '@condense/core';
import type { LayerAttrs } from '../../ops/attrs.js';
import type { OvLayer } from '../../ir/model.js';
import type { RaiseContext } from '../context.js';

/** How one OpenVINO layer type becomes ONNX nodes. */
export type RaiseRule = (layer: OvLayer, ctx: RaiseContext) => void;

/** OpenVINO's auto_pad and pads_begin/pads_end as ONNX's auto_pad or pads attribute. */
export function onnxPadding(attrs: LayerAttrs, spatial: number): Record<string, Attr> {
  const autoPad = ({ same_upper: 'SAME_UPPER', same_lower: 'SAME_LOWER', valid: 'VALID' } as Record<string, string>)[attrs.string('auto_pad', 'explicit').toLowerCase()];
  if (autoPad) return { auto_pad: attr.string(autoPad) };
  const zeros = new Array<number>(spatial).fill(0);
  return { pads: attr.ints([...attrs.ints('pads_begin', zeros), ...attrs.ints('pads_end', zeros)]) };
}

/**
 * An Add right after `layer` whose other operand is static and holds one value
 * per channel at `axis` (counted from the end for dense layers): ONNX takes it
 * as the Conv or Gemm bias. Returns the bias as [channels] and the Add it absorbs.
 */
export function foldableBias(layer: OvLayer, ctx: RaiseContext, channels: number, rank: number, axis: number): { bias: Value; add: OvLayer } | undefined {
  const reader = ctx.soleReader(layer, 'Add');
  if (!reader || channels < 0) return undefined;
  const add = reader.layer;
  const other = 1 - reader.index;
  if (!ctx.static(add, other)) return undefined;
  const dims = add.inputs[other]!.dims;
  if (dims.length > rank) return undefined;
  const full = [...new Array<number>(rank - dims.length).fill(1), ...dims];
  if (!full.every((d, i) => (i === axis ? d === channels : d === 1))) return undefined;
  // The Add's output must keep the layer's shape (the bias broadcasts into it, never the other way).
  const out = layer.outputs[0]!.dims;
  if (add.outputs[0]!.dims.join() !== out.join()) return undefined;
  ctx.absorb(add);
  return { bias: ctx.input(add, other, [channels]), add };
}
