import { Graph } from './graph.js';

/** A whole model: the top-level graph and what the file says about it. */
export interface Model {
  graph: Graph;
  /** The format's version of the container (ONNX IR version). */
  irVersion: number;
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  /** Free-form key/value metadata, in file order. */
  metadata: Array<[string, string]>;
  /** Format-specific data the IR does not model (functions, training info), kept for a faithful round trip. */
  extensions: Record<string, unknown>;
}

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
