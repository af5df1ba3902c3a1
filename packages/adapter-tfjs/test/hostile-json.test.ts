/**
 * The smallest model.json files that reproduce what fuzzing the importer
 * found (tests/reliability/fuzz-tfjs.test.ts): each once ended in a
 * TypeError, a RangeError (a stack overflow among them), an E_INTERNAL or an
 * E_BAD_OPTION, and must now end in one CondenseError naming the problem.
 */
import { CondenseError } from '@condense/core';
import { describe, expect, it } from 'vitest';
import { importTfjs, type TfjsModelJson } from '../src/index.js';
import { GraphDefWriter, attr } from './helpers/graph-def.js';

function error(source: Parameters<typeof importTfjs>[0]): CondenseError {
  try {
    importTfjs(source);
  } catch (e) {
    expect(e).toBeInstanceOf(CondenseError);
    return e as CondenseError;
  }
  throw new Error('the model was imported');
}

/** x -> Relu "a" -> Relu "b" -> Identity: a graph to break. */
function chain(): { modelJson: TfjsModelJson; weights: Uint8Array } {
  const g = new GraphDefWriter();
  g.op('Identity', 'out', [g.op('Relu', 'b', [g.op('Relu', 'a', [g.placeholder('x', [1, 4])])])]);
  return g.build();
}

const nodes = (m: { modelJson: TfjsModelJson }) => (m.modelJson.modelTopology as { node: Array<{ name: string; op: string; input?: string[]; attr?: Record<string, unknown> }> }).node;

describe('hostile tfjs model.json', () => {
  it('imports the unmodified graph', () => {
    expect(importTfjs(chain()).graph.outputs.map((v) => v.name)).toEqual(['out']);
  });

  it('refuses a cycle between two nodes (was a stack overflow)', () => {
    const m = chain();
    nodes(m).find((n) => n.name === 'a')!.input = ['b'];
    const e = error(m);
    expect(e.code).toBe('E_MODEL_INVALID');
    expect(e.message).toMatch(/^The tfjs graph has a cycle: node "(a|b)" depends on its own output \(through "(a|b)"\)\.$/);
  });

  it('refuses a weight shape that is not a list of sizes (was "shape is not iterable")', () => {
    for (const shape of ['3', [-1], [2 ** 31, 2 ** 31, 2 ** 31]] as unknown[]) {
      const m = chain();
      m.modelJson.weightsManifest = [{ paths: ['w.bin'], weights: [{ name: 'w', shape: shape as number[], dtype: 'float32' }] }];
      expect(error(m).message).toMatch(/^model\.json is not a valid tfjs model: weight "w" (has shape .*, which is not a list of sizes|declares more elements than any model holds)\.$/);
    }
  });

  it('refuses a weights manifest that is not a list (was "manifest.flatMap is not a function")', () => {
    const m = chain();
    (m.modelJson as { weightsManifest: unknown }).weightsManifest = {};
    expect(error(m).message).toBe('model.json is not a valid tfjs model: weightsManifest is not a list of weight groups.');
  });

  it('does not look ops or layers up on Object.prototype (an op "constructor" was called as a converter)', () => {
    const m = chain();
    nodes(m).find((n) => n.name === 'a')!.op = 'constructor';
    const e = error(m);
    expect(e.code).toBe('E_UNSUPPORTED_OP');
    expect(e.message).toBe('The tfjs graph uses "constructor" (node "a"), which condense cannot import yet.');
  });

  it('refuses strides that are not four integers (was a TypeError turning undefined into int64)', () => {
    const g = new GraphDefWriter();
    const x = g.placeholder('x', [1, 4, 4, 1]);
    g.op('MaxPool', 'pool', [x], { ksize: attr.ints([1, 2, 2, 1]), strides: attr.ints([1]), padding: attr.s('VALID') });
    expect(error(g.build()).message).toBe('MaxPool "pool" has strides "1"; it needs four positive integers.');
  });

  it('refuses a Transpose whose perm is not an order of the axes (was a TypeError inverting it)', () => {
    const g = new GraphDefWriter();
    const x = g.placeholder('x', [1, 4]);
    g.op('Transpose', 't', [x, g.weight('perm', [2], [0, 0], { kind: 'int32' })]);
    expect(error(g.build()).message).toBe('Node "t" transposes a tensor of 2 axes by "0,0", which is not an order of its axes.');
  });

  it('refuses inline tensor content shorter than its shape (was a RangeError viewing it as int64)', () => {
    const m = chain();
    nodes(m).push({ name: 'c', op: 'Const', attr: { value: { tensor: { dtype: 'DT_INT64', tensorShape: { dim: [{ size: '3' }] }, tensorContent: 'AAAA' } } } });
    nodes(m).find((n) => n.name === 'out')!.input = ['c'];
    expect(error(m).message).toBe('Const "c" declares 3 elements of 8 bytes but holds 3 bytes.');
  });

  it('refuses Keras inbound nodes nested 100,000 deep without recursing', () => {
    const layer = { class_name: 'ReLU', name: 'r', config: { name: 'r' }, inbound_nodes: [JSON.parse('{"args":'.repeat(1) + '['.repeat(100_000) + ']'.repeat(100_000) + '}')] };
    const input = { class_name: 'InputLayer', name: 'x', config: { name: 'x', batch_input_shape: [null, 4], dtype: 'float32' } };
    const modelJson = { modelTopology: { class_name: 'Model', config: { layers: [input, layer], input_layers: [['x', 0, 0]], output_layers: [['r', 0, 0]] } }, weightsManifest: [] } as unknown as TfjsModelJson;
    const e = error({ modelJson });
    expect(e.message).toBe('The tfjs model uses ReLU "r" with 0 inputs, which condense cannot import yet.');
  });

  it('refuses an input layer whose dtype is not a type name (the message said "dtype [object Object]")', () => {
    const input = { class_name: 'InputLayer', name: 'x', config: { name: 'x', batch_input_shape: [null, 4], dtype: { name: 'float32' } } };
    const modelJson = { modelTopology: { class_name: 'Model', config: { layers: [input], input_layers: [['x', 0, 0]], output_layers: [['x', 0, 0]] } }, weightsManifest: [] } as unknown as TfjsModelJson;
    const e = error({ modelJson });
    expect(e.code).toBe('E_MODEL_INVALID');
    expect(e.message).toBe('Input layer "x" has dtype "{\\"name\\":\\"float32\\"}", which is not a type name.');
  });
});
