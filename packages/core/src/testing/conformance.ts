import { CondenseError } from '../errors.js';
import { attr } from '../ir/attr.js';
import { Graph } from '../ir/graph.js';
import type { Runtime } from '../runtime.js';
import { Tensor } from '../tensor/tensor.js';

/** One conformance check: a name and an async body that throws on failure. */
export interface ConformanceCheck {
  name: string;
  run(): Promise<void>;
}

function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(`conformance: ${message}`);
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert(actual.length === expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    assert(Math.abs(actual[i]! - expected[i]!) <= tol, `${what}[${i}] = ${actual[i]}, expected ${expected[i]} (tolerance ${tol})`);
  }
}

async function rejects(p: Promise<unknown>, code: string, what: string): Promise<CondenseError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  assert(e instanceof CondenseError, `${what} should fail with a CondenseError, got ${String(e)}`);
  assert(e.code === code, `${what} should fail with ${code}, got ${e.code}: ${e.message}`);
  return e;
}

const X_SHAPE = [1, 2, 4, 4];
const X = Float32Array.from({ length: 32 }, (_, i) => ((i * 7) % 11) / 5 - 1);
const W = Float32Array.from({ length: 3 * 2 * 3 * 3 }, (_, i) => ((i * 5) % 13) / 13 - 0.5);
const B = Float32Array.from([0.1, -0.2, 0.05]);

/** Conv 3x3, pad 1, as plain loops: the reference the runtime must match. */
function referenceConv(): Float32Array {
  const out = new Float32Array(3 * 16);
  for (let o = 0; o < 3; o++) {
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 4; x++) {
        let acc = B[o]!;
        for (let c = 0; c < 2; c++) {
          for (let ky = 0; ky < 3; ky++) {
            for (let kx = 0; kx < 3; kx++) {
              const iy = y + ky - 1;
              const ix = x + kx - 1;
              if (iy >= 0 && iy < 4 && ix >= 0 && ix < 4) acc += X[c * 16 + iy * 4 + ix]! * W[((o * 2 + c) * 3 + ky) * 3 + kx]!;
            }
          }
        }
        out[o * 16 + y * 4 + x] = acc;
      }
    }
  }
  return out;
}

/** x -> Conv -> Relu -> Mul(0.5) -> y, with the Conv output named "conv_out". */
function convGraph(): Graph {
  const g = new Graph({ opset: { '': 17 } });
  const x = g.input('x', { dtype: 'float32', shape: X_SHAPE });
  const conv = g.add('Conv', [x, g.constant('w', Tensor.from('float32', [3, 2, 3, 3], W)), g.constant('b', Tensor.from('float32', [3], B))], { pads: attr.ints([1, 1, 1, 1]) }, { outputs: ['conv_out'] });
  const relu = g.add('Relu', [conv.output], {}, { outputs: ['relu_out'] });
  g.outputs = [g.add('Mul', [relu.output, g.constant('half', Tensor.scalar('float32', 0.5))], {}, { outputs: ['y'] }).output];
  return g;
}

const feeds = () => ({ x: Tensor.from('float32', X_SHAPE, X) });

/**
 * The checks every Runtime adapter must pass. An adapter's test registers one
 * test per check: `for (const c of runtimeConformance(() => cpuRuntime())) it(c.name, c.run)`.
 */
