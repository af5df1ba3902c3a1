import { formatSummary, type CompressionReport } from '@condense/report';
import { CondenseError, compress as runPipeline, countMacs, createRegistry, inferShapes, resolveRecipe, summarizeModel, type Model, type PassRecord, type PassRegistry, type Recipe } from '@condense/core';
import { PREPROCESS_HELP, PREPROCESS_OPTIONS, decimal, parseCommand, parseInputShapes, parsePreprocess, requireOne } from '../args.js';
import { formatBytes, formatCount, table, type Streams } from '../io.js';
import { REPORT_HELP, REPORT_OPTIONS, checkReportOptions, measure } from '../compress-report.js';
import { checkOutputPath } from '../output-path.js';
import { pipelineProgress, progressFor } from '../progress.js';
import { modelBytes, modelFiles, readModelFile, writeModelFile } from '../model-files.js';
import { loadPlugin } from '../plugins.js';
import { readRecipeFile } from '../recipe-file.js';
import { calibrationSamples } from '../data-files.js';
import { parseAdapter, runtimeFor } from '../runtimes.js';
import { wireSize, type WireSize } from '../wire-size.js';

export const COMPRESS_HELP = `Usage: condense compress <model.onnx> -o <out.onnx> [--preset <name> | --recipe <file>]
                        [--plugin <module>]... [--input-shape name=d0,d1,...]... [--json]
                        [--calib <data>] [--adapter cpu|wasm|cuda] [--external-data] [--force] [--quiet]
                        [--observer <kind>] [--max-drop <points>] [--size HxW] [--resize <mode>]
                        [--scale N] [--mean A,B,C] [--std A,B,C] [--channels rgb|bgr] [--layout nchw|nhwc]
                        [--report <file.html|.md|.json>] [--images <idx> --labels <idx>]
                        [--eval-limit N] [--no-measure]

Runs a pipeline of passes and saves the result to -o (--output), and reports both sides' size
raw, gzipped and brotli-compressed (as web servers send files). --preset names a built-in
pipeline (default: int8-weights, which needs no data); --recipe reads a JSON or YAML file:
    preset: cleanup            # optional
    passes:
      - fold-constants
      - pass: my-plugin-pass
        options: { threshold: 0.5 }
--plugin loads passes from an npm package or a local .mjs file (repeatable).
--calib <data> gives calibration samples (the int8 preset needs them; forms below);
--adapter picks the runtime that runs them (cpu by default). For static
quantization (int8): --observer picks how activation ranges are calibrated
(minmax, moving-average, percentile, entropy, mse); --max-drop keeps the most
sensitive layers in float until top-1 disagreement with the float model on the
calibration data is at most that many points.
--list shows the passes and presets. Prints a before/after table; --json prints
one object with input, output and passes. Long passes (calibration, clustering)
show progress on stderr; --quiet (-q) or --json turns it off.

${REPORT_HELP}

${PREPROCESS_HELP}

Examples:
  condense compress model.onnx -o small.onnx
  condense compress model.onnx -o small.onnx --images t10k-images-idx3-ubyte.gz --labels t10k-labels-idx1-ubyte.gz --eval-limit 1000 --report report.html
  condense compress model.onnx -o clean.onnx --preset cleanup --no-measure
  condense compress model.onnx -o small.onnx --preset int8-weights --json
  condense compress model.onnx -o int8.onnx --preset int8 --calib images/ --size 224x224 --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225
  condense compress model.onnx -o int8.onnx --preset int8 --calib calib.npy --observer percentile --max-drop 0.5 --adapter wasm
  condense compress model.onnx -o out.onnx --recipe recipe.yaml --plugin ./my-pass.mjs --external-data --quiet
  condense compress --list --plugin ./my-pass.mjs`;

export const COMPRESS_OPTIONS = {
  output: { type: 'string', short: 'o' },
  preset: { type: 'string' },
  recipe: { type: 'string' },
  plugin: { type: 'string', multiple: true },
  'input-shape': { type: 'string', multiple: true },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  list: { type: 'boolean' },
  'external-data': { type: 'boolean' },
  force: { type: 'boolean' },
  calib: { type: 'string' },
  adapter: { type: 'string' },
  observer: { type: 'string' },
  'max-drop': { type: 'string' },
  ...REPORT_OPTIONS,
  ...PREPROCESS_OPTIONS,
} as const;

interface Side extends WireSize {
  nodes: number;
  parameters: number;
  macs: number | undefined;
  bytes: number;
  ops: Record<string, number>;
}

