import { CondenseError, createModel, inferShapes, type Diagnostic, type Graph, type Runtime, type Session, type Tensor } from '@condense/core';
import { decodeModel, encodeModelBytes } from '@condense/onnx';
import type * as Ort from 'onnxruntime-common';
import { ortSupports } from './supports.js';
import { fromOrtTensor, toOrtTensor, type OrtModule } from './tensors.js';

export interface OrtRuntimeConfig<O> {
  /** The adapter's name in messages and reports ("cpu", "wasm", ...). */
  name: string;
  /** The onnxruntime package (loaded lazily, so importing an adapter costs nothing). */
  load: () => Promise<OrtModule>;
  /** onnxruntime session options for the adapter's own options. */
  sessionOptions: (options: O) => Ort.InferenceSession.SessionOptions;
  /** Turns a failure to create a session into an error that says what is missing, when the adapter knows. */
  explain?: (error: unknown) => CondenseError | undefined;
  /** Checks that must pass before any session is made (e.g. the platform has WebGPU). */
  precondition?: () => CondenseError | undefined;
}

/** A condense Runtime backed by onnxruntime, shared by the cpu, cuda, wasm and webgpu adapters. */
export function createOrtRuntime<O extends object>(config: OrtRuntimeConfig<O>, defaults: O): Runtime {
  return {
    name: config.name,
    supports: (graph: Graph): Diagnostic[] => ortSupports(graph, config.name),
    async createSession(graph: Graph, options?: object): Promise<Session> {
      const unavailable = config.precondition?.();
      if (unavailable) throw unavailable;
      const ort = await config.load();
      // A session runs a snapshot: later edits to the graph do not reach it.
      const bytes = encodeModelBytes(createModel(graph));
      // onnxruntime rejects keys set to undefined, so unset options are left out.
      const sessionOptions: Record<string, unknown> = Object.fromEntries(Object.entries(config.sessionOptions({ ...defaults, ...(options as O) })).filter(([, v]) => v !== undefined));
      if (isWeightOnly(graph)) sessionOptions['extra'] = { session: { disable_quant_qdq: '1' } };
      const open = async (model: Uint8Array) => {
        try {
          return await ort.InferenceSession.create(model, sessionOptions);
        } catch (e) {
          throw config.explain?.(e) ?? new CondenseError('E_RUNTIME', `The ${config.name} runtime could not load the model: ${firstLine(e)}`, { cause: e, context: { adapter: config.name } });
        }
      };
      return new OrtSession(ort, config.name, bytes, await open(bytes), open);
    },
  };
}

/**
 * A weight-only quantized model (DequantizeLinear of weights, no QuantizeLinear):
 * onnxruntime keeps such DequantizeLinear nodes for QDQ fusion and runs them on
 * every inference (2x slower than float here). With QDQ handling off, it folds
 * them into float weights when it loads the model, so the small file runs at
 * float speed.
 */
function isWeightOnly(graph: Graph): boolean {
  let dequantize = false;
  for (const node of graph) {
    if (node.op === 'QuantizeLinear') return false;
    if (node.op === 'DequantizeLinear') dequantize = true;
  }
  return dequantize;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}

class OrtSession implements Session {
  readonly inputNames: string[];
  readonly outputNames: string[];
  readonly #ort: OrtModule;
  readonly #runtime: string;
  readonly #bytes: Uint8Array;
  readonly #base: Ort.InferenceSession;
  readonly #open: (model: Uint8Array) => Promise<Ort.InferenceSession>;
  /** Sessions that also output intermediate values, by the sorted list of extra names. */
  readonly #withFetches = new Map<string, Promise<Ort.InferenceSession>>();
  #released = false;

  constructor(ort: OrtModule, runtime: string, bytes: Uint8Array, base: Ort.InferenceSession, open: (model: Uint8Array) => Promise<Ort.InferenceSession>) {
    this.#ort = ort;
    this.#runtime = runtime;
    this.#bytes = bytes;
    this.#base = base;
    this.#open = open;
    this.inputNames = [...base.inputNames];
    this.outputNames = [...base.outputNames];
  }

  async run(feeds: Record<string, Tensor>, fetches?: string[]): Promise<Record<string, Tensor>> {
    if (this.#released) throw new CondenseError('E_RUNTIME', `This ${this.#runtime} session was released; create a new one.`, { context: { adapter: this.#runtime } });
    const unknown = Object.keys(feeds).filter((n) => !this.inputNames.includes(n));
    const missing = this.inputNames.filter((n) => !(n in feeds));
    if (unknown.length || missing.length) {
      throw new CondenseError('E_BAD_OPTION', `Feeds do not match the model's inputs (${this.inputNames.join(', ')}):${unknown.length ? ` unknown ${unknown.join(', ')};` : ''}${missing.length ? ` missing ${missing.join(', ')}.` : ''}`, { context: { adapter: this.#runtime } });
    }
    const wanted = fetches ?? this.outputNames;
    if (wanted.length === 0) return {};
    const extra = [...new Set(wanted.filter((n) => !this.outputNames.includes(n)))].sort();
    const session = extra.length ? await this.#sessionFetching(extra) : this.#base;
    const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([n, t]) => [n, toOrtTensor(this.#ort, t, n)]));
    let results: Ort.InferenceSession.ReturnType;
    try {
      results = await session.run(ortFeeds, wanted);
    } catch (e) {
      throw new CondenseError('E_RUNTIME', `The ${this.#runtime} runtime failed to run the model: ${firstLine(e)}`, { cause: e, context: { adapter: this.#runtime } });
    }
    return Object.fromEntries(wanted.map((n) => [n, fromOrtTensor(results[n]!, n)]));
  }

  /** onnxruntime returns only graph outputs, so intermediate values are fetched from a copy that lists them as outputs. */
  #sessionFetching(extra: string[]): Promise<Ort.InferenceSession> {
    const key = extra.join('\n');
    let pending = this.#withFetches.get(key);
    if (!pending) {
      const model = decodeModel(this.#bytes);
      const values = extra.map((name) => {
        const v = model.graph.value(name);
        if (!v || v.const || model.graph.inputs.includes(v)) {
          throw new CondenseError('E_BAD_OPTION', `Cannot fetch "${name}": it is not a value computed by the model.`, { context: { value: name, adapter: this.#runtime } });
        }
        return v;
      });
      try {
        inferShapes(model.graph);
      } catch {
        // Outputs without a declared type are still accepted; inference only helps.
      }
      model.graph.outputs = [...model.graph.outputs, ...values];
      pending = this.#open(encodeModelBytes(model));
      this.#withFetches.set(key, pending);
    }
    return pending;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    const extra = await Promise.allSettled(this.#withFetches.values());
    await Promise.all([this.#base, ...extra.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))].map((s) => s.release()));
  }
}

/** Checks a thread count option once, before onnxruntime sees it. */
export function checkThreads(adapter: string, option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1024) {
    throw new CondenseError('E_BAD_OPTION', `Option "${option}" of the ${adapter} runtime must be a whole number of threads from 1 to 1024; got ${JSON.stringify(value)}.`, { context: { adapter } });
  }
  return value;
}
