import { attr } from '../../ir/attr.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import { Tensor } from '../../tensor/tensor.js';
import { PACKABLE_BITS, addUnpacked } from '../quantize-weights/packed.js';
import type { Palette } from './groups.js';

/** BitShift (the unpacking of 2- and 4-bit indices) needs opset 11; Cast's integer `to` needs 6. */
export const BITSHIFT_OPSET = 11;
export const CAST_OPSET = 6;
/** ONNX TensorProto.DataType INT32. */
const INT32 = 6;

/**
 * Adds Gather(codebook, indices) before `before`: the weight with its original
 * shape. Every input is constant, so runtimes fold it at load while the file
 * keeps only the indices and the codebooks. With several groups, the indices
 * stay local to their group's codebook (so they pack to `bits`) and an int32
 * offset per output channel, broadcast along the channel axis, moves them into
 * the concatenated table: one standard Gather still decodes every group.
 * Returns the weight and its stored bytes.
 */
export function addDecoded(graph: Graph, base: string, palette: Palette, shape: readonly number[], bits: number, before: Node): { weight: Value; storedBytes: number } {
  const opset = graph.root.opset[''] ?? 1;
  const packed = PACKABLE_BITS.has(bits) && opset >= BITSHIFT_OPSET;
  const indices = packed
    ? addUnpacked(graph, `${base}_cluster`, palette.indices, shape, bits, before)
    : graph.constant(graph.uniqueName(`${base}_cluster_indices`), Tensor.from('uint8', shape, palette.indices));
  const codebook = graph.constant(graph.uniqueName(`${base}_codebook`), Tensor.from('float32', [palette.codebook.length], palette.codebook));
  const int32 = { dtype: 'int32' as const, shape: [...shape] };
  // Gather takes int32/int64 indices only; the Cast folds with the rest.
  let index = graph.add('Cast', [indices], { to: attr.int(INT32) }, { name: `${base}_cluster_cast`, before }).output;
  index.type = int32;
  let offsetBytes = 0;
  if (palette.offsets) {
    const broadcast = shape.map((d, i) => (i === palette.axis ? d : 1));
    const offsets = graph.constant(graph.uniqueName(`${base}_codebook_offsets`), Tensor.from('int32', broadcast, palette.offsets));
    index = graph.add('Add', [index, offsets], {}, { name: `${base}_cluster_offset`, before }).output;
    index.type = int32;
    offsetBytes = palette.offsets.byteLength;
  }
  const gather = graph.add('Gather', [codebook, index], { axis: attr.int(0) }, { name: `${base}_cluster_decode`, before }).output;
  gather.type = { dtype: 'float32', shape: [...shape] };
  const indexBytes = packed ? Math.ceil((palette.indices.length * bits) / 8) : palette.indices.length;
  return { weight: gather, storedBytes: indexBytes + palette.codebook.byteLength + offsetBytes };
}
