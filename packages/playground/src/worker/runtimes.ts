import type { Runtime } from '@condense/core';
import { wasmRuntime } from '@condense/adapter-wasm';
import { webgpuRuntime } from '@condense/adapter-webgpu';
import type { Backend } from '../protocol.js';

/**
 * The page's runtimes, made once: onnxruntime-web keeps its settings per
 * page, and its .wasm files come from the page's own origin (ortBase, an
 * absolute URL, since a worker resolves relative ones against its script).
 */
export function createRuntimes(ortBase: string): Record<Backend, Runtime> {
  return { wasm: wasmRuntime({ wasmPaths: ortBase, threads: 1 }), webgpu: webgpuRuntime({ wasmPaths: ortBase }) };
}
