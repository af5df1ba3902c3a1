/**
 * condense compress from the command line: presets, recipes, plugins (a local
 * file and an installed package), and clear errors for bad recipes and plugins.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clsModel, condense, firstOutput, maxAbsDifference, repoRoot, tinyCnn } from './helpers.js';

const work = mkdtempSync(path.join(tmpdir(), 'condense-compress-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const plugin = path.join(repoRoot, 'examples', 'plugin-strip-docs');

describe('condense compress', () => {
  it('--preset cleanup on PaddleOCR cls: same outputs, no BatchNormalization or Constant left; --json reports both sides', async () => {
    const out = path.join(work, 'cls-clean.onnx');
    const r = await condense(['compress', clsModel, '-o', out, '--preset', 'cleanup', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    for (const side of ['input', 'output']) for (const key of ['nodes', 'parameters', 'bytes', 'gzip', 'brotli']) expect(j[side]).toHaveProperty(key);
    // Weights barely compress; the sizes on the wire are real measurements, below the raw size.
    for (const side of ['input', 'output']) expect(j[side].brotli).toBeLessThan(j[side].bytes);
    expect(j.output.nodes).toBeLessThan(j.input.nodes);
    expect(j.output.ops.BatchNormalization ?? 0).toBe(0);
    expect(j.output.ops.Constant ?? 0).toBe(0);
    expect(j.passes.map((p: { pass: string }) => p.pass)).toContain('fold-batch-norm');
    const d = maxAbsDifference(await firstOutput(out, 'x', [1, 3, 48, 192]), await firstOutput(clsModel, 'x', [1, 3, 48, 192]));
    console.log(`cls cleanup: nodes ${j.input.nodes} -> ${j.output.nodes}, max abs difference ${d}`);
    expect(d).toBeLessThan(1e-5);
  });

  it('prints a before/after table', async () => {
    const r = await condense(['compress', tinyCnn, '-o', path.join(work, 'tiny.onnx'), '--preset', 'cleanup']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/nodes\s+15\s+13/);
    expect(r.stdout).toMatch(/BatchNormalization\s+2\s+0/);
    expect(r.stdout).toMatch(/fold-batch-norm\s+yes/);
  });

  it('runs a plugin pass from a local file through a YAML recipe', async () => {
    const out = path.join(work, 'stripped.onnx');
    const r = await condense(['compress', tinyCnn, '-o', out, '--plugin', path.join(plugin, 'index.mjs'), '--recipe', path.join(plugin, 'recipe.yaml'), '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const strip = j.passes.find((p: { pass: string }) => p.pass === 'strip-doc-strings');
    expect(strip.changed).toBe(true);
    expect(strip.facts.charactersRemoved).toBeGreaterThan(10);
    const info = JSON.parse((await condense(['inspect', out, '--json'])).stdout);
    expect(info.nodes).toBe(13);
    expect(maxAbsDifference(await firstOutput(out, 'image', [2, 1, 28, 28]), await firstOutput(tinyCnn, 'image', [2, 1, 28, 28]))).toBeLessThan(1e-5);
  });

  it('loads a plugin by package name from the working folder', async () => {
    const project = path.join(work, 'project');
    mkdirSync(path.join(project, 'node_modules'), { recursive: true });
    writeFileSync(path.join(project, 'package.json'), '{"name":"user-project","private":true}');
    symlinkSync(plugin, path.join(project, 'node_modules', 'condense-plugin-strip-docs'));
    writeFileSync(path.join(project, 'recipe.json'), JSON.stringify({ passes: ['strip-doc-strings'] }));
    const r = await condense(['compress', tinyCnn, '-o', 'out.onnx', '--plugin', 'condense-plugin-strip-docs', '--recipe', 'recipe.json'], { cwd: project });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/strip-doc-strings\s+yes/);
  });

  it('--list shows builtin and plugin passes and presets', async () => {
    const r = await condense(['compress', '--list', '--plugin', path.join(plugin, 'index.mjs')]);
    expect(r.code).toBe(0);
    for (const name of ['fold-batch-norm', 'fold-constants', 'strip-doc-strings', 'cleanup']) expect(r.stdout).toContain(name);
  });
});

describe('bad recipes and plugins', () => {
  const files: Record<string, string> = {
    'typo.yaml': 'passes:\n  - fold-batchnorm\n',
    'bad-option.yaml': 'passes:\n  - pass: fold-constants\n    options: { aggressive: true }\n',
    'bad-type.json': JSON.stringify({ passes: [{ pass: 'strip-doc-strings', options: { keepMetadata: 'no' } }] }),
    'broken.yaml': 'passes: [fold-constants\n',
    'extra-key.yaml': 'preset: cleanup\nsteps: []\n',
    'empty.yaml': 'passes: []\n',
    'no-passes.mjs': 'export const answer = 42;\n',
    'throws.mjs': 'throw new Error("plugin init exploded");\n',
    'bad-pass.mjs': 'export const passes = [{ name: "Bad Name", description: "x", run() { return false; } }];\n',
    'extra-key.mjs': 'export const passes = [{ name: "fine", description: "x", run() { return false; }, order: 1 }];\n',
    'clash.mjs': 'export const passes = [{ name: "fold-constants", description: "x", run() { return false; } }];\n',
    'invalid-graph.mjs': `export const passes = [{ name: 'break-graph', description: 'removes a node others use', run(g) { const n = [...g][0]; n.output.replaceAllUsesWith(g.value('missing') ?? g.declare('missing')); return true; } }];\n`,
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(work, name), content);
  const w = (f: string) => path.join(work, f);
  const cases: Array<[string, string[], RegExp]> = [
    ['unknown pass (with a suggestion)', ['--recipe', w('typo.yaml')], /Unknown pass "fold-batchnorm". Did you mean "fold-batch-norm"\?/],
    ['unknown option', ['--recipe', w('bad-option.yaml')], /Pass "fold-constants" has no option "aggressive"/],
    ['option of the wrong type', ['--plugin', path.join(plugin, 'index.mjs'), '--recipe', w('bad-type.json')], /Option "keepMetadata" of pass "strip-doc-strings" must be true or false/],
    ['YAML that does not parse', ['--recipe', w('broken.yaml')], /not valid YAML/],
    ['unknown recipe key', ['--recipe', w('extra-key.yaml')], /unknown key "steps"/],
    ['recipe with no passes', ['--recipe', w('empty.yaml')], /names no passes/],
    ['missing recipe', ['--recipe', w('nope.yaml')], /Recipe .* does not exist/],
    ['unknown preset', ['--preset', 'tiny'], /Unknown preset "tiny"/],
    ['plugin file missing', ['--plugin', w('nowhere.mjs')], /Plugin .* does not exist/],
    ['plugin package not installed', ['--plugin', 'condense-plugin-nope'], /not installed here; run "npm install condense-plugin-nope"/],
    ['plugin without passes', ['--plugin', w('no-passes.mjs')], /exports no passes/],
    ['plugin that throws on load', ['--plugin', w('throws.mjs')], /failed to load: plugin init exploded/],
    ['pass with a bad name', ['--plugin', w('bad-pass.mjs')], /name must be kebab-case/],
    ['pass with an unknown key', ['--plugin', w('extra-key.mjs')], /unknown key "order"/],
    ['pass name taken by a builtin', ['--plugin', w('clash.mjs')], /already registered/],
    ['--max-drop without static quantization', ['--max-drop', '1'], /tune static quantization; use them with --preset int8/],
    ['--max-drop that is not a number', ['--preset', 'int8', '--max-drop', 'lots'], /--max-drop must be a number from 0 to 100; got "lots"/],
    ['--observer of an unknown kind', ['--preset', 'int8', '--observer', 'median'], /Option "observer" of pass "quantize-static" must be one of minmax, moving-average, percentile, entropy, mse/],
  ];
  for (const [what, args, message] of cases) {
    it(`${what}: one clear line, non-zero exit, nothing written`, async () => {
      const out = path.join(work, 'should-not-exist.onnx');
      const r = await condense(['compress', tinyCnn, '-o', out, ...args]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(work)).not.toContain('should-not-exist.onnx');
    });
  }

  it('a pass that leaves the graph invalid stops the pipeline, naming the pass and the node', async () => {
    writeFileSync(w('break.json'), JSON.stringify({ passes: ['break-graph'] }));
    const r = await condense(['compress', tinyCnn, '-o', w('should-not-exist.onnx'), '--plugin', w('invalid-graph.mjs'), '--recipe', w('break.json')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Pass "break-graph" left the graph invalid at node "bn1": Node "bn1" reads "missing", which has no producer/);
    expect(readdirSync(work)).not.toContain('should-not-exist.onnx');
  });
});
