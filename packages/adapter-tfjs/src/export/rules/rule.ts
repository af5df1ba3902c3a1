import type { Node } from '@condense/core';
import type { ExportContext } from '../context.js';

/** How one ONNX op becomes tfjs ops. */
export interface Rule {
  /** Why `node` cannot be exported, or undefined when it can. */
  check?(node: Node, ctx: ExportContext): string | undefined;
  /** Adds the tfjs ops for `node` and defines its outputs (or marks nodes it absorbs as folded). */
  emit(node: Node, ctx: ExportContext): void;
}

/** The node's first input, which every rule reading it requires. */
export function x(node: Node) {
  return node.inputs[0]!;
}
