// Runs in Chromium: loads a model with @condense/onnx and runs it on @condense/adapter-webgpu.
import { Tensor } from '@condense/core';
import { decodeModel } from '@condense/onnx';
import { webgpuRuntime } from '@condense/adapter-webgpu';
import { conformanceResults } from './conformance-results.js';

interface Output { shape: number[]; data: number[] }

async function runModel(url: string, input: string, shape: number[], data: number[], fetches?: string[]): Promise<Record<string, Output>> {
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const model = decodeModel(bytes);
  const session = await webgpuRuntime({ wasmPaths: '/ort/' }).createSession(model.graph);
  try {
    const out = await session.run({ [input]: Tensor.from('float32', shape, Float32Array.from(data)) }, fetches);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { shape: [...t.shape], data: Array.from(t.data<'float32'>()) }]));
  } finally {
    await session.release();
  }
}

async function adapterInfo(): Promise<string> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: { architecture?: string; vendor?: string } } | null> } }).gpu;
  const adapter = await gpu?.requestAdapter();
  return adapter ? `${adapter.info?.vendor ?? '?'} ${adapter.info?.architecture ?? '?'}` : 'none';
}

/** The adapter conformance suite, run in the page: one result per check. */
async function runConformance(): Promise<Array<{ name: string; error?: string }>> {
  return conformanceResults(() => webgpuRuntime({ wasmPaths: '/ort/' }));
}

Object.assign(globalThis, { runModel, adapterInfo, runConformance, pageReady: true });
