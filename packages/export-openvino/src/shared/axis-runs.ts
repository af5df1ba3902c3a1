const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/**
 * The broadcast shape of a per-axis scale (varying along `axis` of `from`)
 * once the same elements are viewed with shape `to`: the run of `to`'s
 * dimensions that spans exactly that axis keeps its sizes, every other
 * dimension is 1. [C] along axis 0 seen as [1, C, 1, 1] is [1, C, 1, 1];
 * [O, I, kh, kw] along 0 seen as [G, O/G, I, kh, kw] is [G, O/G, 1, 1, 1].
 * Undefined when no run of `to` covers the axis exactly.
 */
export function scaleShapeFor(from: readonly number[], axis: number, to: readonly number[]): number[] | undefined {
  const before = product(from.slice(0, axis));
  const size = from[axis];
  if (size === undefined) return undefined;
  let start = 0;
  for (let p = 1; p < before; ) {
    if (start >= to.length) return undefined;
    p *= to[start++]!;
    if (p > before) return undefined;
  }
  let end = start;
  for (let q = 1; q < size; ) {
    if (end >= to.length) return undefined;
    q *= to[end++]!;
    if (q > size) return undefined;
  }
  return to.map((d, i) => (i >= start && i < end ? d : 1));
}

/**
 * The inverse: for a scale of broadcast shape `scale` over values of shape
 * `values`, the single axis of `to` (a view of the same elements) it varies
 * along; 'tensor' when it holds one value; undefined when its non-1
 * dimensions are not one contiguous run matching one axis of `to`.
 */
export function axisOfScale(values: readonly number[], scale: readonly number[], to: readonly number[]): number | 'tensor' | undefined {
  if (scale.length > values.length) return undefined;
  const full = [...new Array<number>(values.length - scale.length).fill(1), ...scale];
  const varying = full.flatMap((d, i) => (d !== 1 ? [i] : []));
  if (!varying.length) return 'tensor';
  const start = varying[0]!;
  const end = varying[varying.length - 1]! + 1;
  for (let i = start; i < end; i++) if (full[i] !== values[i]) return undefined;
  const before = product(values.slice(0, start));
  const size = product(values.slice(start, end));
  for (let axis = 0, p = 1; axis < to.length; p *= to[axis++]!) {
    if (p === before && to[axis] === size) return axis;
    if (p > before) return undefined;
  }
  return undefined;
}
