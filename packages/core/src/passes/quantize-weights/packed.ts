import { attr } from '../../ir/attr.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import { Tensor } from '../../tensor/tensor.js';

/** Bit widths that pack whole values into a byte. */
export const PACKABLE_BITS = new Set([2, 4]);

/** `values` (each in [0, 2^bits)) packed `8 / bits` to a byte, the first in the lowest bits (ONNX's int4 order). */
export function packBits(values: ArrayLike<number>, bits: number): Uint8Array {
  const perByte = 8 / bits;
  const out = new Uint8Array(Math.ceil(values.length / perByte));
  for (let i = 0; i < values.length; i++) out[Math.floor(i / perByte)]! |= values[i]! << (bits * (i % perByte));
  return out;
}

/**
 * Stores `values` (unsigned, `bits` wide) packed into uint8 and adds the graph
 * that unpacks them to one uint8 per value in `shape`, before `before`. Every
 * input of the unpacking is constant, so runtimes fold it when they load the
 * model: the file holds the packed bytes, inference sees plain uint8 weights.
 * For opsets without ONNX int4 (added in 21); BitShift needs opset 11.
 */
export function addUnpacked(graph: Graph, base: string, values: ArrayLike<number>, shape: readonly number[], bits: number, before: Node): Value {
  const perByte = 8 / bits;
  const packed = packBits(values, bits);
  const u8 = (name: string, v: number) => graph.constant(graph.uniqueName(`${base}_${name}`), Tensor.scalar('uint8', v));
  const i64 = (name: string, v: number[]) => graph.constant(graph.uniqueName(`${base}_${name}`), Tensor.from('int64', [v.length], v.map(BigInt)));
  const add = (op: string, inputs: Array<Value | null>, attrs = {}) => graph.add(op, inputs, attrs, { name: `${base}_unpack_${op}`, before }).output;
  const source = graph.constant(graph.uniqueName(`${base}_packed`), Tensor.from('uint8', [packed.length], packed));
  // Unsqueeze takes its axes as an input from opset 13, as an attribute before (an input there makes the model invalid).
  const axesAsInput = (graph.root.opset[''] ?? 1) >= 13;
  const column = axesAsInput ? i64('column_axis', [1]) : undefined;
  const right = u8('shift_right', 8 - bits);
  // Value j of each byte: shift it to the top bits (dropping those above), then down to the bottom.
  const parts = Array.from({ length: perByte }, (_, j) => {
    const left = 8 - bits * (j + 1);
    const top = left ? add('BitShift', [source, u8(`shift_left_${j}`, left)], { direction: attr.string('LEFT') }) : source;
    const part = add('BitShift', [top, right], { direction: attr.string('RIGHT') });
    return column ? add('Unsqueeze', [part, column]) : add('Unsqueeze', [part], { axes: attr.ints([1]) });
  });
  // [bytes, perByte] row-major is the original order; trim the padding of the last byte.
  const flat = add('Reshape', [add('Concat', parts, { axis: attr.int(1) }), i64('flat', [-1])]);
  const count = shape.reduce((a, b) => a * b, 1);
  const trimmed = count === packed.length * perByte ? flat : add('Slice', [flat, i64('start', [0]), i64('end', [count])]);
  return add('Reshape', [trimmed, i64('shape', [...shape])]);
}
