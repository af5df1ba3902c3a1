/**
 * The one place that touches the generated ONNX schema (onnx-buf, protobuf-es),
 * so the rest of the package speaks in these names. Also exported as
 * `@condense/onnx/proto` for tools that edit files at the protobuf level
 * (repair scripts, the fuzzer) without a second copy of the schema.
 */
export {
  AttributeProtoSchema,
  AttributeProto_AttributeType as AttrKind,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  StringStringEntryProtoSchema,
  TensorProtoSchema,
  TensorProto_SegmentSchema,
  TensorProto_DataLocation as DataLocation,
  TensorShapeProtoSchema,
  TensorShapeProto_DimensionSchema,
  TypeProtoSchema,
  TypeProto_SequenceSchema,
  TypeProto_TensorSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type StringStringEntryProto,
  type TensorProto,
  type TypeProto,
  type ValueInfoProto,
} from 'onnx-buf';
export { ScalarType, create, fromBinary, toBinary, type DescField, type DescMessage } from '@bufbuild/protobuf';
export { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
