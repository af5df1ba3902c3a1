import { readFileSync } from 'node:fs';
import { CondenseError, Tensor, elementCount, type Dim, type Graph, type Runtime, type Session } from '@condense/core';
import { parseCommand, parseInputShapes, requireOne, wholeNumber } from '../args.js';
import { table, type Streams } from '../io.js';
import { readModelFile } from '../model-files.js';
import { progressFor } from '../progress.js';
import { parseAdapter, runtimeFor } from '../runtimes.js';

export const BENCH_HELP = `Usage: condense bench <model.onnx> [--adapter cpu|wasm|cuda] [--runs N] [--warmup N]
                     [--threads N] [--input-shape name=d0,d1,...]... [--compare <other.onnx>] [--json] [--quiet]

Measures inference latency (p50, p90 after warm-up), throughput and the
process's peak memory on one runtime adapter. With --compare, the two models
run alternately in one process (so machine noise hits both alike) and the
ratio of p50s (this model over the other) is printed. Inputs are generated
(uniform noise in [0, 1)); symbolic dimensions need --input-shape.
webgpu runs in browsers, not in this command. Progress goes to stderr;
--quiet (-q) or --json turns it off.

Examples:
  condense bench model.onnx --input-shape x=1,3,224,224
  condense bench int8.onnx --compare model.onnx --input-shape x=8,3,224,224 --runs 50 --warmup 5 --json
  condense bench model.onnx --adapter wasm --threads 4 --quiet`;

/** Inputs for one run: noise for float inputs, zeros for the rest, at the pinned or declared shapes. */
function makeFeeds(graph: Graph, file: string): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const v of graph.inputs.filter((i) => !i.const)) {
    const shape = v.type?.shape;
    if (!shape || shape.some((d) => typeof d !== 'number')) {
      throw new CondenseError('E_BAD_OPTION', `Input "${v.name}" of ${file} has shape [${(shape ?? ['?']).join(', ')}]; give concrete sizes with --input-shape ${v.name}=${(shape ?? ['1']).map((d) => (typeof d === 'number' ? d : 1)).join(',')}.`);
    }
    const dims = shape as number[];
    const n = elementCount(dims);
    const dtype = v.type!.dtype;
    let seed = 17;
    feeds[v.name] = dtype === 'float32'
      ? Tensor.from('float32', dims, Float32Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24))
      : Tensor.from(dtype, dims, (dtype === 'int64' || dtype === 'uint64' ? new Array<bigint>(n).fill(0n) : new Array<number>(n).fill(0)) as never);
  }
  return feeds;
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** This process's peak resident memory: VmHWM on Linux, getrusage elsewhere. */
function peakRssBytes(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // Not Linux.
  }
  return process.resourceUsage().maxRSS * 1024;
}

interface Subject {
  file: string;
  session: Session;
  feeds: Record<string, Tensor>;
  batch: number;
  times: number[];
}

/** Loads a model, checks the runtime can run it, and opens a session with generated inputs. */
async function openSubject(runtime: Runtime, adapter: string, file: string, inputShapes: Record<string, Dim[]> | undefined): Promise<Subject> {
  const model = await readModelFile(file, { inputShapes });
  const problems = runtime.supports(model.graph).filter((d) => d.severity === 'error');
  if (problems.length) throw new CondenseError('E_UNSUPPORTED_OP', `The ${adapter} runtime cannot run ${file}: ${problems.map((p) => p.message).join(' ')}`);
  const feeds = makeFeeds(model.graph, file);
  const session = await runtime.createSession(model.graph);
  return { file, session, feeds, batch: Number(Object.values(feeds)[0]?.shape[0] ?? 1), times: [] };
}

interface Measured {
  file: string;
  p50Ms: number;
  p90Ms: number;
  meanMs: number;
  throughputPerSecond: number;
  batch: number;
}

export const BENCH_OPTIONS = {
  adapter: { type: 'string' },
  runs: { type: 'string' },
  warmup: { type: 'string' },
  threads: { type: 'string' },
  'input-shape': { type: 'string', multiple: true },
  compare: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

export async function bench(args: string[], io: Streams): Promise<number> {
  const parsed = parseCommand('bench', args, BENCH_OPTIONS, BENCH_HELP, io);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const file = requireOne('bench', positionals, 'model file');
  const adapter = parseAdapter(values.adapter);
  const runs = wholeNumber('runs', values.runs, 20, 1);
  const warmup = wholeNumber('warmup', values.warmup, 3, 0);
  const threads = values.threads === undefined ? undefined : wholeNumber('threads', values.threads, 1, 1);
  const inputShapes = parseInputShapes(values['input-shape']);
  const runtime = await runtimeFor(adapter, { threads });

  const files = values.compare ? [file, values.compare] : [file];
  const subjects: Subject[] = [];
  const progress = progressFor(io, values.json || values.quiet);
  try {
    for (const f of files) subjects.push(await openSubject(runtime, adapter, f, inputShapes));
    for (let i = 0; i < warmup; i++) {
      for (const s of subjects) await s.session.run(s.feeds);
      progress.update('warming up', i + 1, warmup);
    }
    // Alternate the models run by run so drifts in machine load hit both alike.
    for (let i = 0; i < runs; i++) {
      for (const s of i % 2 === 0 ? subjects : [...subjects].reverse()) {
        const t0 = performance.now();
        await s.session.run(s.feeds);
        s.times.push(performance.now() - t0);
      }
      // Outside the timed span: drawing costs nothing that is measured.
      progress.update('timed runs', i + 1, runs);
    }
  } finally {
    progress.end();
    for (const s of subjects) await s.session.release();
  }
  const measured: Measured[] = subjects.map((s) => {
    const sorted = [...s.times].sort((a, b) => a - b);
    const meanMs = s.times.reduce((a, b) => a + b, 0) / s.times.length;
    return { file: s.file, p50Ms: percentile(sorted, 50), p90Ms: percentile(sorted, 90), meanMs, throughputPerSecond: (s.batch * 1000) / meanMs, batch: s.batch };
  });
  const peakRssMiB = peakRssBytes() / 2 ** 20;
  const ratio = measured[1] ? measured[0]!.p50Ms / measured[1].p50Ms : undefined;
  if (values.json) {
    io.out.write(`${JSON.stringify({ adapter, runs, warmup, ...measured[0], peakRssMiB, ...(measured[1] ? { compare: measured[1], ratio } : {}) }, null, 2)}\n`);
    return 0;
  }
  const rows = [['model', 'p50 ms', 'p90 ms', 'mean ms', 'samples/s'], ...measured.map((m) => [m.file, m.p50Ms.toFixed(2), m.p90Ms.toFixed(2), m.meanMs.toFixed(2), m.throughputPerSecond.toFixed(1)])];
  const lines = [`adapter ${adapter}, ${warmup} warm-up and ${runs} timed runs${measured[1] ? ' each, alternating' : ''}`, table(rows), `peak memory (process): ${peakRssMiB.toFixed(0)} MiB`];
  if (ratio !== undefined) lines.push(`ratio (p50 of ${measured[0]!.file} / ${measured[1]!.file}): ${ratio.toFixed(2)}x`);
  io.out.write(`${lines.join('\n')}\n`);
  return 0;
}
