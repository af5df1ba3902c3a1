import { CondenseError, type Diagnostic } from '../../errors.js';
import type { Model } from '../../ir/model.js';
import type { Dim } from '../../ir/value.js';
import type { Runtime, SampleSource } from '../../runtime.js';
import { inferShapes } from '../../shape-inference/index.js';
import { summarizeModel } from '../../summary.js';
import type { PassContext, PipelineEvent } from './context.js';
import { resolveRecipe, type ResolvedStep } from './recipe.js';
import type { PassRegistry } from './registry.js';
import { cachedSamples } from '../../data/cache.js';

/** How {@link compress} runs a pipeline. */
export interface CompressOptions {
  /** Where pass names are looked up (builtins plus plugins). */
  registry: PassRegistry;
  /** A runtime to run the model with, for passes that require one (calibration, measurement). */
  runtime?: Runtime;
  /** Calibration samples, for passes that require them. */
  samples?: SampleSource;
  /**
   * Bytes of sample batches kept in memory after their first read (default
   * 128 MiB), so passes that read them many times do not decode them again;
   * larger sample sets are read afresh each time.
   */
  sampleCacheBytes?: number;
  /** Pins input shapes (and infers shapes) before the first pass. */
  inputShapes?: Record<string, Dim[]>;
  /** Validate the graph after every pass (default true; it is cheap next to any pass). */
  validate?: boolean;
  /** Called with each pass's start and end, its progress and its diagnostics, as they happen. */
  onEvent?: (e: PipelineEvent) => void;
  /** Aborting it stops the pipeline before the next pass, or at a pass's next checkpoint. */
  signal?: AbortSignal;
}

const DEFAULT_SAMPLE_CACHE = 128 * 2 ** 20;

/** What one pass did: the report's raw material. */
export interface PassRecord {
  /** The pass's name. */
  pass: string;
  /** The options it ran with, defaults filled in. */
  options: Record<string, unknown>;
  /** Whether it changed the graph. */
  changed: boolean;
  /** Wall-clock time it took, in milliseconds. */
  ms: number;
  /** Nodes in the graph before the pass. */
  nodesBefore: number;
  /** Nodes in the graph after the pass. */
  nodesAfter: number;
  /** Parameters (initializer elements) before the pass. */
  parametersBefore: number;
  /** Parameters (initializer elements) after the pass. */
  parametersAfter: number;
  /** What the pass reported with ctx.report(), by key. */
  facts: Record<string, unknown>;
  /** The warnings and notes it recorded. */
  diagnostics: Diagnostic[];
}

/** What {@link compress} returns. */
export interface CompressResult {
  /** The model it was given, edited in place. */
  model: Model;
  /** One record per step, in the order they ran. */
  passes: PassRecord[];
}

/**
 * Runs a pipeline over a model, in place. Each step's options were checked
 * before the first pass ran. A pass that throws, or leaves the graph invalid,
 * stops the pipeline with an error naming the pass (and the node).
 */
export async function compress(model: Model, recipe: unknown, opts: CompressOptions): Promise<CompressResult> {
  const steps: ResolvedStep[] = resolveRecipe(recipe, opts.registry);
  for (const { pass } of steps) {
    if (pass.requires.includes('runtime') && !opts.runtime) throw new CondenseError('E_BAD_OPTION', `Pass "${pass.name}" needs a runtime to run the model; pass one (compress's runtime option, or the CLI's --adapter).`, { context: { pass: pass.name } });
    if (pass.requires.includes('samples') && !opts.samples) throw new CondenseError('E_BAD_OPTION', `Pass "${pass.name}" needs sample data (compress's samples option, or the CLI's --calib).`, { context: { pass: pass.name } });
  }
  if (opts.inputShapes) inferShapes(model.graph, { inputShapes: opts.inputShapes });
  const samples = opts.samples && cachedSamples(opts.samples, opts.sampleCacheBytes ?? DEFAULT_SAMPLE_CACHE);
  const emit = opts.onEvent ?? (() => {});
  const records: PassRecord[] = [];
  for (const [index, { pass, options }] of steps.entries()) {
    if (opts.signal?.aborted) throw new CondenseError('E_PASS_FAILED', `Stopped before pass "${pass.name}".`, { cause: opts.signal.reason, context: { pass: pass.name } });
    const before = summarizeModel(model, { largest: 0 });
    const facts: Record<string, unknown> = {};
    const diagnostics: Diagnostic[] = [];
    const note = (severity: Diagnostic['severity']) => (message: string, where: { node?: string; value?: string } = {}) => {
      const d: Diagnostic = { severity, code: `${pass.name}`, message, ...where };
      diagnostics.push(d);
      emit({ type: 'diagnostic', pass: pass.name, diagnostic: d });
    };
    const ctx: PassContext<never> = {
      options: options as never,
      model,
      runtime: opts.runtime,
      samples,
      warn: note('warning'),
      info: note('info'),
      progress: (done, total, message) => emit({ type: 'progress', pass: pass.name, done, total, message }),
      report: (key, value) => (facts[key] = value),
      checkpoint: async () => {
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (opts.signal?.aborted) throw new CondenseError('E_PASS_FAILED', 'stopped by the caller.', { cause: opts.signal.reason });
      },
      signal: opts.signal,
    };
    emit({ type: 'pass-start', pass: pass.name, index, total: steps.length });
    const t0 = performance.now();
    let changed: boolean;
    try {
      changed = await pass.run(model.graph, ctx);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      const code = e instanceof CondenseError ? e.code : 'E_PASS_FAILED';
      const context = e instanceof CondenseError ? e.context : {};
      throw new CondenseError(code, `Pass "${pass.name}" failed: ${why}`, { cause: e, context: { ...context, pass: pass.name } });
    }
    const ms = performance.now() - t0;
    if (opts.validate ?? true) {
      const problems = model.graph.validate().filter((d) => d.severity === 'error');
      if (problems.length) {
        const first = problems[0]!;
        throw new CondenseError('E_INVALID_GRAPH', `Pass "${pass.name}" left the graph invalid${first.node ? ` at node "${first.node}"` : ''}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : ''}`, {
          context: { pass: pass.name, node: first.node, value: first.value },
        });
      }
    }
    const after = summarizeModel(model, { largest: 0 });
    records.push({ pass: pass.name, options, changed: Boolean(changed), ms, nodesBefore: before.nodes, nodesAfter: after.nodes, parametersBefore: before.parameters, parametersAfter: after.parameters, facts, diagnostics });
    emit({ type: 'pass-end', pass: pass.name, index, total: steps.length, changed: Boolean(changed), ms });
  }
  return { model, passes: records };
}
