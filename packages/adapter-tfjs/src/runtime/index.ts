import { CondenseError, createModel, type Diagnostic, type Graph, type Runtime, type Session } from '@condense/core';
import { decodeModel, encodeModelBytes } from '@condense/onnx';
import { checkTfjs } from '../export/export.js';
import { BACKENDS, type BackendOptions, type TfjsBackend } from './backends.js';
import { TfjsSession } from './session.js';

/** How {@link tfjsRuntime} runs models: the backend, and the wasm backend's settings. */
export interface TfjsRuntimeOptions extends BackendOptions {
  /** tfjs backend: 'cpu' (the default; any JavaScript engine), 'wasm' (much faster in Node and browsers), 'webgl' or 'webgpu' (browsers). */
  backend?: TfjsBackend;
}

/**
 * A condense Runtime on TensorFlow.js: each session exports the graph to a
 * tfjs GraphModel in memory (weights exactly as the IR computes them) and
 * runs it on the chosen backend. Inputs and outputs keep ONNX's layout.
 */
export function tfjsRuntime(options: TfjsRuntimeOptions = {}): Runtime {
  const backend = options.backend ?? 'cpu';
  if (!BACKENDS.includes(backend)) throw new CondenseError('E_BAD_OPTION', `Option "backend" of the tfjs runtime must be one of ${BACKENDS.join(', ')}; got ${JSON.stringify(backend)}.`);
  if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1)) throw new CondenseError('E_BAD_OPTION', `Option "threads" of the tfjs runtime must be a whole number of threads; got ${JSON.stringify(options.threads)}.`);
  const name = `tfjs-${backend}`;
  return {
    name,
    supports(graph: Graph): Diagnostic[] {
      return checkTfjs(graph, { layout: 'nchw' }).map((p) => ({ severity: 'error', code: p.code, message: `${name}: ${p.message}`, ...(p.node ? { node: p.node } : {}) }));
    },
    async createSession(graph: Graph): Promise<Session> {
      // A snapshot: later edits to the caller's graph do not reach the session (the export infers its shapes).
      const snapshot = decodeModel(encodeModelBytes(createModel(graph))).graph;
      return TfjsSession.create(snapshot, backend, options);
    },
  };
}

export type { TfjsBackend } from './backends.js';
