/**
 * LiteRT.js (the official TFLite runtime for the web, @litertjs/core) in
 * Node. Its loader is written for browsers and workers: it reads the Emscripten
 * glue with importScripts and finds the factory on `self`. Here importScripts
 * evaluates the file with node:vm, where the glue sees Node (require, __dirname)
 * and reads its .wasm from disk. These globals change how other libraries
 * detect their environment, so only test files of their own (each in its own
 * forked process) import this module.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const require = createRequire(import.meta.url);
const wasmDir = path.join(path.dirname(require.resolve('@litertjs/core')), '..', 'wasm');

type LiteRt = typeof import('@litertjs/core');
let loading: Promise<LiteRt> | undefined;

function installBrowserShims(): void {
  const g = globalThis as Record<string, unknown>;
  g['self'] ??= globalThis;
  g['require'] ??= require;
  g['importScripts'] ??= (url: string) => {
    const file = url.startsWith('file:') ? fileURLToPath(url) : url;
    g['__dirname'] = path.dirname(file);
    vm.runInThisContext(readFileSync(file, 'utf8'), { filename: file });
  };
}

export function liteRt(): Promise<LiteRt> {
  loading ??= (async () => {
    installBrowserShims();
    const litert = await import('@litertjs/core');
    // Threads need cross-origin isolation in browsers and fail on Node 20; one thread.
    await litert.loadLiteRt(`${wasmDir}/`, { threads: false });
    return litert;
  })();
  return loading;
}

/** Runs .tflite bytes once on the CPU (wasm, XNNPack) with inputs in model order; returns the outputs' data. LiteRT.js takes float32, int32 and uint8 tensors (not int8). */
export async function runTflite(model: Uint8Array, inputs: Array<{ data: Float32Array | Uint8Array; shape: number[] }>): Promise<Array<Float32Array | Uint8Array>> {
  const litert = await liteRt();
  const compiled = await litert.loadAndCompile(model, { accelerator: 'wasm' });
  // LiteRT.js types its arrays as backed by plain ArrayBuffers, which these are.
  const tensors = inputs.map((i) => new litert.Tensor(i.data as Float32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>, i.shape));
  try {
    const results = await compiled.run(tensors);
    const out = results.map((t) => {
      const data = t.toTypedArray();
      return data instanceof Uint8Array ? Uint8Array.from(data) : Float32Array.from(data as Float32Array);
    });
    for (const t of results) t.delete();
    return out;
  } finally {
    for (const t of tensors) t.delete();
    compiled.delete();
  }
}
