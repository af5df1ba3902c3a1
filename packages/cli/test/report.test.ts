/**
 * compress measures what it made: the summary it prints and the report files
 * --report writes, checked against condense eval run on the same files.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Graph, createModel } from '@condense/core';
import { saveModel } from '@condense/onnx/node';
import { afterAll, describe, expect, it } from 'vitest';
import { condense, repoRoot, tinyCnn } from './helpers.js';

const DATA = '/usr/share/datasets/fashion-mnist';
const images = path.join(DATA, 't10k-images-idx3-ubyte.gz');
const labels = path.join(DATA, 't10k-labels-idx1-ubyte.gz');
const fashionCnn = path.join(repoRoot, 'tools', 'fixtures', 'fashion-cnn.onnx');
const work = mkdtempSync(path.join(tmpdir(), 'condense-report-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

if (!existsSync(DATA)) console.log(`SKIP accuracy in the compress report: ${DATA} is missing (apt-get install dataset-fashion-mnist).`);

describe('condense compress: the summary and --report', () => {
  it('with no preset, int8-weights: prints size, fidelity and speed ratios measured on generated inputs', async () => {
    const out = path.join(work, 'tiny.onnx');
    const r = await condense(['compress', tinyCnn, '-o', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/quantize-weights\s+yes/);
    expect(r.stdout).toMatch(/summary:\n\s+size\s+\d\.\d\dx smaller/);
    expect(r.stdout).toMatch(/fidelity\s+100(\.0)?% same top-1/);
    expect(r.stdout).toMatch(/speed\s+/);
  });

  it.skipIf(!existsSync(DATA))('--images/--labels: the accuracy in the summary and in the JSON, HTML and Markdown reports is what condense eval measures', async () => {
    const out = path.join(work, 'fashion.onnx');
    const files = ['r.json', 'r.html', 'r.md'].map((f) => path.join(work, f));
    const runs = await Promise.all(files.map((report) => condense(['compress', fashionCnn, '-o', out.replace('.onnx', `-${path.extname(report).slice(1)}.onnx`), '--images', images, '--labels', labels, '--eval-limit', '1000', '--report', report, '--quiet'])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(files[0]!, 'utf8'));
    const { accuracy, fidelity, size, latency } = report.summary;
    expect(accuracy.samples).toBe(1000);
    // The oracle: condense eval on the two files, over the same 1,000 images.
    const evalOf = async (file: string) => JSON.parse((await condense(['eval', file, '--images', images, '--labels', labels, '--limit', '1000', '--json', '--quiet'])).stdout).accuracy;
    expect(accuracy.before).toBeCloseTo(await evalOf(fashionCnn), 6);
    expect(accuracy.after).toBeCloseTo(await evalOf(out.replace('.onnx', '-json.onnx')), 6);
    expect(Math.abs(accuracy.after - accuracy.before)).toBeLessThan(0.005);
    expect(fidelity.top1Agreement).toBeGreaterThanOrEqual(0.99);
    expect(size.before.bytes / size.after.bytes).toBeGreaterThan(3.5);
    expect(latency.ratio).toBeGreaterThan(0);
    expect(report.layers).toHaveLength(7);
    console.log(`fashion int8-weights: accuracy ${accuracy.before} -> ${accuracy.after}, ${(size.before.bytes / size.after.bytes).toFixed(2)}x smaller, latency ${latency.ratio.toFixed(2)}x`);
    const html = readFileSync(files[1]!, 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).not.toMatch(/<script/i);
    for (const layer of report.layers) expect(html).toContain(layer.name);
    const md = readFileSync(files[2]!, 'utf8');
    expect(md).toContain('| /head/head.1/Gemm |');
    expect(runs[1]!.stdout).toContain(`report written to ${files[1]}`);
  });

  it('refuses a report it cannot write before any work, and writes nothing', async () => {
    const dir = mkdtempSync(path.join(work, 'refused-'));
    const cases: Array<[string[], RegExp]> = [
      [['--report', path.join(dir, 'r.pdf')], /name a \.html, \.md or \.json file/],
      [['--report', path.join(dir, 'r.html'), '--no-measure'], /drop --no-measure/],
      [['--report', path.join(dir, 'out.onnx')], /name a \.html/],
      [['--images', images], /--images and --labels go together/],
      [['--eval-limit', '0', '--images', images, '--labels', labels], /--eval-limit 0/],
    ];
    for (const [extra, message] of cases) {
      const r = await condense(['compress', tinyCnn, '-o', path.join(dir, 'out.onnx'), ...extra]);
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a model the runtime cannot run is still compressed and saved; the summary says why it was not measured, and --report fails', async () => {
    const g = new Graph({ opset: { '': 17, 'com.example': 1 } });
    const x = g.input('x', { dtype: 'float32', shape: [1, 4] });
    g.outputs = [g.add('Mystery', [x], {}, { domain: 'com.example', name: 'mystery' }).output];
    const model = path.join(work, 'mystery.onnx');
    await saveModel(createModel(g), model);
    const out = path.join(work, 'mystery.out.onnx');
    const r = await condense(['compress', model, '-o', out, '--preset', 'cleanup', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/summary: not measured \(.*Mystery.*\); the model is saved/);
    expect(existsSync(out)).toBe(true);
    const json = JSON.parse((await condense(['compress', model, '-o', out, '--preset', 'cleanup', '--json', '--force'])).stdout);
    expect(json.notMeasured).toMatch(/Mystery/);
    const report = path.join(work, 'mystery.html');
    const withReport = await condense(['compress', model, '-o', out, '--preset', 'cleanup', '--report', report, '--quiet']);
    expect(withReport.code).toBe(1);
    expect(withReport.stderr).toMatch(/mystery.out.onnx is saved; no report was written/);
    expect(existsSync(report)).toBe(false);
  });

  it('--no-measure prints the table only', async () => {
    const r = await condense(['compress', tinyCnn, '-o', path.join(work, 'plain.onnx'), '--no-measure']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('summary:');
  });
});
