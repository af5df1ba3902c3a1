import { getFloat, type Node, type Value } from '@condense/core';
import type { ExportContext } from '../context.js';
import { tfAttr } from '../graph-def.js';
import type { AttrValue } from '../../model-json.js';

/** An activation tfjs can fuse into _FusedConv2D, FusedDepthwiseConv2dNative and _FusedMatMul. */
export interface Fusable {
  /** Name in fused_ops. */
  op: 'Relu' | 'Relu6' | 'Elu' | 'LeakyRelu' | 'Sigmoid' | 'Prelu';
  node: Node;
  alpha?: number;
  slope?: Value;
}

/** Bounds of a Clip: attributes before opset 11, inputs from it. */
export function clipBounds(node: Node, ctx: ExportContext): [number, number] | undefined {
  if ('min' in node.attrs || 'max' in node.attrs) return [getFloat(node.attrs, 'min', -Infinity), getFloat(node.attrs, 'max', Infinity)];
  const lo = node.inputs[1] ? ctx.scalar(node.inputs[1]) : -Infinity;
  const hi = node.inputs[2] ? ctx.scalar(node.inputs[2]) : Infinity;
  return lo === undefined || hi === undefined ? undefined : [lo, hi];
}

/** The activation that alone reads `v`, when tfjs can fuse it into the op computing `v`. */
export function fusableActivation(ctx: ExportContext, v: Value): Fusable | undefined {
  const node = ctx.soleReader(v);
  if (!node || node.domain !== '' || node.inputs[0] !== v) return undefined;
  switch (node.op) {
    case 'Relu':
    case 'Sigmoid':
      return { op: node.op, node };
    case 'Elu':
      return getFloat(node.attrs, 'alpha', 1) === 1 ? { op: 'Elu', node } : undefined;
    case 'LeakyRelu':
      return { op: 'LeakyRelu', node, alpha: getFloat(node.attrs, 'alpha', 0.01) };
    case 'Clip': {
      const b = clipBounds(node, ctx);
      return b?.[0] === 0 && (b[1] === 6 || b[1] === Infinity) ? { op: b[1] === 6 ? 'Relu6' : 'Relu', node } : undefined;
    }
    case 'PRelu':
      return ctx.isConstant(node.inputs[1]) ? { op: 'Prelu', node, slope: node.inputs[1]! } : undefined;
    default:
      return undefined;
  }
}

/**
 * The attributes and extra inputs of a fused op: fused_ops [BiasAdd, activation],
 * args [bias, prelu slope]. tfjs reads the first fused op as BiasAdd, so a
 * fused activation always comes with a bias (zeros when the IR has none).
 */
export function fusedOps(ctx: ExportContext, bias: string, act: Fusable | undefined, slope: string | undefined): { attrs: Record<string, AttrValue>; args: string[] } {
  if (act) ctx.folded.add(act.node);
  const ops = act ? ['BiasAdd', act.op] : ['BiasAdd'];
  const args = slope ? [bias, slope] : [bias];
  const attrs: Record<string, AttrValue> = { fused_ops: tfAttr.strings(ops), num_args: tfAttr.i(args.length), epsilon: tfAttr.f(0) };
  if (act?.alpha !== undefined) attrs['leakyrelu_alpha'] = tfAttr.f(act.alpha);
  return { attrs, args };
}

/** A bias of zeros, for a fused activation on an op without one. */
export function zeroBias(ctx: ExportContext, base: string, size: number): string {
  return ctx.writer.constant(`${base}/zero_bias`, { dtype: 'float32', shape: [size], bytes: new Uint8Array(4 * size) });
}
