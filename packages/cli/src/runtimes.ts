import { CondenseError, type Runtime } from '@condense/core';

export const ADAPTERS = ['cpu', 'wasm', 'cuda', 'webgpu'] as const;
export type AdapterName = (typeof ADAPTERS)[number];

/** The Runtime for an --adapter name, loaded only when asked for. */
export async function runtimeFor(name: AdapterName, opts: { threads?: number } = {}): Promise<Runtime> {
  switch (name) {
    case 'cpu':
      return (await import('@condense/adapter-cpu')).cpuRuntime({ threads: opts.threads });
    case 'wasm':
      return (await import('@condense/adapter-wasm')).wasmRuntime({ threads: opts.threads });
    case 'cuda':
      return (await import('@condense/adapter-cuda')).cudaRuntime();
    case 'webgpu':
      throw new CondenseError('E_RUNTIME_UNAVAILABLE', 'The webgpu adapter runs in browsers (it needs navigator.gpu); benchmark it from a page with @condense/adapter-webgpu, or use --adapter cpu|wasm|cuda here.');
  }
}

/** Checks an --adapter value (default cpu). */
export function parseAdapter(text: string | undefined): AdapterName {
  const name = (text ?? 'cpu') as AdapterName;
  if (!ADAPTERS.includes(name)) throw new CondenseError('E_BAD_OPTION', `--adapter must be one of ${ADAPTERS.join(', ')}; got "${text}".`);
  return name;
}
