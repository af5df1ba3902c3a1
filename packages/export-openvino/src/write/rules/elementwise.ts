import { getFloat, getInt, isFloatDType, type Node } from '@condense/core';
import type { StaticResolver } from '../statics.js';
import type { LowerRule } from './rule.js';
import { rankOf, staticDims } from './rule.js';

const BINARY: Record<string, string> = { Add: 'Add', Sub: 'Subtract', Mul: 'Multiply', Div: 'Divide', Max: 'Maximum', Min: 'Minimum', Pow: 'Power' };

const UNARY: Record<string, string> = {
  Relu: 'ReLU',
  Sigmoid: 'Sigmoid',
  Tanh: 'Tanh',
  Exp: 'Exp',
  Log: 'Log',
  Sqrt: 'Sqrt',
  Abs: 'Abs',
  Neg: 'Negative',
  Floor: 'Floor',
  Ceil: 'Ceiling',
  Erf: 'Erf',
  HardSwish: 'HSwish',
};

/** Add, Sub, Mul, Div, Pow: numpy broadcasting in both. Max and Min fold several inputs pairwise. */
const binary = (type: string): LowerRule => ({
  check: (node) => {
    if (node.inputs.length < 1 || (node.inputs.length !== 2 && type !== 'Maximum' && type !== 'Minimum')) return `has ${node.inputs.length} inputs, expected 2`;
    const dtype = node.output.type?.dtype;
    // Integer Div truncates in ONNX but floors in OpenVINO for negative results.
    return type === 'Divide' && dtype && !isFloatDType(dtype) ? 'integer division is not supported' : undefined;
  },
  lower: (node, ctx) => {
    let acc = ctx.input(node, 0);
    for (let i = 1; i < node.inputs.length; i++) acc = ctx.add(type, { auto_broadcast: 'numpy' }, [acc, ctx.input(node, i)], node.inputs.length > 2 ? `${node.name}/${i}` : node.name);
    ctx.define(node.output, acc);
  },
});

const unary = (type: string): LowerRule => ({
  lower: (node, ctx) => ctx.define(node.output, ctx.add(type, {}, [ctx.input(node, 0)], node.name)),
});

const FLOAT_MAX = 3.4028234663852886e38;

/** Clip's bounds: attributes before opset 11, constant inputs after. */
function clipBounds(node: Node, statics: StaticResolver): { min: number; max: number } | string {
  if (node.inputs.length <= 1 && ('min' in node.attrs || 'max' in node.attrs)) {
    return { min: getFloat(node.attrs, 'min', -FLOAT_MAX), max: getFloat(node.attrs, 'max', FLOAT_MAX) };
  }
  const bound = (i: number, fallback: number): number | undefined => {
    const v = node.inputs[i];
    if (!v) return fallback;
    const n = statics.numbers(v);
    return n?.length === 1 ? n[0] : undefined;
  };
  const min = bound(1, -FLOAT_MAX);
  const max = bound(2, FLOAT_MAX);
  return min === undefined || max === undefined ? 'min and max must be constant scalars (OpenVINO Clamp takes them as attributes)' : { min, max };
}

const clip: LowerRule = {
  check: (node, statics) => {
    const b = clipBounds(node, statics);
    return typeof b === 'string' ? b : undefined;
  },
  reads: () => [0],
  lower: (node, ctx) => {
    const b = clipBounds(node, ctx.statics) as { min: number; max: number };
    ctx.define(node.output, ctx.add('Clamp', { min: Math.max(b.min, -FLOAT_MAX), max: Math.min(b.max, FLOAT_MAX) }, [ctx.input(node, 0)], node.name));
  },
};

