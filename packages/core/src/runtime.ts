import type { Diagnostic } from './errors.js';
import type { Graph } from './ir/graph.js';
import type { Tensor } from './tensor/tensor.js';

/**
 * Something that runs models: an adapter package implements it (onnxruntime
 * in Node or a browser, tfjs, ...). Passes that must run the model
 * (calibration, accuracy) receive one through their context and never import
 * an adapter.
 */
export interface Runtime {
  /** The adapter's short name (`cpu`, `wasm`, ...), as error contexts and reports give it. */
  readonly name: string;
  /** What this backend cannot run in `graph`, before trying. */
  supports(graph: Graph): Diagnostic[];
  /**
   * Prepares `graph` to run. The session runs a snapshot: edits to the graph
   * after this call do not reach it. `options` is the adapter's own typed map.
   */
  createSession(graph: Graph, options?: object): Promise<Session>;
}

/** A model loaded into a runtime, ready to run; release it when done. */
export interface Session {
  /** The graph inputs `run` expects in its feeds. */
  readonly inputNames: string[];
  /** The graph outputs `run` returns when no fetches are given. */
  readonly outputNames: string[];
  /** Runs the model; `fetches` may name intermediate values as well as outputs. */
  run(feeds: Record<string, Tensor>, fetches?: string[]): Promise<Record<string, Tensor>>;
  /** Frees the runtime's memory for this session; it cannot run afterwards. */
  release(): Promise<void>;
}

/** Batches of named input tensors, streamed (calibration and evaluation data). */
export type SampleSource = AsyncIterable<Record<string, Tensor>>;