export function runtimeConformance(makeRuntime: () => Runtime | Promise<Runtime>, opts: { tolerance?: number } = {}): ConformanceCheck[] {
  const tol = opts.tolerance ?? 1e-5;
  const expectedConv = referenceConv();
  const expectedY = expectedConv.map((v) => Math.max(0, v) * 0.5);
  const withSession = async (g: Graph, fn: (s: Awaited<ReturnType<Runtime['createSession']>>) => Promise<void>) => {
    const session = await (await makeRuntime()).createSession(g);
    try {
      await fn(session);
    } finally {
      await session.release();
    }
  };
  return [
    {
      name: 'names its inputs and outputs',
      run: () => withSession(convGraph(), async (s) => {
        assert(s.inputNames.join() === 'x', `inputNames ${s.inputNames.join()}`);
        assert(s.outputNames.join() === 'y', `outputNames ${s.outputNames.join()}`);
      }),
    },
    {
      name: 'runs a convolution as the reference computes it',
      run: () => withSession(convGraph(), async (s) => {
        const out = await s.run(feeds());
        assert(out['y']?.dtype === 'float32', 'y is float32');
        assert(out['y']!.shape.join() === '1,3,4,4', `y shape ${out['y']!.shape.join()}`);
        assertClose(out['y']!.data<'float32'>(), expectedY, tol, 'y');
      }),
    },
    {
      name: 'fetches an intermediate value, equal to making it a graph output',
      run: async () => {
        let fetched: Float32Array | undefined;
        await withSession(convGraph(), async (s) => {
          const out = await s.run(feeds(), ['conv_out', 'y']);
          assert(Object.keys(out).sort().join() === 'conv_out,y', `fetched ${Object.keys(out).join()}`);
          fetched = out['conv_out']!.data<'float32'>();
          assertClose(fetched, expectedConv, tol, 'conv_out');
          assertClose(out['y']!.data<'float32'>(), expectedY, tol, 'y beside a fetch');
        });
        const g = convGraph();
        g.outputs = [g.value('conv_out')!];
        await withSession(g, async (s) => assertClose((await s.run(feeds()))['conv_out']!.data<'float32'>(), fetched!, 0, 'conv_out as a graph output'));
      },
    },
    {
      name: 'carries int64 and bool tensors in and out',
      run: async () => {
        const g = new Graph({ opset: { '': 17 } });
        const a = g.input('a', { dtype: 'int64', shape: [3] });
        const sum = g.add('Add', [a, g.constant('k', Tensor.from('int64', [3], [1n, 2n, 3n]))], {}, { outputs: ['sum'] }).output;
        const big = g.add('Greater', [sum, g.constant('t', Tensor.scalar('int64', 4n))], {}, { outputs: ['big'] }).output;
        g.outputs = [sum, big];
        await withSession(g, async (s) => {
          const out = await s.run({ a: Tensor.from('int64', [3], [10n, -5n, 1n]) });
          assert([...out['sum']!.data<'int64'>()].join() === '11,-3,4', `sum ${[...out['sum']!.data<'int64'>()].join()}`);
          assert(out['big']!.dtype === 'bool' && [...out['big']!.data<'bool'>()].join() === '1,0,0', 'big');
        });
      },
    },
    {
      name: 'runs a snapshot: editing the graph afterwards does not change the session',
      run: async () => {
        const g = convGraph();
        const session = await (await makeRuntime()).createSession(g);
        try {
          g.value('half')!.const = Tensor.scalar('float32', 2);
          assertClose((await session.run(feeds()))['y']!.data<'float32'>(), expectedY, tol, 'y after an edit');
        } finally {
          await session.release();
        }
      },
    },
    {
      name: 'rejects feeds that do not match, and fetches of unknown values, with CondenseError',
      run: () => withSession(convGraph(), async (s) => {
        await rejects(s.run({ nope: Tensor.from('float32', X_SHAPE, X) }), 'E_BAD_OPTION', 'a feed with the wrong name');
        await rejects(s.run(feeds(), ['no_such_value']), 'E_BAD_OPTION', 'fetching an unknown value');
      }),
    },
    {
      name: 'reports unsupported operators in supports() and fails createSession with CondenseError',
      run: async () => {
        const g = new Graph({ opset: { '': 17, 'com.example': 1 } });
        const x = g.input('x', { dtype: 'float32', shape: [2] });
        g.outputs = [g.add('Frobnicate', [x], {}, { domain: 'com.example' }).output];
        const runtime = await makeRuntime();
        const problems = runtime.supports(g);
        assert(problems.some((d) => d.severity === 'error' && d.message.includes('Frobnicate')), `supports() should name Frobnicate: ${JSON.stringify(problems)}`);
        assert(runtime.supports(convGraph()).length === 0, 'supports() passes a plain conv model');
        const e = await rejects(runtime.createSession(g), 'E_RUNTIME', 'creating a session for an unknown operator');
        assert(e.context.adapter === runtime.name, 'the error names the adapter');
      },
    },
    {
      name: 'refuses to run after release',
      run: async () => {
        const s = await (await makeRuntime()).createSession(convGraph());
        await s.release();
        await rejects(s.run(feeds()), 'E_RUNTIME', 'running a released session');
      },
    },
  ];
}
