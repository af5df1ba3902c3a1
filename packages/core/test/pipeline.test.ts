import { describe, expect, it } from 'vitest';
import { CondenseError, Graph, PassRegistry, Tensor, compress, createModel, createRegistry, definePass, resolveRecipe, type PipelineEvent } from '../src/index.js';

const countNodes = definePass({
  name: 'count-nodes',
  description: 'Reports the node count; changes nothing.',
  options: { label: { type: 'string', default: 'nodes', description: 'fact name' }, scale: { type: 'number', min: 1, integer: true, description: 'multiplier' } },
  run(graph, ctx) {
    ctx.report(ctx.options.label, graph.nodeCount * (ctx.options.scale ?? 1));
    ctx.progress(1, 1, 'counted');
    return false;
  },
});

function tinyModel() {
  const g = new Graph();
  const x = g.input('x', { dtype: 'float32', shape: [1] });
  g.outputs = [g.add('Relu', [g.add('Identity', [x]).output]).output];
  return createModel(g);
}

function registry() {
  const r = createRegistry();
  r.register(countNodes);
  return r;
}

describe('definePass', () => {
  it('rejects unknown keys, bad names and missing parts', () => {
    const base = { name: 'ok-pass', description: 'd', run: () => false };
    expect(() => definePass({ ...base, order: 1 } as never)).toThrow(/unknown key "order"/);
    expect(() => definePass({ ...base, name: 'NotKebab' })).toThrow(/kebab-case/);
    expect(() => definePass({ ...base, description: '' })).toThrow(/needs a description/);
    expect(() => definePass({ ...base, requires: ['gpu'] } as never)).toThrow(/requires may list only/);
    expect(Object.isFrozen(definePass(base))).toBe(true);
  });
});

describe('recipes', () => {
  it('expand presets and check options, filling defaults', () => {
    const steps = resolveRecipe({ preset: 'cleanup', passes: [{ pass: 'count-nodes', options: { scale: 2 } }] }, registry());
    expect(steps.map((s) => s.pass.name).at(-1)).toBe('count-nodes');
    expect(steps.at(-1)!.options).toEqual({ label: 'nodes', scale: 2 });
    expect(steps.length).toBe(9);
  });

  const bad: Array<[unknown, RegExp]> = [
    [{ passes: ['count-node'] }, /Unknown pass "count-node". Did you mean "count-nodes"\?/],
    [{ passes: [{ pass: 'count-nodes', options: { scale: 0 } }] }, /"scale" of pass "count-nodes" must be at least 1/],
    [{ passes: [{ pass: 'count-nodes', options: { scale: 1.5 } }] }, /must be an integer/],
    [{ passes: [{ pass: 'count-nodes', options: { colour: 'red' } }] }, /has no option "colour". Its options are: label, scale/],
    [{ passes: [{ pass: 'count-nodes', opts: {} }] }, /unknown key "opts"/],
    [{ preset: 'huge' }, /Unknown preset "huge"/],
    [{ passes: [] }, /names no passes/],
    [{ pipeline: [] }, /unknown key "pipeline"/],
    ['cleanup', /a recipe is an object/],
  ];
  for (const [recipe, message] of bad) {
    it(`refuses ${JSON.stringify(recipe)}`, () => {
      expect(() => resolveRecipe(recipe, registry())).toThrow(message);
    });
  }

  it('keeps registries apart and refuses duplicate names', () => {
    const a = new PassRegistry();
    a.register(countNodes);
    expect(() => a.register(countNodes)).toThrow(/already registered/);
    expect(new PassRegistry().has('count-nodes')).toBe(false);
  });
});

describe('compress', () => {
  it('runs passes in order, records what each did and emits events', async () => {
    const model = tinyModel();
    const events: PipelineEvent['type'][] = [];
    const result = await compress(model, { passes: ['count-nodes', 'remove-identity', { pass: 'count-nodes', options: { label: 'after' } }] }, { registry: registry(), onEvent: (e) => events.push(e.type) });
    expect(result.passes.map((p) => [p.pass, p.changed, p.nodesBefore, p.nodesAfter])).toEqual([
      ['count-nodes', false, 2, 2],
      ['remove-identity', true, 2, 1],
      ['count-nodes', false, 1, 1],
    ]);
    expect(result.passes[0]!.facts).toEqual({ nodes: 2 });
    expect(result.passes[2]!.facts).toEqual({ after: 1 });
    expect(events.filter((t) => t === 'pass-start').length).toBe(3);
    expect(events).toContain('progress');
  });

  it('stops at a pass that leaves the graph invalid, naming it and the node', async () => {
    const r = registry();
    r.register(definePass({
      name: 'break-graph',
      description: 'points the output node at a value nobody produces',
      run(graph) {
        const relu = [...graph].find((n) => n.op === 'Relu')!;
        relu.replaceInput(0, graph.declare('ghost'));
        return true;
      },
    }));
    const err = await compress(tinyModel(), { passes: ['break-graph', 'count-nodes'] }, { registry: r }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CondenseError);
    expect((err as CondenseError).code).toBe('E_INVALID_GRAPH');
    expect((err as Error).message).toMatch(/Pass "break-graph" left the graph invalid at node "Relu"/);
    expect((err as CondenseError).context.pass).toBe('break-graph');
  });

  it('names the pass that throws, and refuses passes whose needs are not met', async () => {
    const r = registry();
    r.register(definePass({ name: 'explode', description: 'throws', run() { throw new Error('boom'); } }));
    r.register(definePass({ name: 'needs-runtime', description: 'calibrates', requires: ['runtime'], run: () => false }));
    await expect(compress(tinyModel(), { passes: ['explode'] }, { registry: r })).rejects.toThrow(/Pass "explode" failed: boom/);
    await expect(compress(tinyModel(), { passes: ['needs-runtime'] }, { registry: r })).rejects.toThrow(/needs a runtime/);
  });
});

describe('stopping a long pass', () => {
  /** Three 64×64 dense layers: enough weights for cluster-weights to run k-means on each. */
  function denseModel() {
    const g = new Graph({ opset: { '': 17 } });
    let v = g.input('x', { dtype: 'float32', shape: [1, 64] });
    for (let i = 0; i < 3; i++) {
      const w = g.constant(`w${i}`, Tensor.from('float32', [64, 64], Float32Array.from({ length: 4096 }, (_, k) => Math.sin(k * (i + 1)))));
      v = g.add('MatMul', [v, w]).output;
    }
    g.outputs = [v];
    return createModel(g);
  }

  it('lets the event loop run between layers, so an abort during k-means stops the pass', async () => {
    const controller = new AbortController();
    let progressEvents = 0;
    const onEvent = (e: PipelineEvent) => {
      // A timer set when the pass starts can only fire if the pass yields.
      if (e.type === 'pass-start' && e.pass === 'cluster-weights') setTimeout(() => controller.abort(new Error('Ctrl-C')), 0);
      if (e.type === 'progress' && e.pass === 'cluster-weights') progressEvents++;
    };
    const run = compress(denseModel(), { passes: [{ pass: 'cluster-weights', options: { ops: ['MatMul'], minElements: 16 } }] }, { registry: createRegistry(), signal: controller.signal, onEvent });
    await expect(run).rejects.toThrow(/cluster-weights.*stopped by the caller/);
    expect(progressEvents).toBeLessThan(3);
  });
});
