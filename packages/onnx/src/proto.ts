/**
 * The one place that touches the generated ONNX schema (onnx-buf, protobuf-es),
 * so the rest of the package speaks in these names.
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
  TensorProto_DataLocation as DataLocation,
  TensorShapeProtoSchema,
  TensorShapeProto_DimensionSchema,
  TypeProtoSchema,
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
export { create, fromBinary, toBinary } from '@bufbuild/protobuf';
export { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
