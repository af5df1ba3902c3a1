/**
 * The condense Runtime on onnxruntime-node's CPU execution provider: the
 * default in Node, used to calibrate, evaluate and benchmark models.
 *
 * @packageDocumentation
 */
import type { Runtime } from '@condense/core';
import { checkThreads, createOrtRuntime, type OrtModule } from '@condense/ort-runtime';

/** Options of the cpu runtime: given to cpuRuntime() as defaults, or per session to createSession. */
export interface CpuOptions {
  /** Threads inside one operator (onnxruntime's intra-op pool). Default: one per core. */
  threads?: number;
  /** Threads running independent operators in parallel. Default 1. */
  interOpThreads?: number;
  /** onnxruntime graph optimizations. Default 'all'. */
  graphOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
}

/** The default Runtime in Node: onnxruntime-node on the CPU execution provider. */
export function cpuRuntime(defaults: CpuOptions = {}): Runtime {
  return createOrtRuntime<CpuOptions>(
    {
      name: 'cpu',
      load: async () => (await import('onnxruntime-node')) as unknown as OrtModule,
      sessionOptions: (o) => ({
        executionProviders: ['cpu'],
        intraOpNumThreads: checkThreads('cpu', 'threads', o.threads),
        interOpNumThreads: checkThreads('cpu', 'interOpThreads', o.interOpThreads),
        graphOptimizationLevel: o.graphOptimization ?? 'all',
        logSeverityLevel: 3,
      }),
    },
    defaults,
  );
}
