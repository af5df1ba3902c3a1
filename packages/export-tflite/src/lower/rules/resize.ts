import { getInt, getString, type Node } from '@condense/core';
import { BuiltinOperator } from '../../generated/tflite_generated.js';
import type { LowerContext } from '../context.js';
import { FIRST_INPUT, type OpRule } from '../rule.js';
import { dims, staticFloats } from '../static-values.js';

interface ResizeFlags {
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

const FLAG_CHOICES: ResizeFlags[] = [
  { alignCorners: false, halfPixelCenters: false },
  { alignCorners: false, halfPixelCenters: true },
  { alignCorners: true, halfPixelCenters: false },
];

/**
 * Resize (opset 11+) of H and W, as RESIZE_BILINEAR or RESIZE_NEAREST_NEIGHBOR.
 * Bilinear maps coordinate modes onto TFLite's two flags; for nearest, the
 * rounding rules differ too, so the export computes, for every output row and
 * column, the source index each side would read and takes flags only where
 * they all agree.
 */
function planResize(node: Node): { op: BuiltinOperator; flags: ResizeFlags } | string {
  const input = dims(node.inputs[0]!);
  const output = dims(node.output);
  if ((node.graph?.root.opset[''] ?? 11) < 11) return 'Resize before opset 11 is not supported; run the upgrade-opset pass first';
  if (input.length !== 4) return 'only 4-D (NCHW) resizes are supported';
  if (input[0] !== output[0] || input[1] !== output[1]) return 'resizing the batch or channel axis is not supported';
  if (node.attrs['axes'] || getInt(node.attrs, 'antialias', 0) !== 0) return 'the axes and antialias attributes are not supported';
  const mode = getString(node.attrs, 'mode', 'nearest');
  const coordinates = getString(node.attrs, 'coordinate_transformation_mode', 'half_pixel');
  const scales = scalesOf(node, input, output);
  if (typeof scales === 'string') return scales;
  const axes = [2, 3].map((a) => ({ input: input[a]!, output: output[a]!, scale: scales[a]! }));
  if (mode === 'linear') {
    // TFLite's scale is in/out (align_corners: (in-1)/(out-1)); ONNX's is the given scale.
    if (coordinates !== 'align_corners' && axes.some((a) => a.output !== a.input * a.scale)) return 'the scales are not the exact ratio of output to input size';
    const flags = bilinearFlags(coordinates, axes);
    return flags ? { op: BuiltinOperator.RESIZE_BILINEAR, flags } : `coordinate_transformation_mode "${coordinates}" has no TFLite equivalent here`;
  }
  if (mode !== 'nearest') return `mode "${mode}" has no TFLite builtin`;
  const rounding = getString(node.attrs, 'nearest_mode', 'round_prefer_floor');
  const flags = FLAG_CHOICES.find((f) =>
    axes.every((a) => Array.from({ length: a.output }, (_, x) => x).every((x) => onnxNearest(x, a, coordinates, rounding) === tfliteNearest(x, a, f))),
  );
  return flags ? { op: BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, flags } : `nearest resize with "${coordinates}" and "${rounding}" picks other pixels than any TFLite setting`;
}

type Axis = { input: number; output: number; scale: number };

function scalesOf(node: Node, input: number[], output: number[]): number[] | string {
  // Inputs (X, roi, scales, sizes); sizes, when given, decide.
  const scaleInput = node.inputs[2];
  const given = scaleInput ? staticFloats(scaleInput) : undefined;
  if (given && given.data.length === 4) return Array.from(given.data);
  if (scaleInput && !given && !node.inputs[3]) return 'the scales must be a constant';
  return output.map((o, i) => o / input[i]!);
}

function bilinearFlags(coordinates: string, axes: Axis[]): ResizeFlags | undefined {
  switch (coordinates) {
    case 'half_pixel':
      return { alignCorners: false, halfPixelCenters: true };
    case 'pytorch_half_pixel':
      // Same as half_pixel except for a size-1 output, which PyTorch samples at 0.
      return axes.every((a) => a.output > 1) ? { alignCorners: false, halfPixelCenters: true } : undefined;
    case 'align_corners':
      return { alignCorners: true, halfPixelCenters: false };
    case 'asymmetric':
      return { alignCorners: false, halfPixelCenters: false };
    default:
      return undefined;
  }
}

const f32 = Math.fround;

/** The input index ONNX Resize (nearest) reads for output index x, computed in float32 as runtimes do. */
function onnxNearest(x: number, a: Axis, coordinates: string, rounding: string): number {
  let original: number;
  switch (coordinates) {
    case 'half_pixel':
      original = f32(f32(x + 0.5) / a.scale) - 0.5;
      break;
    case 'pytorch_half_pixel':
      original = a.output > 1 ? f32(f32(x + 0.5) / a.scale) - 0.5 : 0;
      break;
    case 'align_corners':
      original = a.output === 1 ? 0 : f32(x * f32((a.input - 1) / (a.output - 1)));
      break;
    case 'tf_half_pixel_for_nn':
      original = f32(f32(x + 0.5) / a.scale);
      break;
    case 'asymmetric':
      original = f32(x / a.scale);
      break;
    default:
      return -1;
  }
  const fraction = original - Math.floor(original);
  let index: number;
  if (rounding === 'floor') index = Math.floor(original);
  else if (rounding === 'ceil') index = Math.ceil(original);
  else if (fraction === 0.5) index = rounding === 'round_prefer_ceil' ? Math.ceil(original) : Math.floor(original);
  else index = Math.round(original);
  return Math.min(Math.max(index, 0), a.input - 1);
}

/** The input index TFLite's RESIZE_NEAREST_NEIGHBOR reads for output index x. */
function tfliteNearest(x: number, a: Axis, f: ResizeFlags): number {
  const scale = f.alignCorners && a.output > 1 ? f32((a.input - 1) / (a.output - 1)) : f32(a.input / a.output);
  const offset = f.halfPixelCenters ? 0.5 : 0;
  const position = f32(f32(x + offset) * scale);
  // Round half away from zero when aligning corners, floor otherwise.
  const index = f.alignCorners ? Math.sign(position) * Math.round(Math.abs(position)) : Math.floor(position);
  return Math.max(Math.min(index, a.input - 1), 0);
}

export const resize: OpRule = {
  operands: FIRST_INPUT,
  check(node) {
    const plan = planResize(node);
    return typeof plan === 'string' ? plan : undefined;
  },
  lower: (node, ctx) => lowerResize(node, ctx, false),
  // int8 resizes keep the input's scale.
  int8: { check: () => undefined, lower: (node, ctx) => lowerResize(node, ctx, true) },
};

function lowerResize(node: Node, ctx: LowerContext, quantized: boolean): void {
  const { op, flags } = planResize(node) as { op: BuiltinOperator; flags: ResizeFlags };
  const [, , h, w] = dims(node.output);
  const size = ctx.int32(`${node.name}/size`, [h!, w!]);
  const input = ctx.read(node.inputs[0]!, quantized);
  const out = ctx.output(node, { params: ctx.paramsOf(input) });
  ctx.emit(op, [input, size], [out.index], { kind: 'resize', ...flags });
}
