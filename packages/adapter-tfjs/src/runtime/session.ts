import { CondenseError, type DType, type Graph, type Session, type Tensor } from '@condense/core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { buildFromSnapshot } from '../export/export.js';
import { activate, type BackendOptions, type TfjsBackend, type TfjsCore } from './backends.js';
import { fromTfjs, toTfjs } from './tensors.js';

/** Loads exported model.json + weights from memory into a tfjs GraphModel. */
async function load(graph: Graph, outputs: string[] | undefined, adapter: string): Promise<GraphModel> {
  let built;
  try {
    built = buildFromSnapshot(graph, { layout: 'nchw', ...(outputs ? { outputs } : {}) });
  } catch (e) {
    throw new CondenseError('E_RUNTIME', `The ${adapter} runtime cannot run this model: ${(e as Error).message}`, { cause: e, context: { adapter } });
  }
  const tf = await import('@tensorflow/tfjs-core');
  const { loadGraphModel } = await import('@tensorflow/tfjs-converter');
  const { modelJson, weights } = built;
  const artifacts = {
    modelTopology: modelJson.modelTopology as object,
    weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights) as Parameters<typeof tf.io.fromMemory>[1],
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
    format: modelJson.format,
    signature: modelJson.signature as object,
  };
  try {
    return await loadGraphModel(tf.io.fromMemory(artifacts));
  } catch (e) {
    throw new CondenseError('E_RUNTIME', `tfjs could not load the exported model: ${(e as Error).message}`, { cause: e, context: { adapter } });
  }
}

/**
 * A session over a snapshot of the graph (its own copy, shapes inferred):
 * the exported GraphModel, plus one more per set of intermediate values asked
 * for, each exposing them as outputs.
 */
export class TfjsSession implements Session {
  readonly inputNames: string[];
  readonly outputNames: string[];
  readonly #graph: Graph;
  readonly #backend: TfjsBackend;
  readonly #options: BackendOptions;
  readonly #adapter: string;
  readonly #models = new Map<string, Promise<GraphModel>>();
  #released = false;

  private constructor(graph: Graph, backend: TfjsBackend, options: BackendOptions, base: GraphModel) {
    this.#graph = graph;
    this.#backend = backend;
    this.#options = options;
    this.#adapter = `tfjs-${backend}`;
    this.inputNames = graph.inputs.filter((v) => !v.const).map((v) => v.name);
    this.outputNames = graph.outputs.map((v) => v.name);
    this.#models.set('', Promise.resolve(base));
  }

  static async create(graph: Graph, backend: TfjsBackend, options: BackendOptions): Promise<TfjsSession> {
    await activate(backend, options);
    return new TfjsSession(graph, backend, options, await load(graph, undefined, `tfjs-${backend}`));
  }

  async run(feeds: Record<string, Tensor>, fetches?: string[]): Promise<Record<string, Tensor>> {
    const adapter = this.#adapter;
    if (this.#released) throw new CondenseError('E_RUNTIME', `This ${adapter} session was released; create a new one.`, { context: { adapter } });
    const unknown = Object.keys(feeds).filter((n) => !this.inputNames.includes(n));
    const missing = this.inputNames.filter((n) => !(n in feeds));
    if (unknown.length || missing.length) {
      throw new CondenseError('E_BAD_OPTION', `Feeds do not match the model's inputs (${this.inputNames.join(', ')}):${unknown.length ? ` unknown ${unknown.join(', ')};` : ''}${missing.length ? ` missing ${missing.join(', ')}.` : ''}`, { context: { adapter } });
    }
    const wanted = fetches ?? this.outputNames;
    if (!wanted.length) return {};
    const dtypes = wanted.map((name) => this.#dtypeOf(name));
    const extra = [...new Set(wanted.filter((n) => !this.outputNames.includes(n)))].sort();
    const model = await this.#model(extra);
    const tf = await activate(this.#backend, this.#options);
    const inputs = Object.fromEntries(Object.entries(feeds).map(([n, t]) => [n, toTfjs(tf, t, n, adapter)]));
    let outputs: ReturnType<TfjsCore['tensor']>[] = [];
    try {
      const result = model.execute(inputs, wanted);
      outputs = Array.isArray(result) ? result : [result];
      const tensors = await Promise.all(outputs.map((t, i) => fromTfjs(t, dtypes[i]!)));
      return Object.fromEntries(wanted.map((n, i) => [n, tensors[i]!]));
    } catch (e) {
      throw new CondenseError('E_RUNTIME', `The ${adapter} runtime failed to run the model: ${(e as Error).message.split('\n')[0]}`, { cause: e, context: { adapter } });
    } finally {
      for (const t of [...Object.values(inputs), ...outputs]) t.dispose();
    }
  }

  /** The IR dtype of a value the caller may fetch, or why it cannot be fetched. */
  #dtypeOf(name: string): DType {
    const v = this.#graph.value(name);
    const computed = v && !v.const && !this.#graph.inputs.includes(v) && (v.producer() || this.#graph.outputs.includes(v));
    if (!v || !computed) throw new CondenseError('E_BAD_OPTION', `Cannot fetch "${name}": it is not a value computed by the model.`, { context: { value: name, adapter: this.#adapter } });
    return v.type?.dtype ?? 'float32';
  }

  #model(extra: string[]): Promise<GraphModel> {
    const key = extra.join('\n');
    let pending = this.#models.get(key);
    if (!pending) {
      pending = load(this.#graph, [...this.outputNames, ...extra], this.#adapter);
      this.#models.set(key, pending);
    }
    return pending;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    const models = await Promise.allSettled(this.#models.values());
    for (const m of models) if (m.status === 'fulfilled') m.value.dispose();
  }
}
