/**
 * The condense Runtime on onnxruntime-web's WebGPU execution provider, for
 * browsers that expose navigator.gpu: models run on the user's GPU.
 *
 * @packageDocumentation
 */
import { CondenseError, type Runtime } from '@condense/core';
import { createOrtRuntime, type OrtModule } from '@condense/ort-runtime';

/** Options of the webgpu runtime: given to webgpuRuntime() as defaults, or per session to createSession. */
export interface WebGpuOptions {
  /** Where onnxruntime-web's .wasm files are served from (a URL prefix). */
  wasmPaths?: string;
  /** 'high-performance' or 'low-power' adapter. */
  powerPreference?: 'high-performance' | 'low-power';
  /** onnxruntime's graph optimization level applied when the session loads the model. Default 'all'. */
  graphOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
}

interface WebOrt extends OrtModule {
  env: { wasm: { wasmPaths?: string } };
}

function hasWebGpu(): boolean {
  return typeof navigator !== 'undefined' && 'gpu' in (navigator as object) && !!(navigator as { gpu?: unknown }).gpu;
}

/** onnxruntime-web on its WebGPU execution provider, in browsers that expose navigator.gpu. */
export function webgpuRuntime(defaults: WebGpuOptions = {}): Runtime {
  return createOrtRuntime<WebGpuOptions>(
    {
      name: 'webgpu',
      precondition: () =>
        hasWebGpu()
          ? undefined
          : new CondenseError('E_RUNTIME_UNAVAILABLE', 'The webgpu runtime needs a browser with WebGPU (navigator.gpu). In Node use @condense/adapter-cpu or @condense/adapter-wasm.', { context: { adapter: 'webgpu' } }),
      load: async () => {
        const ort = (await import('onnxruntime-web/webgpu')) as unknown as WebOrt;
        if (defaults.wasmPaths) ort.env.wasm.wasmPaths = defaults.wasmPaths;
        return ort;
      },
      sessionOptions: (o) => ({
        executionProviders: [{ name: 'webgpu', ...(o.powerPreference ? { powerPreference: o.powerPreference } : {}) }],
        graphOptimizationLevel: o.graphOptimization ?? 'all',
        logSeverityLevel: 3,
      }),
    },
    defaults,
  );
}
