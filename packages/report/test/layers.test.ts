/** How layers are matched, weighed and compared when passes reshape the graph. */
import path from 'node:path';
import { Graph, Tensor, createModel, type Model, type PassRecord } from '@condense/core';
import { cpuRuntime } from '@condense/adapter-cpu';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../src/index.js';
import { FIXTURES, compressed } from './fashion.js';

describe('per-layer figures', () => {
  it('gives no SQNR, and says why, where fold-batch-norm changed what a layer output holds', async () => {
    const m = await compressed(path.join(FIXTURES, 'tiny-cnn.onnx'), 'cleanup');
    expect(m.result.passes.find((p) => p.pass === 'fold-batch-norm')!.facts['folded']).toBe(2);
    const report = await buildReport({ before: m.before, after: m.after, passes: m.result.passes, runtime: cpuRuntime(), latencyRuns: 0 });
    const folded = new Set([...m.before.graph].filter((n) => n.outputs[0]!.uses().some((u) => u.node.op === 'BatchNormalization')).map((n) => n.name));
    expect(folded.size).toBe(2);
    expect(report.layers).toHaveLength(5);
    for (const l of report.layers) {
      if (folded.has(l.name)) {
        expect(l.sqnrDb, l.name).toBeNull();
        expect(l.sqnrNote, l.name).toMatch(/BatchNormalization was folded into it/);
      } else {
        // Folding only reorders float arithmetic: what follows is the same up to rounding.
        expect(l.sqnrDb, l.name).toBeGreaterThan(100);
      }
    }
    // Cleanup keeps what the model computes.
    expect(report.summary.fidelity!.top1Agreement).toBe(1);
    expect(report.summary.fidelity!.sqnrDb).toBeGreaterThan(100);
    expect(report.sensitivity.map((s) => s.layer).sort()).toEqual(report.layers.filter((l) => !folded.has(l.name)).map((l) => l.name).sort());
  }, 60_000);

  it('takes the sensitivity ranking a pass measured (quantize-static\'s facts) over the SQNR order', async () => {
    const model = twoConvs();
    const ranking = [
      { layer: 'second', op: 'Conv', sqnrGainDb: 7.25 },
      { layer: 'first', op: 'Conv', sqnrGainDb: 0.5 },
    ];
    const pass: PassRecord = { pass: 'quantize-static', options: {}, changed: true, ms: 1, nodesBefore: 2, nodesAfter: 2, parametersBefore: 10, parametersAfter: 10, facts: { sensitivity: ranking }, diagnostics: [{ severity: 'warning', code: 'quantize-static', message: 'a warning' }] };
    const report = await buildReport({ before: model, after: model, passes: [pass] });
    expect(report.sensitivity).toEqual([
      { layer: 'second', score: 7.25, unit: 'dB output SQNR gained in float' },
      { layer: 'first', score: 0.5, unit: 'dB output SQNR gained in float' },
    ]);
    expect(report.passes[0]!.warnings).toEqual(['a warning']);
  });

  it('splits a weight two layers share evenly between them', async () => {
    const model = twoConvs();
    const report = await buildReport({ before: model, after: model, passes: [] });
    expect(report.layers.map((l) => [l.name, l.parameters.before, l.bytes.before])).toEqual([
      ['first', 4 + 2, 16 / 2 + 8],
      ['second', 4, 16 / 2],
    ]);
    expect(report.summary.macs).toEqual({ before: 2 * 2 * 16 * 2, after: 2 * 2 * 16 * 2 });
  });

  it('says so, rather than showing zeros, when the samples hold no batch', async () => {
    const model = twoConvs();
    const report = await buildReport({ before: model, after: model, passes: [], runtime: cpuRuntime(), samples: [] });
    expect(report.summary.fidelity).toBeUndefined();
    expect(report.summary.latency).toBeUndefined();
    expect(report.layers.map((l) => [l.sqnrDb, l.sqnrNote])).toEqual([
      [null, 'no samples'],
      [null, 'no samples'],
    ]);
    expect(report.warnings).toContain('The samples held no batch: nothing was measured.');
  });

  it('matches the nodes a pass derives from a layer by name and counts their weights', async () => {
    const m = await compressed(path.join(FIXTURES, 'fashion-cnn.onnx'), 'decouple');
    const report = await buildReport({ before: m.before, after: m.after, passes: m.result.passes, runtime: cpuRuntime(), latencyRuns: 0 });
    const decoupled = report.layers.filter((l) => l.compressedNodes.length > 1);
    console.log(report.layers.map((l) => `${l.name}: ${l.compressedNodes.join(', ')} ${l.parameters.before} -> ${l.parameters.after} params, SQNR ${l.sqnrDb?.toFixed(1) ?? l.sqnrNote}`).join('\n'));
    expect(decoupled.length).toBeGreaterThan(0);
    for (const l of decoupled) {
      expect(l.compressedNodes.every((n) => n === l.name || n.startsWith(`${l.name}_`))).toBe(true);
      expect(l.parameters.after, l.name).toBeLessThan(l.parameters.before);
    }
  }, 60_000);
});

/** Two 1x1 Convs reading one weight tensor; the first also reads a bias. */
function twoConvs(): Model {
  const g = new Graph({ opset: { '': 13 } });
  const x = g.input('x', { dtype: 'float32', shape: [1, 2, 4, 4] });
  const w = g.constant('w', Tensor.from('float32', [2, 2, 1, 1], [1, 0, 0, 1]));
  const b = g.constant('b', Tensor.from('float32', [2], [0.5, -0.5]));
  const first = g.add('Conv', [x, w, b], {}, { name: 'first' });
  const second = g.add('Conv', [first.output, w], {}, { name: 'second' });
  g.outputs = [second.output];
  return createModel(g);
}
