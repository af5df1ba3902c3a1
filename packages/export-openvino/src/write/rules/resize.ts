import { getFloat, getInt, getInts, getString, type Node } from '@condense/core';
import type { StaticResolver } from '../statics.js';
import { dimsOf, rankOf, zeros, type LowerRule } from './rule.js';

const MODES: Record<string, string> = { nearest: 'nearest', linear: 'linear_onnx', cubic: 'cubic' };
const TRANSFORMS = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn'];
const NEAREST = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

interface ResizePlan {
  mode: 'sizes' | 'scales';
  axes: number[];
  values: number[];
}

/**
 * Resize's target as Interpolate wants it: sizes or scales for the axes that
 * change. Resize-10 takes scales as input 1; from 11 scales are input 2 and
 * sizes input 3, optionally for a subset of `axes` (18).
 */
function planOf(node: Node, statics: StaticResolver): ResizePlan | string {
  const rank = rankOf(node.inputs[0]);
  if (rank === undefined) return 'the input rank must be known';
  const legacy = (node.graph?.root.opset[''] ?? 11) < 11;
  const scalesInput = node.inputs[legacy ? 1 : 2];
  const sizesInput = legacy ? null : node.inputs[3];
  const given = sizesInput ? statics.numbers(sizesInput) : statics.numbers(scalesInput);
  if (!given) return 'scales or sizes must be constant';
  const axes = (getInts(node.attrs, 'axes') ?? Array.from({ length: rank }, (_, i) => i)).map((a) => (a + rank) % rank);
  if (given.length !== axes.length) return `${given.length} ${sizesInput ? 'sizes' : 'scales'} for ${axes.length} axes`;
  const dims = dimsOf(node.inputs[0])!;
  // Axes that do not change are left out, so linear resizes of [N, C, H, W] touch only H and W, as OpenVINO's linear_onnx requires.
  const keep = axes.flatMap((a, i) => ((sizesInput ? given[i] !== dims[a] : given[i] !== 1) ? [i] : []));
  return { mode: sizesInput ? 'sizes' : 'scales', axes: keep.map((i) => axes[i]!), values: keep.map((i) => given[i]!) };
}

function resizeProblem(node: Node, statics: StaticResolver): string | undefined {
  const mode = getString(node.attrs, 'mode', 'nearest');
  if (!MODES[mode]) return `mode "${mode}" is not supported`;
  const transform = getString(node.attrs, 'coordinate_transformation_mode', 'half_pixel');
  if (!TRANSFORMS.includes(transform)) return `coordinate_transformation_mode "${transform}" is not supported`;
  if (!NEAREST.includes(getString(node.attrs, 'nearest_mode', 'round_prefer_floor'))) return `nearest_mode "${getString(node.attrs, 'nearest_mode', '')}" is not supported`;
  if (getInt(node.attrs, 'exclude_outside', 0)) return 'exclude_outside is not supported';
  if (getString(node.attrs, 'keep_aspect_ratio_policy', 'stretch') !== 'stretch') return 'keep_aspect_ratio_policy other than stretch is not supported';
  const plan = planOf(node, statics);
  if (typeof plan === 'string') return plan;
  const rank = rankOf(node.inputs[0])!;
  if (mode === 'linear' && plan.axes.some((a) => a < rank - 2 && rank === 4)) return 'linear resizing of the batch or channel axis is not supported';
  return undefined;
}

const resize: LowerRule = {
  check: resizeProblem,
  reads: () => [0],
  lower: (node, ctx) => {
    const plan = planOf(node, ctx.statics) as ResizePlan;
    const rank = rankOf(node.inputs[0])!;
    const data = {
      mode: MODES[getString(node.attrs, 'mode', 'nearest')]!,
      shape_calculation_mode: plan.mode,
      coordinate_transformation_mode: getString(node.attrs, 'coordinate_transformation_mode', 'half_pixel'),
      nearest_mode: getString(node.attrs, 'nearest_mode', 'round_prefer_floor'),
      antialias: getInt(node.attrs, 'antialias', 0) === 1,
      pads_begin: zeros(rank),
      pads_end: zeros(rank),
      cube_coeff: getFloat(node.attrs, 'cubic_coeff_a', -0.75),
    };
    const target = plan.mode === 'sizes' ? ctx.ints(plan.values, `${node.name}/sizes`) : ctx.floats(plan.values, `${node.name}/scales`);
    ctx.define(node.output, ctx.add('Interpolate', data, [ctx.input(node, 0), target, ctx.ints(plan.axes, `${node.name}/axes`)], node.name));
  },
};

export const RESIZE_RULES: Record<string, LowerRule> = { Resize: resize };
