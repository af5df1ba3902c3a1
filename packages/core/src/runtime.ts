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
  readonly name: string;
  /** What this backend cannot run in `graph`, before trying. */
  supports(graph: Graph): Diagnostic[];
  createSession(graph: Graph, options?: object): Promise<Session>;
}

export interface Session {
  readonly inputNames: string[];
  readonly outputNames: string[];
  /** Runs the model; `fetches` may name intermediate values as well as outputs. */
  run(feeds: Record<string, Tensor>, fetches?: string[]): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
}

/** Batches of named input tensors, streamed (calibration and evaluation data). */
export type SampleSource = AsyncIterable<Record<string, Tensor>>;