export async function compress(args: string[], io: Streams): Promise<number> {
  const parsed = parseCommand('compress', args, COMPRESS_OPTIONS, COMPRESS_HELP, io);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const registry = createRegistry();
  for (const spec of values.plugin ?? []) await loadPlugin(spec, registry);
  if (values.list) {
    io.out.write(`passes:\n${table(registry.names().map((n) => [n, registry.get(n).description]), '  ')}\npresets:\n${table(registry.presets().map((p) => [p.name, p.passes.map((s) => (typeof s === 'string' ? s : `${s.pass} ${JSON.stringify(s.options ?? {})}`)).join(', ')]), '  ')}\n`);
    return 0;
  }
  if (values.preset && values.recipe) throw new CondenseError('E_BAD_OPTION', 'Give --preset or --recipe, not both (a recipe can name a preset).');
  const input = requireOne('compress', positionals, 'input model');
  const preset = values.preset ?? DEFAULT_PRESET;
  const recipe = withStaticOptions(values.recipe ? await readRecipeFile(values.recipe) : { preset }, values, registry);
  // Check the whole recipe before loading the model, so a typo costs nothing.
  resolveRecipe(recipe, registry, values.recipe ?? `preset "${preset}"`);
  const output = await checkOutputPath(input, values.output, values.force ?? false);
  checkReportOptions(values, { input, output });
  const inputShapes = parseInputShapes(values['input-shape']);
  const preprocess = parsePreprocess(values);
  const [flag] = Object.keys(preprocess);
  if (flag && !values.calib) throw new CondenseError('E_BAD_OPTION', `--${flag} describes calibration data; give it with --calib.`);

  const model = await readModelFile(input, { inputShapes });
  // The report compares against the original, so it keeps a copy of its own.
  const original = values['no-measure'] ? undefined : await readModelFile(input, { inputShapes });
  const before = side(model, await modelBytes(input), await wireSize(await modelFiles(input)));
  const calibration = values.calib ? await calibrationSamples(values.calib, model.graph, 32, preprocess) : undefined;
  const progress = progressFor(io, values.json || values.quiet);
  const runtime = await runtimeFor(parseAdapter(values.adapter));
  const result = await runPipeline(model, recipe, { registry, inputShapes, samples: calibration, runtime, onEvent: pipelineProgress(progress) });
  progress.end();
  const saved = await writeModelFile(model, output, { externalData: values['external-data'], input });
  const after = side(model, saved.bytes, await wireSize(saved.files));
  const measured = original && (await measure({
    values,
    input,
    output,
    recipe: values.recipe ? `recipe ${values.recipe}` : `preset ${preset}`,
    before: original,
    after: model,
    passes: result.passes,
    size: { before: { bytes: before.bytes, gzip: before.gzip, brotli: before.brotli }, after: { bytes: after.bytes, gzip: after.gzip, brotli: after.brotli } },
    runtime,
    calibration,
    progress,
  }));

  if (values.json) {
    io.out.write(`${JSON.stringify({ input: { file: input, ...before }, output: { file: output, ...after }, passes: result.passes, ...(typeof measured === 'string' ? { notMeasured: measured } : measured ? { report: measured } : {}) }, jsonNumbers, 2)}\n`);
    return 0;
  }
  io.out.write(`${report(input, output, before, after, result.passes)}\n${summaryBlock(measured, values.report)}`);
  return 0;
}

/** What compress runs without --preset or --recipe: 4x smaller, no data needed, answers the same. */
const DEFAULT_PRESET = 'int8-weights';

/** JSON has no Infinity: an unchanged layer's SQNR is written as the string "Infinity" (as @condense/report's JSON does). */
const jsonNumbers = (_key: string, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value);

/** The report's summary, last, where a reader's eye lands. */
function summaryBlock(measured: CompressionReport | string | undefined, file: string | undefined): string {
  if (!measured) return '';
  if (typeof measured === 'string') return `\nsummary: not measured (${measured}); the model is saved. --no-measure skips this step.\n`;
  return `\nsummary:\n${formatSummary(measured).replace(/^/gm, '  ')}\n${file ? `report written to ${file}\n` : ''}`;
}

