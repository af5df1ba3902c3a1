/**
 * Where a protobuf file keeps its structure: every field key and every length
 * prefix, found by walking the wire format with the schema (so nested messages
 * are entered and bytes fields such as raw weights are skipped).
 */
import { BinaryReader, WireType, type DescMessage } from '@condense/onnx/proto';
import type { Landmarks } from './byte-mutators.js';

/** Seeds are well formed; the walk stops quietly at anything it cannot read. */
export function protobufLandmarks(bytes: Uint8Array, schema: DescMessage): Landmarks {
  const marks: Landmarks = { tags: [], lengths: [] };
  const reader = new BinaryReader(bytes);
  const pending: Array<{ end: number; schema: DescMessage }> = [{ end: bytes.length, schema }];
  try {
    while (pending.length) {
      const { end, schema: desc } = pending.pop()!;
      while (reader.pos < end) {
        marks.tags.push(reader.pos);
        const [no, wire] = reader.tag();
        if (wire !== WireType.LengthDelimited) {
          reader.skip(wire, no);
          continue;
        }
        const at = reader.pos;
        const length = reader.uint32();
        marks.lengths.push({ at, end: reader.pos });
        const field = desc.fields.find((f) => f.number === no);
        const nested = field && (field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message')) ? field.message : undefined;
        if (nested) {
          // Finish this message after the nested one: remember where it resumes.
          pending.push({ end, schema: desc }, { end: reader.pos + length, schema: nested });
          break;
        }
        reader.pos += length;
      }
    }
  } catch {
    // A seed we cannot walk further still has the landmarks found so far.
  }
  return marks;
}
