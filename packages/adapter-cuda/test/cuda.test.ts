import { existsSync } from 'node:fs';
import { CondenseError, Graph } from '@condense/core';
import { runtimeConformance } from '@condense/core/testing';
import { describe, expect, it } from 'vitest';
import { cudaRuntime, explainCudaFailure } from '../src/index.js';

/** A GPU is usable when the NVIDIA device node exists; the suite below needs one. */
const hasGpu = existsSync('/dev/nvidia0') || existsSync('/dev/nvidiactl');
if (!hasGpu) console.log('SKIP adapter-cuda conformance: no NVIDIA GPU on this machine (/dev/nvidia0 is missing); the error path is tested instead.');

describe.skipIf(!hasGpu)('adapter-cuda conformance (needs an NVIDIA GPU)', () => {
  for (const check of runtimeConformance(() => cudaRuntime(), { tolerance: 1e-4 })) it(check.name, check.run, 60_000);
});

function tinyGraph(): Graph {
  const g = new Graph({ opset: { '': 17 } });
  const x = g.input('x', { dtype: 'float32', shape: [2] });
  g.outputs = [g.add('Relu', [x]).output];
  return g;
}

describe('adapter-cuda without CUDA', () => {
  it.skipIf(hasGpu)('createSession fails with an error naming what is missing, and never runs on the CPU instead', async () => {
    const e = await cudaRuntime().createSession(tinyGraph()).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(CondenseError);
    const err = e as CondenseError;
    console.log(`cuda error on this machine: ${err.message}`);
    expect(err.code).toBe('E_RUNTIME_UNAVAILABLE');
    expect(err.context.adapter).toBe('cuda');
    expect(err.message).toMatch(/could not be loaded. To fix: /);
    expect(err.message).toMatch(/does not fall back to the CPU/);
    expect(err.cause).toBeDefined();
  });

  const messages: Array<[string, RegExp]> = [
    ['Failed to load shared library libonnxruntime_providers_cuda.so', /CUDA provider library.*reinstall onnxruntime-node/],
    ['libcudnn.so.9: cannot open shared object file: No such file or directory', /cuDNN 9/],
    ['libcublasLt.so.12: cannot open shared object file', /CUDA 12 runtime libraries/],
    ['CUDA failure 100: no CUDA-capable device is detected', /NVIDIA GPU and driver/],
  ];
  for (const [message, expected] of messages) {
    it(`explains "${message.slice(0, 50)}"`, () => {
      const e = explainCudaFailure(new Error(message))!;
      expect(e.code).toBe('E_RUNTIME_UNAVAILABLE');
      expect(e.message).toMatch(expected);
    });
  }

  it('leaves other failures (a bad model) to the generic E_RUNTIME error', () => {
    expect(explainCudaFailure(new Error('Load model failed: invalid graph'))).toBeUndefined();
  });

  it('checks options before onnxruntime sees them', async () => {
    await expect(cudaRuntime({ deviceId: -1 }).createSession(tinyGraph())).rejects.toThrow(/"deviceId" of the cuda runtime must be a GPU index/);
  });
});
