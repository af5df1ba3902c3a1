import type { Node } from '@condense/core';
import type { LowerContext } from './context.js';

/** How one ONNX op becomes TFLite operators. */
export interface OpRule {
  /**
   * Input indices read as tensors at run time. The others are parameters the
   * export reads itself (weights, pads, axes) or never needs (a Reshape's
   * shape, known from shape inference), so whatever computes them is not exported.
   */
  operands(node: Node): number[];
  /** True when the TFLite op has a fused_activation_function a following Relu or Relu6 can fold into. */
  fusesActivation?: boolean;
  /**
   * Why this node cannot be exported, or undefined. Runs only once its
   * run-time operands and outputs are known to be float32 with static shapes.
   */
  check(node: Node): string | undefined;
  /** Emits the node's TFLite operators. Runs only on nodes check() accepted. */
  lower(node: Node, ctx: LowerContext): void;
  /**
   * The node on integer kernels, for ops TFLite has int8 kernels for. The
   * plan takes this form when every run-time input is an int8 tensor
   * (DequantizeLinear of QuantizeLinear) and only QuantizeLinear nodes read
   * the output (see planInt8); otherwise the node runs in float between
   * DEQUANTIZE and QUANTIZE, which computes what the QDQ model computes.
   */
  int8?: {
    /** Why this node stays in float though its tensors are int8, or undefined. */
    check(node: Node): string | undefined;
    /** Emits the integer-kernel form; ctx.output(node) is then int8 with the absorbed quantizers' parameters. */
    lower(node: Node, ctx: LowerContext): void;
  };
}

/** Most CNN ops read one tensor, input 0. */
export const FIRST_INPUT = (): number[] => [0];

/** Every present input, for ops whose inputs are all data (Add, Concat). */
export const ALL_INPUTS = (node: Node): number[] => node.inputs.flatMap((v, i) => (v ? [i] : []));
