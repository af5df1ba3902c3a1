import { getInt, getInts, getString, type Node, type Value } from '@condense/core';
import { NCHW_AS_NHWC } from '../../layout.js';
import type { ExportContext } from '../context.js';
import { tfAttr } from '../graph-def.js';
import type { Rule } from './rule.js';

/** Spatial sizes [h, w] of a 4-D NCHW value, when known. */
function spatial(ctx: ExportContext, v: Value | null | undefined): [number, number] | undefined {
  const s = v ? ctx.shape(v) : undefined;
  return s?.length === 4 ? [s[2]!, s[3]!] : undefined;
}

/**
 * ConvTranspose as tf's Conv2DBackpropInput (conv2dTranspose): both compute
 * y[i*s + t - pad_begin] += x[i] * w[t], and the output size given to tf
 * (output_padding included) fixes where the end is cut.
 */
export const convTranspose: Rule = {
  check(node, ctx) {
    const w = ctx.shape(node.inputs[1]!);
    if (w?.length !== 4 || !ctx.isConstant(node.inputs[1])) return 'tfjs runs 2-D transposed convolutions only, with constant weights of known shape';
    if (getInt(node.attrs, 'group', 1) !== 1) return 'grouped transposed convolution has no tfjs op';
    if ((getInts(node.attrs, 'dilations') ?? [1, 1]).some((d) => d !== 1)) return 'tfjs transposed convolution has no dilations';
    // Runtimes disagree on where SAME_* puts the odd pad of a transposed convolution; explicit pads are unambiguous.
    if (getString(node.attrs, 'auto_pad', 'NOTSET').startsWith('SAME')) return 'auto_pad SAME_UPPER/SAME_LOWER on a transposed convolution (give explicit pads)';
    const shape = ctx.shape(node.outputs[0]!);
    if (shape?.length !== 4) return 'the output shape must be known (pin the inputs with the inputShapes option)';
    return undefined;
  },
  emit(node, ctx) {
    const [x, weight, bias] = node.inputs;
    const y = node.outputs[0]!;
    const [n, c, h, w] = ctx.shape(y)!;
    const pads = getInts(node.attrs, 'pads') ?? [0, 0, 0, 0];
    const [top, left, bottom, right] = getString(node.attrs, 'auto_pad', 'NOTSET') === 'VALID' ? [0, 0, 0, 0] : (pads as [number, number, number, number]);
    const strides = getInts(node.attrs, 'strides') ?? [1, 1];
    const explicit = [top, bottom, left, right].some((p) => p !== 0);
    const attrs = {
      strides: tfAttr.ints([1, strides[0]!, strides[1]!, 1]),
      dilations: tfAttr.ints([1, 1, 1, 1]),
      padding: tfAttr.s(explicit ? 'EXPLICIT' : 'VALID'),
      data_format: tfAttr.s('NHWC'),
      T: tfAttr.type('float32'),
      ...(explicit ? { explicit_paddings: tfAttr.ints([0, 0, top, bottom, left, right, 0, 0]) } : {}),
    };
    // ONNX [C_in, C_out, kh, kw] to tf's [kh, kw, C_out, C_in].
    const filter = ctx.placed(weight!, { perm: [2, 3, 1, 0] });
    const size = ctx.int32(`${y.name}/output_shape`, [n!, h!, w!, c!]);
    const input = ctx.want(x!, NCHW_AS_NHWC);
    if (!bias) {
      ctx.emit(y, 'Conv2DBackpropInput', [size, filter, input], NCHW_AS_NHWC, attrs);
      return;
    }
    const conv = ctx.writer.op('Conv2DBackpropInput', `${y.name}/conv`, [size, filter, input], attrs);
    ctx.emit(y, 'BiasAdd', [conv, ctx.placed(bias, { perm: [0] })], NCHW_AS_NHWC, { T: tfAttr.type('float32'), data_format: tfAttr.s('NHWC') });
  },
};

/** Upsample, and Resize before opset 11 (X and scales only), scale as Upsample does: asymmetric coordinates, nearest rounding down. */
const isLegacy = (node: Node, ctx: ExportContext) => node.op === 'Upsample' || (ctx.graph.opset[''] ?? 11) < 11;

type ResizeForm = { op: 'ResizeBilinear' | 'ResizeNearestNeighbor'; alignCorners: boolean; halfPixelCenters: boolean };

