/**
 * The model.json format tfjs reads and writes (tfjs-core's ModelJSON), with the
 * parts condense uses spelled out: a TensorFlow GraphDef in JSON for graph
 * models, a Keras topology for layers models, and the weights manifest.
 */

export type TfjsDType = 'float32' | 'int32' | 'bool' | 'string' | 'complex64';

/** How a weight is stored in its shard when not as its own dtype: value = min + scale * stored (uint8/uint16), or IEEE half floats. */
export type WeightQuantization =
  | { dtype: 'uint8' | 'uint16'; scale: number; min: number; original_dtype?: string }
  | { dtype: 'float16'; original_dtype?: string };

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: TfjsDType;
  quantization?: WeightQuantization;
}

/** One group of weights, stored back to back across the shard files in `paths`. */
export interface WeightsManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

export interface TfjsModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology: GraphDef | KerasModelTopology;
  weightsManifest: WeightsManifestGroup[];
  signature?: GraphSignature;
  userDefinedMetadata?: Record<string, unknown>;
}

// --- TensorFlow GraphDef, as protobuf's JSON mapping writes it ---

export interface GraphDef {
  node: NodeDef[];
  versions?: { producer?: number; minConsumer?: number };
  library?: { function?: unknown[] };
}

export interface NodeDef {
  name: string;
  op: string;
  input?: string[];
  device?: string;
  attr?: Record<string, AttrValue>;
}

/** Integers are strings in protobuf JSON (int64); strings are base64 bytes. */
export interface AttrValue {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  shape?: TensorShape;
  tensor?: TensorDef;
  list?: { s?: string[]; i?: Array<string | number>; f?: number[]; b?: boolean[]; type?: string[]; shape?: TensorShape[] };
}

export interface TensorShape {
  dim?: Array<{ size?: string | number; name?: string }>;
  unknownRank?: boolean;
}

export interface TensorDef {
  dtype?: string;
  tensorShape?: TensorShape;
  /** Little-endian element bytes, base64. */
  tensorContent?: string;
  floatVal?: number[];
  intVal?: number[];
  int64Val?: Array<string | number>;
  boolVal?: boolean[];
}

export interface GraphSignature {
  inputs?: Record<string, SignatureEntry>;
  outputs?: Record<string, SignatureEntry>;
}

export interface SignatureEntry {
  name: string;
  dtype?: string;
  tensorShape?: TensorShape;
}

// --- Keras topology (tfjs-layers and the Python converter's layers models) ---

export interface KerasModelTopology {
  class_name: string;
  config: KerasModelConfig | KerasLayerJson[];
  keras_version?: string;
  backend?: string;
}

export interface KerasModelConfig {
  name?: string;
  layers: KerasLayerJson[];
  input_layers?: KerasTensorRef[];
  output_layers?: KerasTensorRef[];
}

/** [layer name, node index, tensor index] */
export type KerasTensorRef = [string, number, number];

export interface KerasLayerJson {
  class_name: string;
  name?: string;
  config: Record<string, unknown>;
  /** Keras 2: [[[layer, node, tensor, kwargs], ...], ...]; Keras 3: [{ args: [...] }]. */
  inbound_nodes?: unknown[];
}

export function isGraphDef(topology: TfjsModelJson['modelTopology']): topology is GraphDef {
  return Array.isArray((topology as GraphDef).node);
}
