import { getFloat, getInt } from '@condense/core';
import type { LowerRule } from './rule.js';

/** Gemm: MatMul with the transposes, alpha as a Multiply, C (times beta) as an Add. */
const gemm: LowerRule = {
  lower: (node, ctx) => {
    const alpha = getFloat(node.attrs, 'alpha', 1);
    const beta = getFloat(node.attrs, 'beta', 1);
    const data = { transpose_a: getInt(node.attrs, 'transA', 0) === 1, transpose_b: getInt(node.attrs, 'transB', 0) === 1 };
    const hasC = node.inputs[2] !== null && node.inputs[2] !== undefined;
    let y = ctx.add('MatMul', data, [ctx.input(node, 0), ctx.input(node, 1)], hasC || alpha !== 1 ? `${node.name}/MatMul` : node.name);
    if (alpha !== 1) y = ctx.add('Multiply', { auto_broadcast: 'numpy' }, [y, ctx.floats([alpha], `${node.name}/alpha`, [])], hasC ? `${node.name}/alpha` : node.name);
    if (hasC) {
      let c = ctx.input(node, 2);
      if (beta !== 1) c = ctx.add('Multiply', { auto_broadcast: 'numpy' }, [c, ctx.floats([beta], `${node.name}/beta`, [])], `${node.name}/beta`);
      y = ctx.add('Add', { auto_broadcast: 'numpy' }, [y, c], node.name);
    }
    ctx.define(node.output, y);
  },
};

const matMul: LowerRule = {
  lower: (node, ctx) => ctx.define(node.output, ctx.add('MatMul', { transpose_a: false, transpose_b: false }, [ctx.input(node, 0), ctx.input(node, 1)], node.name)),
};

export const DENSE_RULES: Record<string, LowerRule> = { Gemm: gemm, MatMul: matMul };
