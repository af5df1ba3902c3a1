import { CondenseError, summarizeModel, type Model, type PassRecord } from '@condense/core';
import { comparability } from './comparable.js';
import { graphFacts } from './graph-facts.js';
import { groupBytes, groupParameters, matchLayers } from './layers.js';
import { measure, type Measurements, type Probe } from './measure.js';
import { randomSamples } from './samples.js';
import { sensitivityRanking } from './sensitivity.js';
import type { BuildReportOptions, CompressionReport, LayerRow, PassRow, SizeFigures } from './types.js';

const DEFAULT_MAX_SAMPLES = 256;
const DEFAULT_LATENCY_RUNS = 10;

function wholeNumber(name: string, value: number | undefined, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new CondenseError('E_BAD_OPTION', `Report option "${name}" must be a whole number of at least ${min}; got ${String(value)}.`);
  return value;
}

/** The stored constants' bytes, standing in for a file size nobody measured. */
const weightBytes = (model: Model): SizeFigures => ({ bytes: summarizeModel(model, { largest: 0 }).parameterBytes, source: 'weights' });

const passRow = (p: PassRecord): PassRow => ({
  pass: p.pass,
  changed: p.changed,
  nodesBefore: p.nodesBefore,
  nodesAfter: p.nodesAfter,
  ms: p.ms,
  facts: p.facts,
  warnings: p.diagnostics.filter((d) => d.severity === 'warning' || d.severity === 'error').map((d) => d.message),
});

/**
 * Measures what compression did to a model: sizes, parameters and MACs from
 * the graphs, and, given a runtime, fidelity, accuracy, latency and per-layer
 * output SQNR from running both models on the same samples. Neither model is
 * changed (shape inference annotates their values' types).
 */
export async function buildReport(o: BuildReportOptions): Promise<CompressionReport> {
  const maxSamples = wholeNumber('maxSamples', o.maxSamples, 1, DEFAULT_MAX_SAMPLES);
  const latencyRuns = wholeNumber('latencyRuns', o.latencyRuns, 0, DEFAULT_LATENCY_RUNS);
  const warnings: string[] = [];
  const before = graphFacts(o.before.graph);
  const after = graphFacts(o.after.graph);

  const names = before.layers.map((n) => n.name);
  const groups = matchLayers(names, after);
  const unmatched = names.filter((n) => groups.get(n)!.length === 0);
  if (unmatched.length) warnings.push(`No node of the compressed model could be matched by name to ${unmatched.map((n) => `"${n}"`).join(', ')}; their "after" figures are 0.`);
  const bytesBefore = groupBytes(before.layers.map((n) => [n]), before);
  const bytesAfter = groupBytes(names.map((n) => groups.get(n)!), after);

  const blockers = comparability(before, after, o.passes);
  let measured: Measurements | undefined;
  if (!o.runtime) warnings.push('No runtime was given: fidelity, accuracy, latency and per-layer SQNR were not measured.');
  else {
    let samples = o.samples;
    let limit = maxSamples;
    if (!samples) {
      const random = randomSamples(o.before.graph);
      if ('reason' in random) warnings.push(`No samples were given and ${random.reason}: fidelity, latency and per-layer SQNR were not measured.`);
      else {
        samples = random.samples;
        limit = Math.min(maxSamples, random.count);
        warnings.push(`No samples were given: fidelity and per-layer SQNR were measured on ${random.count} random inputs, which shows how closely the models agree, not how accurate they are.`);
      }
    }
    if (o.labels && !o.samples) warnings.push('Labels were given without samples; accuracy was not measured.');
    if (samples) {
      const probes: Probe[] = before.layers.filter((n) => blockers.get(n) === undefined).map((n) => ({ layer: n.name, value: n.outputs[0]!.name }));
      measured = await measure({
        runtime: o.runtime,
        before: o.before.graph,
        after: o.after.graph,
        samples,
        probes,
        labels: o.samples ? o.labels : undefined,
        maxSamples: limit,
        latencyRuns,
        onProgress: o.onProgress ?? (() => {}),
      });
      warnings.push(...measured.warnings);
    }
  }

  const layers = before.layers.map((node, i): LayerRow => {
    const group = groups.get(node.name)!;
    const row: LayerRow = {
      name: node.name,
      op: node.op,
      parameters: { before: groupParameters([node], before), after: groupParameters(group, after) },
      bytes: { before: bytesBefore[i]!, after: bytesAfter[i]! },
      sqnrDb: null,
      compressedNodes: group.map((n) => n.name),
    };
    const figure = measured?.sqnr.get(node.name);
    if (typeof figure === 'number') row.sqnrDb = figure;
    else if (measured) row.sqnrNote = figure?.reason ?? blockers.get(node) ?? 'not measured';
    return row;
  });

  const summary: CompressionReport['summary'] = {
    size: o.size ?? { before: weightBytes(o.before), after: weightBytes(o.after) },
    parameters: { before: summarizeModel(o.before, { largest: 0 }).parameters, after: summarizeModel(o.after, { largest: 0 }).parameters },
  };
  if (!o.size) warnings.push('File sizes were not given: sizes are the stored weight bytes, without the graph around them or any gzip/brotli figure.');
  if (before.macs !== undefined && after.macs !== undefined) summary.macs = { before: before.macs, after: after.macs };
  if (measured?.accuracy) summary.accuracy = measured.accuracy;
  if (measured?.fidelity) summary.fidelity = measured.fidelity;
  if (measured?.latency) summary.latency = measured.latency;

  return {
    version: 1,
    input: o.input ?? 'original model',
    output: o.output ?? 'compressed model',
    recipe: o.recipe ?? o.passes.map((p) => p.pass).join(', '),
    ...(o.runtime ? { runtime: o.runtime.name } : {}),
    summary,
    layers,
    sensitivity: sensitivityRanking(o.passes, layers),
    passes: o.passes.map(passRow),
    warnings,
  };
}
