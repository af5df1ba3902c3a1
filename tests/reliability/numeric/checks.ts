/** What must hold after a pass on a model with numeric edge cases, whatever the weights held. */
import type { Graph, Model } from '@condense/core';

/**
 * Scales of (De)QuantizeLinear must be finite and positive; a float constant a
 * pass added must hold no NaN unless the model had non-finite weights to begin
 * with (`before`: the constants the model had, and whether any was non-finite).
 */
export function badQuantParams(model: Model, before: { names: Set<string>; nonFinite: boolean }): string[] {
  const problems: string[] = [];
  for (const g of graphsOf(model.graph)) {
    for (const node of g) {
      if (node.op !== 'DequantizeLinear' && node.op !== 'QuantizeLinear') continue;
      const scale = node.inputs[1]?.const;
      if (!scale) continue;
      const values = scale.toNumbers();
      if (values.some((v) => !Number.isFinite(v) || v <= 0)) problems.push(`${node.op} "${node.name}" has scale ${values.find((v) => !Number.isFinite(v) || v <= 0)}`);
    }
    for (const v of g.constants()) {
      const t = v.const!;
      if (before.nonFinite || before.names.has(v.name) || !(t.dtype === 'float32' || t.dtype === 'float16')) continue;
      if (t.toNumbers().some((x) => Number.isNaN(x))) problems.push(`new constant "${v.name}" holds NaN`);
    }
  }
  return problems;
}

function graphsOf(g: Graph): Graph[] {
  return [g, ...[...g].flatMap((n) => n.subgraphs().flatMap(graphsOf))];
}

/** Output positions that were finite in the float model and are not any more. */
export function newlyNonFinite(reference: ArrayLike<number>, candidate: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < reference.length; i++) if (Number.isFinite(reference[i]!) && !Number.isFinite(candidate[i]!)) n++;
  return n;
}

/** The constants a model holds now, and whether any holds NaN or an infinity. */
export function constantsOf(model: Model): { names: Set<string>; nonFinite: boolean } {
  const constants = model.graph.constants();
  const nonFinite = constants.some((v) => v.const!.dtype === 'float32' && v.const!.toNumbers().some((x) => !Number.isFinite(x)));
  return { names: new Set(constants.map((v) => v.name)), nonFinite };
}