/** Scales of N and C must be 1; sizes from the output shape; each output size an exact multiple of the input's when scales were given. */
function resizeProblem(node: Node, ctx: ExportContext): string | undefined {
  const from = spatial(ctx, node.inputs[0]);
  const to = ctx.shape(node.outputs[0]!);
  if (!from || to?.length !== 4) return 'tfjs resizes 4-D images of known size only';
  const input = ctx.shape(node.inputs[0]!)!;
  if (input[0] !== to[0] || input[1] !== to[1]) return 'only height and width may be resized';
  // Scales (not sizes) give ONNX a ratio that tfjs recomputes from the sizes: the two agree when out = in * scale exactly.
  const scales = isLegacy(node, ctx) ? ctx.numbers(node.inputs[1]) : node.inputs[2] && ctx.numbers(node.inputs[2]);
  if (scales?.length === 4 && !(node.inputs[3] && ctx.numbers(node.inputs[3])?.length) && [0, 1].some((i) => from[i]! * scales[i + 2]! !== to[i + 2])) {
    return 'scales that do not give whole output sizes (tfjs computes the ratio from the sizes)';
  }
  if (node.op === 'Resize' && getString(node.attrs, 'mode', 'nearest') === 'cubic') return 'cubic resizing has no tfjs op';
  return undefined;
}

/**
 * The tf resize op computing what this Resize computes: linear with
 * half_pixel (pytorch_half_pixel when no size becomes 1), asymmetric or
 * align_corners; nearest with asymmetric + floor (PyTorch's upsampling),
 * half_pixel + round_prefer_ceil, or half_pixel + round_prefer_floor at whole
 * upscaling factors (where the two roundings never meet a tie).
 */
function resizeForm(node: Node, ctx: ExportContext): ResizeForm | string {
  const upsample = isLegacy(node, ctx);
  const mode = getString(node.attrs, 'mode', 'nearest');
  const coords = upsample ? 'asymmetric' : getString(node.attrs, 'coordinate_transformation_mode', 'half_pixel');
  const nearest = upsample ? 'floor' : getString(node.attrs, 'nearest_mode', 'round_prefer_floor');
  if (!upsample && getInt(node.attrs, 'exclude_outside', 0) !== 0) return 'exclude_outside';
  if (!upsample && getInts(node.attrs, 'axes')) return 'Resize with axes';
  if (getString(node.attrs, 'keep_aspect_ratio_policy', 'stretch') !== 'stretch') return 'keep_aspect_ratio_policy other than stretch';
  const from = spatial(ctx, node.inputs[0])!;
  const to = spatial(ctx, node.outputs[0])!;
  const halfPixel = coords === 'half_pixel' || (coords === 'pytorch_half_pixel' && to.every((d) => d > 1));
  if (mode === 'linear' || mode === 'bilinear') {
    if (halfPixel) return { op: 'ResizeBilinear', alignCorners: false, halfPixelCenters: true };
    if (coords === 'asymmetric') return { op: 'ResizeBilinear', alignCorners: false, halfPixelCenters: false };
    if (coords === 'align_corners') return { op: 'ResizeBilinear', alignCorners: true, halfPixelCenters: false };
    return `linear resizing with coordinate_transformation_mode ${coords}`;
  }
  if (mode !== 'nearest') return `mode ${mode}`;
  if (coords === 'asymmetric' && nearest === 'floor') return { op: 'ResizeNearestNeighbor', alignCorners: false, halfPixelCenters: false };
  const wholeUpscale = [0, 1].every((i) => to[i]! % from[i]! === 0);
  if (halfPixel && (nearest === 'round_prefer_ceil' || (nearest === 'round_prefer_floor' && wholeUpscale))) return { op: 'ResizeNearestNeighbor', alignCorners: false, halfPixelCenters: true };
  return `nearest resizing with coordinate_transformation_mode ${coords} and nearest_mode ${nearest}${nearest === 'round_prefer_floor' ? ' at a factor that is not a whole upscale' : ''}`;
}

/** ONNX Resize (opset 10+) and Upsample as tf's ResizeBilinear / ResizeNearestNeighbor on NHWC images. */
export const resize: Rule = {
  check(node, ctx) {
    const problem = resizeProblem(node, ctx);
    if (problem) return problem;
    const form = resizeForm(node, ctx);
    return typeof form === 'string' ? `${form} has no tfjs resize equivalent` : undefined;
  },
  emit(node, ctx) {
    const y = node.outputs[0]!;
    const form = resizeForm(node, ctx) as ResizeForm;
    const size = ctx.int32(`${y.name}/size`, spatial(ctx, y)!);
    ctx.emit(y, form.op, [ctx.want(node.inputs[0]!, NCHW_AS_NHWC), size], NCHW_AS_NHWC, {
      align_corners: tfAttr.b(form.alignCorners),
      half_pixel_centers: tfAttr.b(form.halfPixelCenters),
      T: tfAttr.type('float32'),
    });
  },
};
