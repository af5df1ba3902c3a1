import { Graph } from './graph.js';

/** A whole model: the top-level graph and what the file says about it. */
export interface Model {
  /** The top-level graph; its opset imports are the model's. */
  graph: Graph;
  /** The format's version of the container (ONNX IR version). */
  irVersion: number;
  /** The tool that wrote the model (`pytorch`, `condense`, ...). */
  producerName: string;
  /** That tool's version. */
  producerVersion: string;
  /** The model's namespace, reverse-DNS style, as the file gives it. */
  domain: string;
  /** The model's own version number, as the file gives it. */
  modelVersion: number;
  /** Free-form documentation carried from and to the model file. */
  docString: string;
  /** Free-form key/value metadata, in file order. */
  metadata: Array<[string, string]>;
  /** Format-specific data the IR does not model (functions, training info), kept for a faithful round trip. */
  extensions: Record<string, unknown>;
}

/**
 * Wraps a graph as a model with condense's defaults (IR version 10, producer
 * `condense`), overridden by `fields`: what a builder saves with saveModel.
 */
export function createModel(graph: Graph = new Graph(), fields: Partial<Omit<Model, 'graph'>> = {}): Model {
  return {
    graph,
    irVersion: 10,
    producerName: 'condense',
    producerVersion: '0.1.0',
    domain: '',
    modelVersion: 0,
    docString: '',
    metadata: [],
    extensions: {},
    ...fields,
  };
}