/** --observer and --max-drop, as options of the pipeline's quantize-static step. */
function withStaticOptions(given: unknown, values: { observer?: string; 'max-drop'?: string }, registry: PassRegistry): unknown {
  const options: Record<string, unknown> = {};
  if (values.observer !== undefined) options['observer'] = values.observer;
  if (values['max-drop'] !== undefined) options['maxDrop'] = decimal('max-drop', values['max-drop'], 0, 100);
  // A malformed recipe is left for resolveRecipe to explain.
  if (Object.keys(options).length === 0 || typeof given !== 'object' || given === null || Array.isArray(given)) return given;
  const recipe = given as Recipe;
  const steps = [...(recipe.preset ? registry.preset(recipe.preset) : []), ...(recipe.passes ?? [])];
  if (!steps.some((s) => (typeof s === 'string' ? s : s.pass) === 'quantize-static')) {
    throw new CondenseError('E_BAD_OPTION', `--observer and --max-drop tune static quantization; use them with --preset int8 (or a recipe that runs quantize-static).`);
  }
  return { ...recipe, options: { ...recipe.options, 'quantize-static': { ...recipe.options?.['quantize-static'], ...options } } };
}

function side(model: Model, bytes: number, wire: WireSize): Side {
  const s = summarizeModel(model);
  return { nodes: s.nodes, parameters: s.parameters, macs: macsOf(model), bytes, ...wire, ops: s.ops };
}

/** MACs per sample, or undefined where some layer's shapes are not known (give --input-shape). */
function macsOf(model: Model): number | undefined {
  try {
    inferShapes(model.graph);
  } catch {
    return undefined;
  }
  const count = countMacs(model.graph);
  return count.unknown.length ? undefined : count.macs;
}

function report(input: string, output: string, before: Side, after: Side, passes: PassRecord[]): string {
  const ratio = (a: number, b: number) => (b ? `${((a / b) * 100).toFixed(1)}%` : '-');
  const ops = [...new Set([...Object.keys(before.ops), ...Object.keys(after.ops)])]
    .filter((op) => before.ops[op] !== after.ops[op])
    .map((op) => [op, formatCount(before.ops[op] ?? 0), formatCount(after.ops[op] ?? 0)]);
  return [
    `${input} -> ${output}`,
    table([
      ['', 'before', 'after', 'after/before'],
      ['nodes', formatCount(before.nodes), formatCount(after.nodes), ratio(after.nodes, before.nodes)],
      ['parameters', formatCount(before.parameters), formatCount(after.parameters), ratio(after.parameters, before.parameters)],
      ['MACs per sample', before.macs === undefined ? '-' : formatCount(before.macs), after.macs === undefined ? '-' : formatCount(after.macs), before.macs && after.macs !== undefined ? ratio(after.macs, before.macs) : '-'],
      ['file size', formatBytes(before.bytes), formatBytes(after.bytes), ratio(after.bytes, before.bytes)],
      ['gzip', formatBytes(before.gzip), formatBytes(after.gzip), ratio(after.gzip, before.gzip)],
      ['brotli', formatBytes(before.brotli), formatBytes(after.brotli), ratio(after.brotli, before.brotli)],
    ]),
    '',
    ops.length ? `ops that changed:\n${table([['op', 'before', 'after'], ...ops])}` : 'no op counts changed',
    '',
    `passes:\n${table([['pass', 'changed', 'nodes', 'ms', 'what it did'], ...passes.map((p) => [p.pass, p.changed ? 'yes' : 'no', `${p.nodesBefore} -> ${p.nodesAfter}`, p.ms.toFixed(0), facts(p)])])}`,
    ...passes.flatMap(factTables),
    ...passes.flatMap((p) => p.diagnostics.filter((d) => d.severity === 'warning').map((d) => `warning (${p.pass}): ${d.message}`)),
  ].join('\n');
}

/** Facts that are lists of records (quantize-static's per-layer errors) as tables of their own. */
function factTables(p: PassRecord): string[] {
  return Object.entries(p.facts).flatMap(([key, rows]) => {
    if (!Array.isArray(rows) || rows.length === 0 || typeof rows[0] !== 'object' || rows[0] === null) return [];
    const columns = Object.keys(rows[0] as object);
    const cell = (v: unknown) => (typeof v === 'number' ? String(v) : String(v ?? ''));
    return ['', `${p.pass} ${key}:`, table([columns, ...rows.map((r) => columns.map((c) => cell((r as Record<string, unknown>)[c])))])];
  });
}

function facts(p: PassRecord): string {
  return Object.entries(p.facts)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'string')
    .map(([k, v]) => `${k} ${typeof v === 'number' ? formatCount(v) : v}`)
    .join(', ');
}
