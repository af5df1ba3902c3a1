/**
 * The model.json format tfjs reads and writes (tfjs-core's ModelJSON), with the
 * parts condense uses spelled out: a TensorFlow GraphDef in JSON for graph
 * models, a Keras topology for layers models, and the weights manifest.
 */

/** The element types of tfjs tensors, as the weights manifest names them. */
export type TfjsDType = 'float32' | 'int32' | 'bool' | 'string' | 'complex64';

/** How a weight is stored in its shard when not as its own dtype: value = min + scale * stored (uint8/uint16), or IEEE half floats. */
export type WeightQuantization =
  | { dtype: 'uint8' | 'uint16'; scale: number; min: number; original_dtype?: string }
  | { dtype: 'float16'; original_dtype?: string };

/** One weight in the manifest, stored in the shards after the one before it. */
export interface WeightSpec {
  /** The weight's name: a GraphDef Const node's name, or a layers model's "layer/weight". */
  name: string;
  /** Its dimensions. */
  shape: number[];
  /** Its element type once decoded. */
  dtype: TfjsDType;
  /** How it is stored when not as `dtype`. */
  quantization?: WeightQuantization;
}

/** One group of weights, stored back to back across the shard files in `paths`. */
export interface WeightsManifestGroup {
  /** The shard files, relative to model.json, in order. */
  paths: string[];
  /** The weights they hold, in the order they are stored. */
  weights: WeightSpec[];
}

/** The contents of model.json. */
export interface TfjsModelJson {
  /** 'graph-model' or 'layers-model', when the writer says. */
  format?: string;
  /** What wrote the model (a TensorFlow or tfjs version, or condense). */
  generatedBy?: string;
  /** What converted it to tfjs (tfjs-converter and its version), or null. */
  convertedBy?: string | null;
  /** A GraphDef for a graph model, a Keras topology for a layers model. */
  modelTopology: GraphDef | KerasModelTopology;
  /** Where the weights are and how each is stored. */
  weightsManifest: WeightsManifestGroup[];
  /** A graph model's named inputs and outputs; without it, Placeholders are the inputs. */
  signature?: GraphSignature;
  /** Free-form metadata the writer added. */
  userDefinedMetadata?: Record<string, unknown>;
}

// --- TensorFlow GraphDef, as protobuf's JSON mapping writes it ---

/** A TensorFlow graph: a graph model's topology. */
export interface GraphDef {
  /** Every node of the graph. */
  node: NodeDef[];
  /** The GraphDef version of the TensorFlow that wrote it. */
  versions?: { producer?: number; minConsumer?: number };
  /** Function definitions (control flow bodies); condense does not read them. */
  library?: { function?: unknown[] };
}

/** One TensorFlow op in a GraphDef. */
export interface NodeDef {
  /** The node's name, unique in the graph. */
  name: string;
  /** The TensorFlow op type (Conv2D, Const ...). */
  op: string;
  /** Its inputs as "node" or "node:output"; "^node" is a control dependency. */
  input?: string[];
  /** The device TensorFlow placed it on, if any. */
  device?: string;
  /** Its attributes by name. */
  attr?: Record<string, AttrValue>;
}

/** Integers are strings in protobuf JSON (int64); strings are base64 bytes. */
export interface AttrValue {
  /** A string, base64. */
  s?: string;
  /** An integer. */
  i?: string | number;
  /** A float. */
  f?: number;
  /** A boolean. */
  b?: boolean;
  /** A TensorFlow dtype name (DT_FLOAT ...). */
  type?: string;
  /** A shape. */
  shape?: TensorShape;
  /** A tensor (a Const node's value). */
  tensor?: TensorDef;
  /** A list of any of the above. */
  list?: { s?: string[]; i?: Array<string | number>; f?: number[]; b?: boolean[]; type?: string[]; shape?: TensorShape[] };
}

/** A TensorFlow shape: its dimensions, size -1 where unknown. */
export interface TensorShape {
  /** The dimensions, outermost first; absent for a scalar. */
  dim?: Array<{ size?: string | number; name?: string }>;
  /** Set when not even the rank is known. */
  unknownRank?: boolean;
}

/** A TensorFlow tensor in an attribute: its type, shape and values in one of the typed fields. */
export interface TensorDef {
  /** The TensorFlow dtype name (DT_FLOAT ...). */
  dtype?: string;
  /** Its shape. */
  tensorShape?: TensorShape;
  /** Little-endian element bytes, base64. */
  tensorContent?: string;
  /** Float values; when fewer than the shape holds, the last fills the rest (as in the other typed fields). */
  floatVal?: number[];
  /** int32 values. */
  intVal?: number[];
  /** int64 values. */
  int64Val?: Array<string | number>;
  /** Boolean values. */
  boolVal?: boolean[];
}

/** A graph model's inputs and outputs by signature key. */
export interface GraphSignature {
  /** The inputs. */
  inputs?: Record<string, SignatureEntry>;
  /** The outputs. */
  outputs?: Record<string, SignatureEntry>;
}

/** One input or output of a signature. */
export interface SignatureEntry {
  /** The tensor, as "node:output". */
  name: string;
  /** Its TensorFlow dtype name. */
  dtype?: string;
  /** Its shape, -1 where not fixed. */
  tensorShape?: TensorShape;
}

// --- Keras topology (tfjs-layers and the Python converter's layers models) ---

/** A Keras model's topology: a layers model's. */
export interface KerasModelTopology {
  /** The model class: Sequential, or Model/Functional. */
  class_name: string;
  /** The model's config, or (older Sequential models) its list of layers. */
  config: KerasModelConfig | KerasLayerJson[];
  /** The Keras version that wrote it. */
  keras_version?: string;
  /** The Keras backend it was written with (tensorflow). */
  backend?: string;
}

/** A Keras model's config: its layers and, for a functional model, which tensors are its inputs and outputs. */
export interface KerasModelConfig {
  /** The model's name. */
  name?: string;
  /** Its layers, in order. */
  layers: KerasLayerJson[];
  /** A functional model's inputs. */
  input_layers?: KerasTensorRef[];
  /** A functional model's outputs. */
  output_layers?: KerasTensorRef[];
}

/** [layer name, node index, tensor index] */
export type KerasTensorRef = [string, number, number];

/** One Keras layer. */
export interface KerasLayerJson {
  /** The layer class (Conv2D, Dense ...). */
  class_name: string;
  /** The layer's name (also in its config). */
  name?: string;
  /** The layer's settings, as Keras serializes them. */
  config: Record<string, unknown>;
  /** Keras 2: [[[layer, node, tensor, kwargs], ...], ...]; Keras 3: [{ args: [...] }]. */
  inbound_nodes?: unknown[];
}

export function isGraphDef(topology: TfjsModelJson['modelTopology']): topology is GraphDef {
  return Array.isArray((topology as GraphDef).node);
}
