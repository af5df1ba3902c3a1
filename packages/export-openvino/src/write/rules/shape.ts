import { DTYPE_CODES, dtypeFromCode, getFloat, getInt, getInts, getString, type Node } from '@condense/core';
import { elementTypeOf } from '../../ir/element-type.js';
import type { StaticResolver } from '../statics.js';
import { dimsOf, rankOf, staticDims, type LowerRule } from './rule.js';

/** Reshape to the inferred output shape when it is static; else to the constant target (0 copies, unless allowzero). */
const reshape: LowerRule = {
  check: (node, statics) => (staticDims(node.output) || statics.numbers(node.inputs[1]) ? undefined : 'the target shape must be constant or inferable'),
  reads: (node) => (staticDims(node.output) ? [0] : [0, 1]),
  lower: (node, ctx) => {
    const known = staticDims(node.output);
    const target = known ?? ctx.statics.numbers(node.inputs[1])!;
    const specialZero = !known && getInt(node.attrs, 'allowzero', 0) === 0;
    ctx.define(node.output, ctx.add('Reshape', { special_zero: specialZero }, [ctx.input(node, 0), ctx.ints(target, `${node.name}/shape`)], node.name));
  },
};

/** Flatten(axis) as a Reshape: [d0*...*d(axis-1), rest], keeping a dynamic batch with special_zero when axis is 1. */
function flattenTarget(node: Node): number[] | undefined {
  const known = staticDims(node.output);
  if (known) return known;
  const dims = dimsOf(node.inputs[0]);
  if (!dims) return undefined;
  const axis = (getInt(node.attrs, 'axis', 1) + dims.length) % Math.max(dims.length, 1);
  const product = (d: number[]) => (d.every((x) => x >= 0) ? d.reduce((a, b) => a * b, 1) : undefined);
  if (axis === 0) return [1, -1];
  if (axis === 1) return [0, -1];
  const tail = product(dims.slice(axis));
  return tail === undefined ? undefined : [-1, tail];
}

const flatten: LowerRule = {
  check: (node) => (flattenTarget(node) ? undefined : 'the flattened dimensions must be known'),
  lower: (node, ctx) => {
    const target = flattenTarget(node)!;
    ctx.define(node.output, ctx.add('Reshape', { special_zero: target[0] === 0 }, [ctx.input(node, 0), ctx.ints(target, `${node.name}/shape`)], node.name));
  },
};

/** Axes of Squeeze/Unsqueeze: an attribute before opset 13, a constant input after. */
function axesOf(node: Node, statics: StaticResolver): number[] | undefined {
  return node.inputs[1] ? statics.numbers(node.inputs[1]) : getInts(node.attrs, 'axes');
}

const squeeze: LowerRule = {
  check: (node, statics) => (node.inputs[1] && !statics.numbers(node.inputs[1]) ? 'the axes must be constant' : undefined),
  reads: () => [0],
  lower: (node, ctx) => {
    const axes = axesOf(node, ctx.statics);
    const inputs = [ctx.input(node, 0), ...(axes ? [ctx.ints(axes, `${node.name}/axes`)] : [])];
    ctx.define(node.output, ctx.add('Squeeze', {}, inputs, node.name));
  },
};

const unsqueeze: LowerRule = {
  check: (node, statics) => (axesOf(node, statics) ? undefined : 'the axes must be constant'),
  reads: () => [0],
  lower: (node, ctx) => ctx.define(node.output, ctx.add('Unsqueeze', {}, [ctx.input(node, 0), ctx.ints(axesOf(node, ctx.statics)!, `${node.name}/axes`)], node.name)),
};

const concat: LowerRule = {
  lower: (node, ctx) => {
    const inputs = node.inputs.map((_, i) => ctx.input(node, i));
    ctx.define(node.output, ctx.add('Concat', { axis: getInt(node.attrs, 'axis', 0) }, inputs, node.name));
  },
};