/** HardSigmoid(1/6, 0.5) is OpenVINO's HSigmoid; any other slope and offset stay HardSigmoid with constant inputs. */
const hardSigmoid: LowerRule = {
  lower: (node, ctx) => {
    const alpha = getFloat(node.attrs, 'alpha', 0.2);
    const beta = getFloat(node.attrs, 'beta', 0.5);
    const x = ctx.input(node, 0);
    if (Math.fround(alpha) === Math.fround(1 / 6) && beta === 0.5) return ctx.define(node.output, ctx.add('HSigmoid', {}, [x], node.name));
    ctx.define(node.output, ctx.add('HardSigmoid', {}, [x, ctx.floats([alpha], `${node.name}/alpha`, []), ctx.floats([beta], `${node.name}/beta`, [])], node.name));
  },
};

/** LeakyRelu is PReLU with one slope. */
const leakyRelu: LowerRule = {
  lower: (node, ctx) => {
    const slope = ctx.floats([getFloat(node.attrs, 'alpha', 0.01)], `${node.name}/slope`, [1]);
    ctx.define(node.output, ctx.add('PReLU', {}, [ctx.input(node, 0), slope], node.name));
  },
};

/**
 * PRelu broadcasts its slope numpy-style; OpenVINO's PReLU treats a 1-D slope
 * as per channel (axis 1), so the slope is given the data's rank.
 */
const prelu: LowerRule = {
  check: (node, statics) => (statics.resolve(node.inputs[1]) && rankOf(node.inputs[0]) !== undefined ? undefined : 'the slope must be constant and the data rank known'),
  lower: (node, ctx) => {
    const rank = rankOf(node.inputs[0])!;
    const slopeShape = staticDims(node.inputs[1]) ?? [];
    const shape = slopeShape.length < rank ? [...new Array<number>(rank - slopeShape.length).fill(1), ...slopeShape] : slopeShape;
    ctx.define(node.output, ctx.add('PReLU', {}, [ctx.input(node, 0), ctx.input(node, 1, shape)], node.name));
  },
};

const elu: LowerRule = {
  lower: (node, ctx) => ctx.define(node.output, ctx.add('Elu', { alpha: getFloat(node.attrs, 'alpha', 1) }, [ctx.input(node, 0)], node.name)),
};

/** Softmax from opset 13 normalizes along one axis; before, it flattened at `axis`, which is the same only for the last axis. */
const softmax: LowerRule = {
  check: (node) => {
    const rank = rankOf(node.inputs[0]);
    if (rank === undefined) return 'the input rank must be known';
    const opset = node.graph?.root.opset[''] ?? 13;
    const axis = getInt(node.attrs, 'axis', opset >= 13 ? -1 : 1);
    return opset < 13 && (axis + rank) % rank !== rank - 1 ? `opset ${opset} Softmax over axis ${axis} of a rank-${rank} input flattens the trailing axes; upgrade the opset first` : undefined;
  },
  lower: (node, ctx) => {
    const opset = node.graph?.root.opset[''] ?? 13;
    const axis = getInt(node.attrs, 'axis', opset >= 13 ? -1 : 1);
    ctx.define(node.output, ctx.add('SoftMax', { axis }, [ctx.input(node, 0)], node.name));
  },
};

const batchNorm: LowerRule = {
  check: (node) => (getInt(node.attrs, 'training_mode', 0) || node.outputs.slice(1).some((o) => o && (o.useCount || o.isGraphOutput())) ? 'training-mode BatchNormalization is not supported' : undefined),
  lower: (node, ctx) => {
    const inputs = [0, 1, 2, 3, 4].map((i) => ctx.input(node, i));
    ctx.define(node.output, ctx.add('BatchNormInference', { epsilon: getFloat(node.attrs, 'epsilon', 1e-5) }, inputs, node.name));
  },
};

export const ELEMENTWISE_RULES: Record<string, LowerRule> = {
  ...Object.fromEntries(Object.entries(BINARY).map(([op, type]) => [op, binary(type)])),
  ...Object.fromEntries(Object.entries(UNARY).map(([op, type]) => [op, unary(type)])),
  Clip: clip,
  HardSigmoid: hardSigmoid,
  LeakyRelu: leakyRelu,
  PRelu: prelu,
  Elu: elu,
  Softmax: softmax,
  BatchNormalization: batchNorm,
};
