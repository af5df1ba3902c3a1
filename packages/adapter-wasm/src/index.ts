/**
 * The condense Runtime on onnxruntime-web's WASM execution provider: the same
 * engine in Node and in browsers, so a model can be checked where it will ship.
 *
 * @packageDocumentation
 */
import type { Runtime } from '@condense/core';
import { checkThreads, createOrtRuntime, type OrtModule } from '@condense/ort-runtime';

/** Options of the wasm runtime: given to wasmRuntime() as defaults, or per session to createSession. */
export interface WasmOptions {
  /**
   * WebAssembly threads. onnxruntime-web keeps this setting per page or
   * process, so it is read from the options given to wasmRuntime() when the
   * first session loads onnxruntime-web. Default 1 (threads need cross-origin
   * isolation in browsers).
   */
  threads?: number;
  /** Use the SIMD build (default true; every current browser and Node has SIMD). */
  simd?: boolean;
  /** Where the .wasm files are served from, in browsers (a URL prefix). */
  wasmPaths?: string;
  /** onnxruntime's graph optimization level applied when the session loads the model. Default 'all'. */
  graphOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
}

interface WebOrt extends OrtModule {
  env: { wasm: { numThreads?: number; simd?: boolean; wasmPaths?: string } };
}

/** onnxruntime-web on its WASM execution provider: runs in Node and in browsers. */
export function wasmRuntime(defaults: WasmOptions = {}): Runtime {
  return createOrtRuntime<WasmOptions>(
    {
      name: 'wasm',
      load: async () => {
        const ort = (await import('onnxruntime-web')) as unknown as WebOrt;
        ort.env.wasm.numThreads = checkThreads('wasm', 'threads', defaults.threads) ?? 1;
        if (defaults.simd === false) ort.env.wasm.simd = false;
        if (defaults.wasmPaths) ort.env.wasm.wasmPaths = defaults.wasmPaths;
        return ort;
      },
      sessionOptions: (o) => ({ executionProviders: ['wasm'], graphOptimizationLevel: o.graphOptimization ?? 'all', logSeverityLevel: 3 }),
    },
    defaults,
  );
}