const transpose: LowerRule = {
  check: (node) => (getInts(node.attrs, 'perm') || rankOf(node.inputs[0]) !== undefined ? undefined : 'the input rank must be known'),
  lower: (node, ctx) => {
    const rank = rankOf(node.inputs[0])!;
    const perm = getInts(node.attrs, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    ctx.define(node.output, ctx.add('Transpose', {}, [ctx.input(node, 0), ctx.ints(perm, `${node.name}/order`)], node.name));
  },
};

const gather: LowerRule = {
  lower: (node, ctx) => {
    const axis = ctx.ints([getInt(node.attrs, 'axis', 0)], `${node.name}/axis`, []);
    ctx.define(node.output, ctx.add('Gather', { batch_dims: 0 }, [ctx.input(node, 0), ctx.input(node, 1), axis], node.name));
  },
};

/** Pads: attributes before opset 11, constant inputs after (with optional axes from 18). */
function padsOf(node: Node, statics: StaticResolver): { begin: number[]; end: number[]; value: number } | undefined {
  const rank = rankOf(node.inputs[0]);
  if (rank === undefined) return undefined;
  const legacy = node.inputs.length === 1;
  const pads = legacy ? getInts(node.attrs, 'pads') : statics.numbers(node.inputs[1]);
  const value = legacy ? getFloat(node.attrs, 'value', 0) : node.inputs[2] ? statics.numbers(node.inputs[2])?.[0] : 0;
  if (!pads || value === undefined) return undefined;
  const axes = node.inputs[3] ? statics.numbers(node.inputs[3])?.map((a) => (a + rank) % rank) : Array.from({ length: rank }, (_, i) => i);
  if (!axes || pads.length !== 2 * axes.length) return undefined;
  const begin = new Array<number>(rank).fill(0);
  const end = new Array<number>(rank).fill(0);
  axes.forEach((a, i) => {
    begin[a] = pads[i]!;
    end[a] = pads[axes.length + i]!;
  });
  return { begin, end, value };
}

const PAD_MODES: Record<string, string> = { constant: 'constant', reflect: 'reflect', edge: 'edge' };

const pad: LowerRule = {
  check: (node, statics) => {
    const mode = getString(node.attrs, 'mode', 'constant');
    if (!PAD_MODES[mode]) return `mode "${mode}" is not supported`;
    return padsOf(node, statics) ? undefined : 'pads, value and axes must be constant and the input rank known';
  },
  reads: () => [0],
  lower: (node, ctx) => {
    const p = padsOf(node, ctx.statics)!;
    const mode = PAD_MODES[getString(node.attrs, 'mode', 'constant')]!;
    const inputs = [ctx.input(node, 0), ctx.ints(p.begin, `${node.name}/pads_begin`), ctx.ints(p.end, `${node.name}/pads_end`)];
    if (mode === 'constant') inputs.push(ctx.floats([p.value], `${node.name}/value`, []));
    ctx.define(node.output, ctx.add('Pad', { pad_mode: mode }, inputs, node.name));
  },
};

/** A run-time Cast is OpenVINO's Convert. */
const cast: LowerRule = {
  check: (node) => {
    const to = dtypeFromCode(getInt(node.attrs, 'to', 0));
    return to && elementTypeOf(to) ? undefined : `Cast to ${to ?? 'an unknown type'} has no OpenVINO element type`;
  },
  lower: (node, ctx) => {
    const to = elementTypeOf(dtypeFromCode(getInt(node.attrs, 'to', DTYPE_CODES.float32))!)!;
    ctx.define(node.output, ctx.add('Convert', { destination_type: to }, [ctx.input(node, 0)], node.name));
  },
};

/** Identity and inference-time Dropout pass their input through. */
const passThrough: LowerRule = {
  check: (node) => (node.outputs[1] && (node.outputs[1].useCount || node.outputs[1].isGraphOutput()) ? 'the Dropout mask output is not supported' : undefined),
  reads: () => [0],
  lower: (node, ctx) => ctx.define(node.output, ctx.input(node, 0)),
};

export const SHAPE_RULES: Record<string, LowerRule> = {
  Reshape: reshape,
  Flatten: flatten,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Concat: concat,
  Transpose: transpose,
  Gather: gather,
  Pad: pad,
  Cast: cast,
  Identity: passThrough,
  Dropout: passThrough,
};
