import { getInt, getInts, getString, type Node } from '@condense/core';
import type { PortRef } from '../builder.js';
import type { LowerContext } from '../context.js';
import type { StaticResolver } from '../statics.js';
import { dequantizeProblem } from '../weights.js';
import { ones, paddingOf, staticDims, zeros, type LowerRule } from './rule.js';

/**
 * Weight shape as OpenVINO wants it: grouped ops split the first axis into
 * groups. Conv [O, I/G, k...] → [G, O/G, I/G, k...]; ConvTranspose
 * [I, O/G, k...] → [G, I/G, O/G, k...].
 */
function groupedShape(w: readonly number[], groups: number): number[] {
  return groups === 1 ? [...w] : [groups, w[0]! / groups, ...w.slice(1)];
}

function weightProblem(node: Node, statics: StaticResolver): string | undefined {
  const w = staticDims(node.inputs[1]);
  if (!w) return 'the weight shape must be known';
  const groups = getInt(node.attrs, 'group', 1);
  if (w[0]! % groups !== 0) return `group ${groups} does not divide the weight's first dimension ${w[0]}`;
  const form = statics.resolve(node.inputs[1]);
  return form?.kind === 'dequantize' ? dequantizeProblem(form, groupedShape(w, groups)) : undefined;
}

function windowData(node: Node, spatial: number) {
  return { strides: getInts(node.attrs, 'strides', ones(spatial)), dilations: getInts(node.attrs, 'dilations', ones(spatial)), ...paddingOf(node, spatial) };
}

/** Bias as an Add over [1, C, 1, ...]: OpenVINO convolutions have no bias input. */
function addBias(node: Node, ctx: LowerContext, out: PortRef, channels: number, rank: number): PortRef {
  if (!node.inputs[2]) return out;
  const bias = ctx.input(node, 2, [1, channels, ...ones(rank - 2)]);
  return ctx.add('Add', { auto_broadcast: 'numpy' }, [out, bias], `${node.name}/bias`);
}

const conv: LowerRule = {
  check: (node, statics) => weightProblem(node, statics),
  lower: (node, ctx) => {
    const w = staticDims(node.inputs[1])!;
    const groups = getInt(node.attrs, 'group', 1);
    const spatial = w.length - 2;
    const weights = ctx.input(node, 1, groupedShape(w, groups));
    const type = groups === 1 ? 'Convolution' : 'GroupConvolution';
    const out = ctx.add(type, windowData(node, spatial), [ctx.input(node, 0), weights], node.inputs[2] ? `${node.name}/${type}` : node.name);
    ctx.define(node.output, addBias(node, ctx, out, w[0]!, w.length));
  },
};

const convTranspose: LowerRule = {
  check: (node, statics) => {
    if (node.attrs['output_shape']) return 'output_shape is not supported; give pads and output_padding instead';
    const autoPad = getString(node.attrs, 'auto_pad', 'NOTSET');
    if (autoPad !== 'NOTSET' && autoPad !== 'VALID') return `auto_pad ${autoPad} is not supported`;
    return weightProblem(node, statics);
  },
  lower: (node, ctx) => {
    const w = staticDims(node.inputs[1])!;
    const groups = getInt(node.attrs, 'group', 1);
    const spatial = w.length - 2;
    const weights = ctx.input(node, 1, groupedShape(w, groups));
    const type = groups === 1 ? 'ConvolutionBackpropData' : 'GroupConvolutionBackpropData';
    const data = { ...windowData(node, spatial), output_padding: getInts(node.attrs, 'output_padding', zeros(spatial)) };
    const out = ctx.add(type, data, [ctx.input(node, 0), weights], node.inputs[2] ? `${node.name}/${type}` : node.name);
    ctx.define(node.output, addBias(node, ctx, out, w[1]! * groups, w.length));
  },
};

export const CONV_RULES: Record<string, LowerRule> = { Conv: conv, ConvTranspose: convTranspose };
