import { getFloat, getInt, type Node, type Value } from '@condense/core';
import { identity } from '../../layout.js';
import type { ExportContext } from '../context.js';
import { tfAttr } from '../graph-def.js';
import { fusableActivation, fusedOps, zeroBias } from './activation.js';
import type { Rule } from './rule.js';

/** A constant bias of `n` values broadcast along the last axis ([n] or [1, n]), which BiasAdd can take. */
function isRowBias(ctx: ExportContext, v: Value | null | undefined, n: number): v is Value {
  const s = v && ctx.isConstant(v) ? ctx.shape(v) : undefined;
  return !!s && s[s.length - 1] === n && s.reduce((a, b) => a * b, 1) === n;
}

/** Columns of a 2-D result, when known (the batch may stay symbolic). */
function width(ctx: ExportContext, v: Value): number | undefined {
  const d = ctx.dims(v)?.[1];
  return typeof d === 'number' ? d : undefined;
}

/**
 * A 2-D matrix product with tfjs's fusions: a row bias as BiasAdd and an
 * activation after it, as _FusedMatMul.
 */
function emitMatMul(ctx: ExportContext, node: Node, a: string, b: string, transA: boolean, transB: boolean, n: number, bias: Value | undefined, last: Value): void {
  // A fused activation needs a bias (zeros at least) of known width.
  const act = n > 0 ? fusableActivation(ctx, last) : undefined;
  const result = act ? act.node.outputs[0]! : last;
  const attrs = { transpose_a: tfAttr.b(transA), transpose_b: tfAttr.b(transB), T: tfAttr.type('float32') };
  if (!bias && !act) {
    ctx.emit(result, 'MatMul', [a, b], [0, 1], attrs);
    return;
  }
  const biasName = bias ? ctx.placed(bias, { perm: identity(ctx.rank(bias)), shape: [n] }) : zeroBias(ctx, node.outputs[0]!.name, n);
  const fused = fusedOps(ctx, biasName, act, act?.slope && ctx.want(act.slope, [0, 1]));
  ctx.emit(result, '_FusedMatMul', [a, b, ...fused.args], [0, 1], { ...attrs, ...fused.attrs });
}

export const gemm: Rule = {
  check(node, ctx) {
    if (getFloat(node.attrs, 'alpha', 1) !== 1 || (node.inputs[2] && getFloat(node.attrs, 'beta', 1) !== 1)) return 'Gemm with alpha or beta other than 1';
    const n = width(ctx, node.outputs[0]!);
    if (node.inputs[2] && (n === undefined || !isRowBias(ctx, node.inputs[2], n))) return 'Gemm with a C other than a constant row of biases';
    return undefined;
  },
  emit(node, ctx) {
    const [a, b, c] = node.inputs;
    const n = width(ctx, node.outputs[0]!)!;
    const transA = getInt(node.attrs, 'transA', 0) === 1;
    const transB = getInt(node.attrs, 'transB', 0) === 1;
    const y = node.outputs[0]!;
    // tfjs-backend-wasm 4.22 computes _FusedMatMul with transpose_b wrongly (GraphModel execution), so a
    // constant B is stored transposed already, and a computed one goes through a plain MatMul and BiasAdd.
    if (!transB || ctx.isConstant(b)) {
      emitMatMul(ctx, node, ctx.want(a!, [0, 1]), ctx.want(b!, transB ? [1, 0] : [0, 1]), transA, false, n, c ?? undefined, y);
      return;
    }
    const attrs = { transpose_a: tfAttr.b(transA), transpose_b: tfAttr.b(true), T: tfAttr.type('float32') };
    if (!c) return void ctx.emit(y, 'MatMul', [ctx.want(a!, [0, 1]), ctx.want(b!, [0, 1])], [0, 1], attrs);
    const product = ctx.writer.op('MatMul', `${y.name}/matmul`, [ctx.want(a!, [0, 1]), ctx.want(b!, [0, 1])], attrs);
    ctx.emit(y, 'BiasAdd', [product, ctx.placed(c, { perm: identity(ctx.rank(c)), shape: [n] })], [0, 1], { T: tfAttr.type('float32') });
  },
};

export const matMul: Rule = {
  check(node, ctx) {
    const ra = ctx.dims(node.inputs[0]!)?.length;
    const rb = ctx.dims(node.inputs[1]!)?.length;
    if (!ra || !rb || ra < 2 || rb < 2) return 'MatMul of 1-D or unknown-rank operands';
    return undefined;
  },
  emit(node, ctx) {
    const [a, b] = node.inputs as [Value, Value];
    const y = node.outputs[0]!;
    const rank = ctx.rank(y);
    if (rank > 2 || ctx.rank(a) !== 2 || ctx.rank(b) !== 2) {
      ctx.emit(y, 'BatchMatMulV2', [ctx.want(a, identity(ctx.rank(a))), ctx.want(b, identity(ctx.rank(b)))], identity(rank), { adj_x: tfAttr.b(false), adj_y: tfAttr.b(false), T: tfAttr.type('float32') });
      return;
    }
    // MatMul + Add of a constant row (how PyTorch exports a Linear layer) is one _FusedMatMul.
    const n = width(ctx, y);
    const add = ctx.soleReader(y);
    const other = add?.op === 'Add' ? add.inputs.find((v) => v !== y) : undefined;
    const bias = n !== undefined && add && isRowBias(ctx, other, n) ? other : undefined;
    if (bias) ctx.folded.add(add!);
    emitMatMul(ctx, node, ctx.want(a, [0, 1]), ctx.want(b, [0, 1]), false, false, n ?? 0, bias, bias ? add!.outputs[0]! : y);
  },
};
