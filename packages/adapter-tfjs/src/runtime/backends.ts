import { CondenseError } from '@condense/core';

export type TfjsCore = typeof import('@tensorflow/tfjs-core');
/** The tfjs backends a runtime can run on; all but cpu are optional peer packages. */
export type TfjsBackend = 'cpu' | 'wasm' | 'webgl' | 'webgpu';

/** The package registering each backend; cpu ships with this adapter, the others are optional peers. */
const PACKAGES: Record<TfjsBackend, string> = {
  cpu: '@tensorflow/tfjs-backend-cpu',
  wasm: '@tensorflow/tfjs-backend-wasm',
  webgl: '@tensorflow/tfjs-backend-webgl',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
};

export const BACKENDS = Object.keys(PACKAGES) as TfjsBackend[];

export interface BackendOptions {
  /** Where tfjs-backend-wasm's .wasm files are served from (browsers). */
  wasmPaths?: string;
  /** WebAssembly threads for the wasm backend (process-wide in tfjs; needs cross-origin isolation in browsers). */
  threads?: number;
}

interface WasmBackendModule {
  setWasmPaths(prefix: string): void;
  setThreadsCount(n: number): void;
}

/**
 * tfjs-core with `backend` registered and active. tfjs keeps one active
 * backend per process (or page), so every run makes its own backend active
 * again: runtimes on different backends can be used side by side.
 */
export async function activate(backend: TfjsBackend, options: BackendOptions): Promise<TfjsCore> {
  const tf = await import('@tensorflow/tfjs-core');
  if (!tf.findBackendFactory(backend)) {
    const name = PACKAGES[backend];
    let module: unknown;
    try {
      module = await import(/* @vite-ignore */ name);
    } catch (e) {
      throw new CondenseError('E_RUNTIME_UNAVAILABLE', `The tfjs ${backend} backend is not installed: add ${name}@4.22.0 (or import it before creating the runtime).`, { cause: e, context: { adapter: `tfjs-${backend}` } });
    }
    if (backend === 'wasm') {
      const wasm = module as WasmBackendModule;
      if (options.wasmPaths) wasm.setWasmPaths(options.wasmPaths);
      if (options.threads) wasm.setThreadsCount(options.threads);
    }
  }
  if (tf.getBackend() !== backend) {
    let ok = false;
    try {
      ok = await tf.setBackend(backend);
    } catch (e) {
      throw new CondenseError('E_RUNTIME_UNAVAILABLE', `The tfjs ${backend} backend failed to start: ${(e as Error).message}`, { cause: e, context: { adapter: `tfjs-${backend}` } });
    }
    if (!ok) throw new CondenseError('E_RUNTIME_UNAVAILABLE', `The tfjs ${backend} backend is not available here (${backend === 'webgl' || backend === 'webgpu' ? 'it needs a browser with that API' : 'it failed to initialize'}).`, { context: { adapter: `tfjs-${backend}` } });
  }
  return tf;
}
